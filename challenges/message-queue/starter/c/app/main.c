#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[]) {
    // crack starts your program as `./your_program.sh --port N --data-dir DIR`.
    int port = 11300;
    const char *data_dir = "data";
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--port") == 0) {
            port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--data-dir") == 0) {
            data_dir = argv[i + 1];
        }
    }

    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there: without this line, printf output would wait in a buffer.
    setbuf(stdout, NULL);
    printf("Logs from your program will appear here!\n");

    // Your code starts here: serve beanstalk's protocol on 127.0.0.1, port --port, and keep your
    // files under --data-dir. `crack task` shows what to do.

    (void)port;  // remove these lines once you use them
    (void)data_dir;
    return 0;
}
