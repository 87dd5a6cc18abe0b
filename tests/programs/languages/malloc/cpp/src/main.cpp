// Stage 1 of the malloc challenge in C++: a heap that only grows.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unistd.h>

namespace {
constexpr size_t kAlignment = 16;
constexpr size_t kHeader = 16;

size_t round_up(size_t n) { return (n + kAlignment - 1) & ~(kAlignment - 1); }
}  // namespace

extern "C" {

void *malloc(size_t size) {
    size_t usable = round_up(size);
    auto *brk = static_cast<char *>(sbrk(0));
    size_t pad = round_up(reinterpret_cast<uintptr_t>(brk)) - reinterpret_cast<uintptr_t>(brk);
    void *got = sbrk(static_cast<intptr_t>(pad + kHeader + usable));
    if (got == reinterpret_cast<void *>(-1)) return nullptr;
    auto *header = reinterpret_cast<size_t *>(static_cast<char *>(got) + pad);
    header[0] = usable;
    return header + 2;
}

void free(void *ptr) { (void)ptr; }

void *calloc(size_t count, size_t size) { return malloc(count * size); }

void *realloc(void *ptr, size_t size) {
    void *fresh = malloc(size);
    if (ptr != nullptr && fresh != nullptr) {
        size_t old = static_cast<size_t *>(ptr)[-2];
        memcpy(fresh, ptr, old < size ? old : size);
    }
    return fresh;
}

}  // extern "C"
