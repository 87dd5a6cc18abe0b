/* crack_driver.h: helpers shared by the C drivers that testers compile themselves
 * (crack.harness.compiled puts this folder on every driver's include path).
 *
 * Everything here is `static`, so each driver gets its own copy and a learner's file
 * compiled into the same program never collides with it. C that also compiles as C++. */
#ifndef CRACK_DRIVER_H
#define CRACK_DRIVER_H

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* The text of a small file such as /proc/self/statm into buf (NUL-terminated), its length,
 * or -1. With open/read rather than stdio, so it allocates nothing: the malloc challenge
 * calls it under the learner's allocator. */
static ssize_t crack_read_small_file(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    return n;
}

/* This process's resident memory in KiB (the second field of /proc/self/statm, in pages),
 * or -1 when it cannot be read. */
static long resident_kib(void) {
    char buf[128];
    if (crack_read_small_file("/proc/self/statm", buf, sizeof buf) < 0) return -1;
    long size = 0, resident = 0;
    sscanf(buf, "%ld %ld", &size, &resident);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#endif
