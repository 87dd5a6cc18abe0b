// Your allocator: build.sh compiles app/*.c into build/libmymalloc.so, and your_program.sh
// runs a program with it preloaded (LD_PRELOAD), so the functions you define here replace
// the C library's for the whole program.
//
// Define malloc, free, calloc and realloc together: a program that gets a block from your
// malloc and hands it to the C library's realloc crashes. Never call printf or anything
// else that may allocate from inside them; write(2, ...) is safe for debugging.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

// Your code starts here: `crack task` shows what to do. For example:
//
// void *malloc(size_t size) { ... sbrk ... }
// void free(void *ptr) { ... }
// void *calloc(size_t count, size_t size) { ... }
// void *realloc(void *ptr, size_t size) { ... }
