/* foreign: memory libebb.so does not own, handed to its entry points. glibc's own allocator
 * (__libc_malloc, which the dynamic loader's early blocks come from) and a stack address:
 * malloc_usable_size answers 0 for both, and free of glibc's block is left alone (docs/libebb.md,
 * "Bad frees"). An Ebb block beside them answers its size. Exit 0 when all held, 1 otherwise. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);

int main(void)
{
    int failed = 0;
    void *g = __libc_malloc(48);
    if (g == NULL) { printf("__libc_malloc failed\n"); return 1; }
    memset(g, 7, 48);
    size_t ug = malloc_usable_size(g);
    if (ug != 0) { printf("malloc_usable_size(glibc's block) = %zu, not 0\n", ug); failed = 1; }
    char local[32];
    size_t us = malloc_usable_size(local);
    if (us != 0) { printf("malloc_usable_size(a stack address) = %zu, not 0\n", us); failed = 1; }
    void *e = malloc(48);
    size_t ue = malloc_usable_size(e);
    if (ue < 48) { printf("malloc_usable_size(malloc(48)) = %zu\n", ue); failed = 1; }
    free(g); /* not Ebb's: left alone, so glibc's block must still be glibc's */
    __libc_free(g);
    free(e);
    printf("checked: glibc's block %zu, stack %zu, Ebb's block %zu\n", ug, us, ue);
    return failed;
}
