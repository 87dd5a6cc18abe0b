#include <stdio.h>

int main(int argc, char *argv[]) {
    // stdout is what the tester checks (file contents, SHA-1s): print logs to stderr.
    fprintf(stderr, "Logs from your program will appear here!\n");

    const char *command = argc > 1 ? argv[1] : "";
    // Your code starts here: `crack task` shows what to do.
    fprintf(stderr, "unknown command: '%s'\n", command);
    return 1;
}
