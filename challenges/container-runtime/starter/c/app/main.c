#include <stdio.h>

int main(int argc, char *argv[]) {
    // crack runs (as root): ./your_program.sh run [OPTIONS] ROOTFS CMD ARGS...
    // stdout belongs to the command you run, so write logs to stderr.
    fprintf(stderr, "Logs from your program will appear here!\n");

    // Your code starts here: `crack task` shows what to do.
    (void)argc;  // remove these lines once you use them
    (void)argv;
    return 1;
}
