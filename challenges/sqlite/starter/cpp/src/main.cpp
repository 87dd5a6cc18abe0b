#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
    // crack runs you as: ./your_program.sh DATABASE COMMAND
    // for example:       ./your_program.sh sample.db .dbinfo
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " DATABASE COMMAND" << std::endl;
        return 1;
    }
    const std::string database_path = argv[1];
    const std::string command = argv[2];

    // Debug output goes to stderr: crack compares only what you print on stdout.
    std::cerr << "Logs from your program will appear here!" << std::endl;

    if (command == ".dbinfo") {
        // Your code starts here: `crack task` shows what to do. A first step:
        //
        // std::ifstream database_file(database_path, std::ios::binary);
        // unsigned char header[100];
        // database_file.read(reinterpret_cast<char*>(header), sizeof(header));
        // unsigned page_size = (header[16] << 8) | header[17];
        // std::cout << "database page size: " << page_size << std::endl;
        std::cerr << "not implemented yet: " << command << " on " << database_path << std::endl;
        return 1;
    }
    std::cerr << "unknown command: " << command << std::endl;
    return 1;
}
