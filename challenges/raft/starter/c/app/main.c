#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[]) {
    // crack starts each node as `./your_program.sh --id n1 --peers n1,n2,n3 --port N --data-dir DIR`.
    const char *id = "n1";
    const char *peers = "n1";
    int port = 8000;
    const char *data_dir = "data";
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--id") == 0) {
            id = argv[i + 1];
        } else if (strcmp(argv[i], "--peers") == 0) {
            peers = argv[i + 1];
        } else if (strcmp(argv[i], "--port") == 0) {
            port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--data-dir") == 0) {
            data_dir = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program n1] while crack grades you.
    // stdout is a pipe there: without this line, printf output would wait in a buffer.
    setbuf(stdout, NULL);
    printf("Logs from your program will appear here!\n");

    // Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
    // connection and answer the JSON messages that arrive on it, one per line.
    // `crack task` shows what to do.

    (void)id;  // remove these lines once you use them
    (void)peers;
    (void)port;
    (void)data_dir;
    return 0;
}
