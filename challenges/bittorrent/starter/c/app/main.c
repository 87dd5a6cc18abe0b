#include <stdio.h>

int main(int argc, char *argv[]) {
    // crack runs: ./your_program.sh COMMAND ARGUMENTS... (decode, info, peers, handshake,
    // download_piece, download: `crack task` describes each)
    // the tester reads what you print on stdout, so write logs to stderr.
    fprintf(stderr, "Logs from your program will appear here!\n");

    // Your code starts here: `crack task` shows what to do.
    (void)argc;  // remove these lines once you use them
    (void)argv;
    return 1;
}
