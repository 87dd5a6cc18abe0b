#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
    // crack starts your program as `./your_program.sh --port N --data-dir DIR`.
    int port = 11300;
    std::string data_dir = "data";
    for (int i = 1; i + 1 < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--port") {
            port = std::stoi(argv[i + 1]);
        } else if (arg == "--data-dir") {
            data_dir = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: unitbuf flushes after every write, so nothing waits in a buffer.
    std::cout << std::unitbuf;
    std::cout << "Logs from your program will appear here!\n";

    // Your code starts here: serve beanstalk's protocol on 127.0.0.1, port --port, and keep your
    // files under --data-dir. `crack task` shows what to do.

    (void)port;  // remove these lines once you use them
    (void)data_dir;
    return 0;
}
