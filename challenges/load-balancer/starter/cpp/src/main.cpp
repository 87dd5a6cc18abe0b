#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
    // crack starts your program as `./your_program.sh --port N --config FILE`.
    int port = 0;
    std::string config;
    for (int i = 1; i + 1 < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--port") {
            port = std::stoi(argv[i + 1]);
        } else if (arg == "--config") {
            config = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: unitbuf flushes after every write, so nothing waits in a buffer.
    std::cout << std::unitbuf;
    std::cout << "Logs from your program will appear here!\n";

    // Your code starts here: read the config file named by --config, listen on --port, and
    // forward each request to a backend. `crack task` shows what to do.

    (void)port;  // remove these lines once you use them
    (void)config;
    return 0;
}
