#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
    // stdout is what the tester checks (file contents, SHA-1s): print logs to std::cerr.
    std::cerr << "Logs from your program will appear here!" << std::endl;

    const std::string command = argc > 1 ? argv[1] : "";
    // Your code starts here: `crack task` shows what to do.
    std::cerr << "unknown command: '" << command << "'" << std::endl;
    return 1;
}
