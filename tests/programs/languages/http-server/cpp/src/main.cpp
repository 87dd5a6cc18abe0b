#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char* argv[]) {
    // crack starts your server as `./your_program.sh --port N --directory D`: N is a free port
    // (not always 4221); D is the folder that later stages serve files from.
    int port = 4221;
    std::string directory = ".";
    for (int i = 1; i + 1 < argc; i++) {
        if (std::string(argv[i]) == "--port") {
            port = std::stoi(argv[i + 1]);
        } else if (std::string(argv[i]) == "--directory") {
            directory = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: unitbuf flushes after every write, so nothing waits in a buffer.
    std::cout << std::unitbuf;
    std::cout << "Logs from your program will appear here!\n";

    // Stage 1: bind, listen, accept.
    int server_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (server_fd < 0) {
        std::cout << "socket() failed: " << std::strerror(errno) << "\n";
        return 1;
    }

    // Without SO_REUSEADDR a quick restart fails with "Address already in use".
    int reuse = 1;
    setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(server_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        std::cout << "bind() to port " << port << " failed: " << std::strerror(errno) << "\n";
        return 1;
    }
    if (listen(server_fd, 16) != 0) {
        std::cout << "listen() failed: " << std::strerror(errno) << "\n";
        return 1;
    }

    std::cout << "Waiting for a client to connect...\n";
    int client_fd = accept(server_fd, nullptr, nullptr);
    std::cout << "Client connected\n";
    close(client_fd);
    close(server_fd);

    (void)directory;
    return 0;
}
