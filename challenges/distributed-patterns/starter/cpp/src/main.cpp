#include <iostream>
#include <string>

int main() {
    // crack starts your program and talks to it over stdin and stdout: one command per line,
    // one reply per line (RING ADD <node>, RING GET <key>, BLOOM HAS <item>, CALL <now_ms> …).
    // stdout carries your replies, so debug output goes to stderr (crack shows it under
    // [your_program]).
    std::cerr << "Logs from your program will appear here!" << std::endl;

    std::string line;
    while (std::getline(std::cin, line)) {
        // Your code starts here: answer each command with one line (std::endl flushes it).
        // `crack task` shows what to do.
        std::cout << "ERROR not written yet: " << line.substr(0, 40) << std::endl;
    }
    return 0;
}
