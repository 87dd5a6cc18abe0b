#include <stdio.h>
#include <string.h>

int main(void) {
    // crack starts your program and talks to it over stdin and stdout: one command per line,
    // one reply per line (RING ADD <node>, RING GET <key>, BLOOM HAS <item>, CALL <now_ms> …).
    // stdout is a pipe there: without this line, replies would wait in a buffer.
    setbuf(stdout, NULL);

    // stdout carries your replies, so debug output goes to stderr (crack shows it under
    // [your_program]).
    fprintf(stderr, "Logs from your program will appear here!\n");

    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        // Your code starts here: answer each command with one line. `crack task` shows what to do.
        printf("ERROR not written yet: %.40s\n", line);
    }
    return 0;
}
