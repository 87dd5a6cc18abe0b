#include <stdio.h>

int main(int argc, char *argv[]) {
    // crack runs: ./your_program.sh tokenize|parse|evaluate|run FILE
    // stdout is compared with the reference interpreter's, so write logs to stderr.
    fprintf(stderr, "Logs from your program will appear here!\n");

    // Your code starts here: `crack task` shows what to do.
    (void)argc;  // remove these lines once you use them
    (void)argv;
    return 1;
}
