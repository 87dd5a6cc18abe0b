#include <iostream>
#include <string>
#include <vector>

int main(int argc, char* argv[]) {
    // crack runs: ./your_program.sh COMMAND ARGUMENTS... (decode, info, peers, handshake,
    // download_piece, download: `crack task` describes each)
    // the tester reads what you print on stdout, so write logs to std::cerr.
    const std::vector<std::string> args(argv + 1, argv + argc);
    std::cerr << "Logs from your program will appear here!" << std::endl;

    // Your code starts here: `crack task` shows what to do.
    (void)args;  // remove this line once you use them
    return 1;
}
