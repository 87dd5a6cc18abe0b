#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[]) {
    // crack runs you as: ./your_program.sh DATABASE COMMAND
    // for example:       ./your_program.sh sample.db .dbinfo
    if (argc < 3) {
        fprintf(stderr, "usage: %s DATABASE COMMAND\n", argv[0]);
        return 1;
    }
    const char *database_path = argv[1];
    const char *command = argv[2];

    // Debug output goes to stderr: crack compares only what you print on stdout.
    fprintf(stderr, "Logs from your program will appear here!\n");

    if (strcmp(command, ".dbinfo") == 0) {
        // Your code starts here: `crack task` shows what to do. A first step:
        //
        // FILE *database_file = fopen(database_path, "rb");
        // unsigned char header[100];
        // fread(header, 1, sizeof(header), database_file);
        // unsigned page_size = (header[16] << 8) | header[17];
        // printf("database page size: %u\n", page_size);
        fprintf(stderr, "not implemented yet: %s on %s\n", command, database_path);
        return 1;
    }
    fprintf(stderr, "unknown command: %s\n", command);
    return 1;
}
