/* The library c/dl.c loads and unloads again and again: it allocates in its constructor and
 * frees in its destructor, hands blocks to the program and frees the program's, all through
 * whatever malloc the process has (the preloaded one). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *from_constructor;

__attribute__((constructor)) static void dlib_init(void)
{
    from_constructor = malloc(1000);
    if (from_constructor) memset(from_constructor, 'c', 1000);
}

__attribute__((destructor)) static void dlib_fini(void) { free(from_constructor); }

const char *dlib_constructor_block(void) { return from_constructor; }

char *dlib_make(size_t n)
{
    char *p = malloc(n);
    if (p) memset(p, 'd', n);
    return p;
}

void dlib_take(void *p) { free(p); }

void *dlib_grow(void *p, size_t n) { return realloc(p, n); }

static void *thread_body(void *arg) { return dlib_make((size_t)(uintptr_t)arg); }

/* A thread started from inside the library, whose block the caller frees after it ended. */
char *dlib_from_thread(size_t n)
{
    pthread_t t;
    void *r = NULL;
    if (pthread_create(&t, NULL, thread_body, (void *)(uintptr_t)n) != 0) return NULL;
    pthread_join(t, &r);
    return r;
}
