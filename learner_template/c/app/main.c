#include <stdio.h>

int main(int argc, char *argv[]) {
    (void)argc;
    (void)argv;
    // Debug output goes to the terminal under [your_program] while crack grades you.
    // stdout is a pipe there, so print to stderr (unbuffered) or fflush(stdout).
    fprintf(stderr, "Logs from your program will appear here!\n");

    // Your code starts here: read the task with `crack task`.
    return 0;
}
