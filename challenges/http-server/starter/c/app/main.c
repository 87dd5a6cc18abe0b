#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
    // crack starts your server as `./your_program.sh --port N --directory D`: N is a free port
    // (not always 4221); D is the folder that later stages serve files from.
    int port = 4221;
    const char *directory = ".";
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--port") == 0) {
            port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--directory") == 0) {
            directory = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: without this line, printf output would wait in a buffer.
    setbuf(stdout, NULL);
    printf("Logs from your program will appear here!\n");

    // Your code starts here. Uncomment this to pass the first stage:
    //
    // int server_fd = socket(AF_INET, SOCK_STREAM, 0);
    // if (server_fd == -1) {
    //     printf("socket() failed: %s\n", strerror(errno));
    //     return 1;
    // }
    //
    // // Without SO_REUSEADDR a quick restart fails with "Address already in use".
    // int reuse = 1;
    // if (setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) < 0) {
    //     printf("SO_REUSEADDR failed: %s\n", strerror(errno));
    //     return 1;
    // }
    //
    // struct sockaddr_in address = {
    //     .sin_family = AF_INET,
    //     .sin_port = htons(port),
    //     .sin_addr = {htonl(INADDR_LOOPBACK)},
    // };
    // if (bind(server_fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
    //     printf("bind() to port %d failed: %s\n", port, strerror(errno));
    //     return 1;
    // }
    // if (listen(server_fd, 16) != 0) {
    //     printf("listen() failed: %s\n", strerror(errno));
    //     return 1;
    // }
    //
    // printf("Waiting for a client to connect...\n");
    // int client_fd = accept(server_fd, NULL, NULL);
    // printf("Client connected\n");
    // close(client_fd);
    // close(server_fd);

    (void)port;       // remove these lines once you use them
    (void)directory;
    return 0;
}
