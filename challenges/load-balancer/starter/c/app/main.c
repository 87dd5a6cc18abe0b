#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[]) {
    // crack starts your program as `./your_program.sh --port N --config FILE`.
    int port = 0;
    const char *config = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--port") == 0) {
            port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--config") == 0) {
            config = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: without this line, printf output would wait in a buffer.
    setbuf(stdout, NULL);
    printf("Logs from your program will appear here!\n");

    // Your code starts here: read the config file named by --config, listen on --port, and
    // forward each request to a backend. `crack task` shows what to do.

    (void)port;  // remove these lines once you use them
    (void)config;
    return 0;
}
