#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[]) {
    // crack starts your program as `./your_program.sh --port N --zone FILE [--resolver HOST:PORT]`.
    int port = 0;
    const char *zone = NULL;
    const char *resolver = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--port") == 0) {
            port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--zone") == 0) {
            zone = argv[i + 1];
        } else if (strcmp(argv[i], "--resolver") == 0) {
            resolver = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: without this line, printf output would wait in a buffer.
    setbuf(stdout, NULL);
    printf("Logs from your program will appear here!\n");

    // Your code starts here: answer DNS queries over UDP on 127.0.0.1, port --port, from
    // the zone file --zone. `crack task` shows what to do.

    (void)port;  // remove these lines once you use them
    (void)zone;
    (void)resolver;
    return 0;
}
