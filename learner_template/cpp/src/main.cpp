#include <iostream>

int main(int argc, char* argv[]) {
    (void)argc;
    (void)argv;
    // Debug output goes to the terminal under [your_program] while crack grades you.
    // std::cerr is unbuffered; std::cout needs std::endl or std::flush to show up at once.
    std::cerr << "Logs from your program will appear here!" << std::endl;

    // Your code starts here: read the task with `crack task`.
    return 0;
}
