#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
    // crack starts each node as `./your_program.sh --id n1 --peers n1,n2,n3 --port N --data-dir DIR`.
    std::string id = "n1";
    std::string peers = "n1";
    int port = 8000;
    std::string data_dir = "data";
    for (int i = 1; i + 1 < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--id") {
            id = argv[i + 1];
        } else if (arg == "--peers") {
            peers = argv[i + 1];
        } else if (arg == "--port") {
            port = std::stoi(argv[i + 1]);
        } else if (arg == "--data-dir") {
            data_dir = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program n1] while crack grades you.
    // stdout is a pipe there: unitbuf flushes after every write, so nothing waits in a buffer.
    std::cout << std::unitbuf;
    std::cout << "Logs from your program will appear here!\n";

    // Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
    // connection and answer the JSON messages that arrive on it, one per line.
    // `crack task` shows what to do.

    (void)port;  // remove these lines once you use them
    (void)peers;
    (void)data_dir;
    return 0;
}
