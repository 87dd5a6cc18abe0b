#include <stdio.h>

int main(int argc, char *argv[]) {
    // crack runs: ./your_program.sh [OPTIONS] -E PATTERN [FILE...]
    // stdout is compared byte for byte with grep's, so write logs to stderr.
    fprintf(stderr, "Logs from your program will appear here!\n");

    // Your code starts here: `crack task` shows what to do.
    (void)argc;  // remove these lines once you use them
    (void)argv;
    return 1;
}
