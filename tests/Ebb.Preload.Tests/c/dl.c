/* dl LIBRARY: dlopen and dlclose LIBRARY (c/dlib.c) 200 times; each time its constructor's block
 * must be there, blocks pass both ways between the program and the library (made on one side,
 * grown or freed on the other, one made on a thread the library started), and a failed dlopen's
 * message (which glibc allocates) is read. Each failure prints one line; exit code = failures. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL line %d: ", __LINE__); printf(__VA_ARGS__); putchar('\n'); } } while (0)

static int all(const char *p, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != c) return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: dl LIBRARY\n"); return 100; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int round = 0; round < 200 && failures < 20; round++) {
        void *h = dlopen(argv[1], RTLD_NOW | (round % 2 ? RTLD_GLOBAL : RTLD_LOCAL));
        CHECK(h != NULL, "dlopen(%s): %s", argv[1], dlerror());
        if (!h) break;
        const char *(*ctor_block)(void) = (const char *(*)(void))dlsym(h, "dlib_constructor_block");
        char *(*make)(size_t) = (char *(*)(size_t))dlsym(h, "dlib_make");
        void (*take)(void *) = (void (*)(void *))dlsym(h, "dlib_take");
        void *(*grow)(void *, size_t) = (void *(*)(void *, size_t))dlsym(h, "dlib_grow");
        char *(*from_thread)(size_t) = (char *(*)(size_t))dlsym(h, "dlib_from_thread");
        CHECK(ctor_block && make && take && grow && from_thread, "dlsym: a function is missing");
        if (!(ctor_block && make && take && grow && from_thread)) break;

        const char *c = ctor_block();
        CHECK(c != NULL && all(c, 'c', 1000), "round %d: the constructor's block is missing or changed", round);
        size_t n = 16 + (size_t)round * 97;
        char *from_lib = make(n);
        CHECK(from_lib && all(from_lib, 'd', n), "round %d: dlib_make(%zu)", round, n);
        from_lib = grow(from_lib, n * 3); /* the library grows its own block */
        CHECK(from_lib && all(from_lib, 'd', n), "round %d: dlib_grow lost the contents", round);
        free(from_lib);                   /* and the program frees it */
        char *mine = malloc(n);
        memset(mine, 'm', n);
        mine = grow(mine, n * 5);         /* the library grows the program's block */
        CHECK(mine && all(mine, 'm', n), "round %d: dlib_grow of the program's block lost its contents", round);
        take(mine);                       /* and frees it */
        char *t = from_thread(n);
        CHECK(t && all(t, 'd', n), "round %d: the block made on the library's thread", round);
        free(t);
        CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());

        void *missing = dlopen("/nonexistent/libnothing.so", RTLD_NOW);
        const char *err = dlerror();
        CHECK(missing == NULL && err != NULL && strstr(err, "libnothing") != NULL, "a failed dlopen's message: %s",
              err ? err : "(none)");
    }
    printf("dl: 200 rounds of dlopen/dlclose, %d failed\n", failures);
    return failures > 99 ? 99 : failures;
}
