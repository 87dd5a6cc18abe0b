/* A server that answers through C stdio and never calls fflush: its replies wait in the
 * FILE's buffer (4 KB or more) and never reach the socket. argv[1] picks the reply:
 * "redis" answers every read with +PONG, "http" with an empty 200 response. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *reply = strcmp(argv[1], "http") == 0
        ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : "+PONG\r\n";
    int port = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(server, (struct sockaddr *)&address, sizeof address) || listen(server, 16)) return 1;
    for (;;) {
        int client = accept(server, NULL, NULL);
        FILE *out = fdopen(client, "w");
        char buffer[4096];
        while (read(client, buffer, sizeof buffer) > 0)
            fprintf(out, "%s", reply); /* no fflush(out) */
        fclose(out);
    }
}
