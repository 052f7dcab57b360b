/* One heap error per scenario, named by the first argument, for the checked and guarded modes of
 * libebb.so (CheckedModeTests.cs). Each block is allocated in a function of its own
 * (make_block), so a report must name that function (and, built with -g, errors.c and its line).
 * volatile pointers and -fno-builtin keep gcc from removing or moving the faulty accesses. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) char *make_block(size_t n)
{
    char *p = malloc(n);
    if (p == NULL) abort();
    memset(p, 'x', n);
    return p;
}

__attribute__((noinline)) void release(void *p) { free(p); }

/* As make_block, from another function: two call paths for the checked mode's walk cache. */
__attribute__((noinline)) char *make_other(size_t n)
{
    char *p = malloc(n);
    if (p == NULL) abort();
    memset(p, 'o', n);
    return p;
}

/* A frame larger than the walk cache's old reach (4 KiB between return addresses): blocks come
 * from two call paths in turn, many times, and the last of make_other's is freed twice. The
 * report must name make_other, not a remembered walk of make_block's. */
__attribute__((noinline)) static void big_frame_double_free(void)
{
    volatile char pad[12288];
    pad[0] = 1;
    char *last = NULL;
    for (int i = 0; i < 100; i++) {
        release(make_block(24));
        if (last != NULL) release(last);
        last = make_other(24);
        pad[i] = (char)i;
    }
    release(last);
    release(last);
}

static char global_buffer[64];

/* Zeroes the stack below the caller's frame: the leak check scans stacks conservatively, as
 * LeakSanitizer does, and a pointer left in a dead frame would keep its block "reachable". */
__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char pad[16384];
    for (size_t i = 0; i < sizeof pad; i++) pad[i] = 0;
}

/* Reachable at exit (a global points to it): not a leak. */
static char *volatile kept;

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    char *volatile p = make_block(20);
    kept = make_block(30);
    if (strcmp(what, "overflow") == 0) {
        p[20] = 'y';                     /* one byte past the 20-byte block */
        release(p);
    } else if (strcmp(what, "underflow") == 0) {
        p[-1] = 'y';
        release(p);
    } else if (strcmp(what, "double-free") == 0) {
        release(p);
        release(p);
    } else if (strcmp(what, "use-after-free") == 0) {
        release(p);
        p[8] = 'y';                      /* written after free: found when the block leaves quarantine */
        for (int i = 0; i < 400; i++) free(make_block(64 * 1024)); /* 25 MiB through a 16 MiB quarantine */
    } else if (strcmp(what, "read-after-free") == 0) {
        release(p);
        printf("read %d\n", p[8]);       /* guarded: faults at the read */
        p = NULL;
    } else if (strcmp(what, "guard-overflow") == 0) {
        char *volatile q = make_block(32); /* a multiple of 16: no alignment slack in sampled mode either */
        printf("read %d\n", q[32]);      /* guarded: faults one byte past the block */
        release(q);
    } else if (strcmp(what, "interior-free") == 0) {
        release(p + 8);
    } else if (strcmp(what, "stack-free") == 0) {
        release(p);
        p = NULL;
        char local[32];
        char *volatile q = local;
        release(q);
    } else if (strcmp(what, "global-free") == 0) {
        release(p);
        p = NULL;
        char *volatile q = global_buffer;
        release(q);
    } else if (strcmp(what, "leak") == 0) {
        p = make_block(100);             /* the 20-byte block and this one are never freed */
        p = NULL;
        scrub_stack();                   /* no stale copy of either pointer left below main's frame */
        printf("leaking\n");
        return 0;
    } else if (strcmp(what, "usable-size") == 0) {
        char local[16];
        char *volatile q = local;
        /* The checked modes' blocks are as large as asked (their slack is not usable); memory
         * malloc never handed out is 0, as glibc's and release mode's. */
        printf("usable %zu %zu\n", malloc_usable_size(p), malloc_usable_size(q));
        release(p);
        return 0;
    } else if (strcmp(what, "usable-after-free") == 0) {
        release(p);
        printf("usable %zu\n", malloc_usable_size(p)); /* a freed block: refused as its free would be */
        p = NULL;
    } else if (strcmp(what, "big-frame-double-free") == 0) {
        release(p);
        p = NULL;
        big_frame_double_free();
    } else if (strcmp(what, "clean") == 0) {
        char *q = realloc(make_block(10), 1000);
        q = realloc(q, 5);
        release(q);
        void *a = NULL;
        if (posix_memalign(&a, 4096, 100) != 0) abort();
        release(a);
        release(calloc(10, 10));
        release(p);
        printf("clean\n");
        return 0;
    } else {
        fprintf(stderr, "usage: errors SCENARIO\n");
        return 2;
    }
    /* Not caught: the program ends cleanly, no block left (so no leak report either). */
    if (p != NULL && strcmp(what, "guard-overflow") == 0) release(p);
    printf("not caught\n");
    return 0;
}
