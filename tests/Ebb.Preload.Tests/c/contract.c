/* The malloc contract (C11, POSIX, glibc's extensions), checked against whatever allocator is
 * preloaded. Every failed check prints one line naming the call and what was wrong; the exit code
 * is the number of failures (capped), so 0 means every check held.
 *
 *   contract            the portable contract: what C17/POSIX promise, which every allocator meets
 *   contract --glibc    the choices glibc makes where the standards leave room, which a drop-in
 *                       replacement for glibc's malloc should make too: realloc(p, 0) frees p and
 *                       returns NULL; every block is 16-byte aligned, even 1..15-byte ones.
 *
 * Built with -fno-builtin: otherwise gcc folds malloc+memset into calloc, drops a malloc whose
 * result is unused, or assumes malloc(0)'s result is fresh, and the calls tested never happen. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The overflowing sizes are the point of some checks; gcc's warnings about them are not. */
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="
#pragma GCC diagnostic ignored "-Wuse-after-free"

static int failures;
static long checks;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        checks++;                                                                         \
        if (!(cond)) {                                                                    \
            failures++;                                                                   \
            fprintf(stdout, "FAIL %s:%d: ", __func__, __LINE__);                          \
            fprintf(stdout, __VA_ARGS__);                                                 \
            fputc('\n', stdout);                                                          \
            fflush(stdout);                                                               \
        }                                                                                 \
    } while (0)

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* The alignment C17 requires of a block of n bytes (DR 445's weak reading, which C17 adopted):
 * enough for any object that fits, i.e. the largest power of two <= n, at most max_align_t's 16.
 * glibc gives 16 to every block; mimalloc, jemalloc and tcmalloc give 8-byte blocks 8. */
static size_t required_alignment(size_t n)
{
    size_t a = 16;
    while (a > 1 && a > n) a >>= 1;
    return a;
}

static size_t page;

/* Fills [p, p+n) with a pattern that depends on the position and a seed; verify reads it back. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 131 + seed);
}

static size_t verify(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 131 + seed)) return i;
    return (size_t)-1;
}

/* Writes the first, last and every 4096th byte of a block (enough to fault in every page without
 * costing a full memset on 64 MiB blocks) and reads them back. */
static int touch(unsigned char *p, size_t n)
{
    if (n == 0) return 1;
    for (size_t i = 0; i < n; i += 4096) p[i] = (unsigned char)(i >> 12);
    p[n - 1] = 0xa5;
    for (size_t i = 0; i + 1 < n; i += 4096)
        if (p[i] != (unsigned char)(i >> 12)) return 0;
    return p[n - 1] == 0xa5;
}

static void test_malloc_sizes(void)
{
    /* Every size to 4 KiB, then each power of two and its neighbours to 64 MiB. */
    for (size_t n = 1; n <= 4096; n++) {
        unsigned char *p = malloc(n);
        CHECK(p != NULL, "malloc(%zu) returned NULL", n);
        if (!p) continue;
        CHECK(aligned(p, required_alignment(n)), "malloc(%zu) = %p, not %zu-byte aligned", n, (void *)p,
              required_alignment(n));
        CHECK(malloc_usable_size(p) >= n, "malloc_usable_size(malloc(%zu)) = %zu", n, malloc_usable_size(p));
        fill(p, n, (unsigned)n);
        CHECK(verify(p, n, (unsigned)n) == (size_t)-1, "malloc(%zu): the block did not keep what was written", n);
        free(p);
    }
    for (size_t pow = 8192; pow <= (64u << 20); pow <<= 1) {
        size_t sizes[] = {pow - 1, pow, pow + 1, pow + pow / 2};
        for (int k = 0; k < 4; k++) {
            size_t n = sizes[k];
            if (n > (64u << 20)) continue;
            unsigned char *p = malloc(n);
            CHECK(p != NULL, "malloc(%zu) returned NULL", n);
            if (!p) continue;
            CHECK(aligned(p, 16), "malloc(%zu) = %p, not 16-byte aligned", n, (void *)p);
            size_t usable = malloc_usable_size(p);
            CHECK(usable >= n, "malloc_usable_size(malloc(%zu)) = %zu", n, usable);
            CHECK(touch(p, usable), "malloc(%zu): the usable %zu bytes are not all writable", n, usable);
            free(p);
        }
    }
}

static void test_many_live(void)
{
    /* 20000 live blocks of mixed sizes: no two overlap (each keeps its own pattern). */
    enum { N = 20000 };
    static unsigned char *blocks[N];
    static size_t sizes[N];
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        sizes[i] = 1 + (size_t)(x % ((i % 10 == 0) ? 70000 : 512));
        blocks[i] = malloc(sizes[i]);
        CHECK(blocks[i] != NULL, "malloc(%zu) returned NULL with %d blocks live", sizes[i], i);
        if (blocks[i]) fill(blocks[i], sizes[i], (unsigned)i);
    }
    int bad = 0;
    for (int i = 0; i < N; i++)
        if (blocks[i] && verify(blocks[i], sizes[i], (unsigned)i) != (size_t)-1) bad++;
    CHECK(bad == 0, "%d of %d live blocks were overwritten (blocks overlap)", bad, N);
    for (int i = 0; i < N; i += 2) free(blocks[i]);
    for (int i = 1; i < N; i += 2)
        if (blocks[i] && verify(blocks[i], sizes[i], (unsigned)i) != (size_t)-1) bad++;
    CHECK(bad == 0, "%d blocks were overwritten after freeing their neighbours", bad);
    for (int i = 1; i < N; i += 2) free(blocks[i]);
}

static void test_malloc_zero(void)
{
    void *a = malloc(0), *b = malloc(0);
    CHECK(a != NULL, "malloc(0) returned NULL (glibc returns a unique minimum-size block)");
    CHECK(b != NULL, "the second malloc(0) returned NULL");
    CHECK(a == NULL || a != b, "two live malloc(0) blocks share the address %p", a);
    free(a);
    free(b);
    free(NULL); /* must do nothing */
    CHECK(1, "free(NULL)");
}

static void test_huge(void)
{
    errno = 0;
    void *p = malloc(SIZE_MAX - 4096);
    CHECK(p == NULL, "malloc(SIZE_MAX - 4096) returned %p", p);
    CHECK(p != NULL || errno == ENOMEM, "malloc(SIZE_MAX - 4096): errno %d (%s), not ENOMEM", errno, strerror(errno));
    free(p);
    errno = 0;
    p = malloc((size_t)PTRDIFF_MAX + 1);
    CHECK(p == NULL, "malloc(PTRDIFF_MAX + 1) returned %p", p);
    CHECK(p != NULL || errno == ENOMEM, "malloc(PTRDIFF_MAX + 1): errno %d (%s), not ENOMEM", errno, strerror(errno));
    free(p);
}

static void test_calloc(void)
{
    /* Dirty memory first, so that a calloc reusing it must really zero it. */
    for (size_t n = 16; n <= (4u << 20); n *= 4) {
        unsigned char *d = malloc(n);
        if (d) memset(d, 0xee, n);
        free(d);
        unsigned char *p = calloc(1, n);
        CHECK(p != NULL, "calloc(1, %zu) returned NULL", n);
        if (!p) continue;
        size_t nonzero = 0;
        for (size_t i = 0; i < n; i++) nonzero += p[i] != 0;
        CHECK(nonzero == 0, "calloc(1, %zu): %zu bytes not zero", n, nonzero);
        free(p);
    }
    /* Many small callocs after many dirty small frees (the free lists are full of dirty blocks). */
    void *dirty[1000];
    for (int i = 0; i < 1000; i++) { dirty[i] = malloc(48); if (dirty[i]) memset(dirty[i], 0xff, 48); }
    for (int i = 0; i < 1000; i++) free(dirty[i]);
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned char *p = calloc(6, 8);
        for (int j = 0; p && j < 48; j++) bad += p[j] != 0;
        dirty[i] = p;
    }
    CHECK(bad == 0, "calloc(6, 8) after dirty frees of 48-byte blocks: %d bytes not zero", bad);
    for (int i = 0; i < 1000; i++) free(dirty[i]);

    void *z = calloc(0, 0);
    CHECK(z != NULL, "calloc(0, 0) returned NULL (glibc returns a minimum-size block, as for malloc(0))");
    free(z);

    errno = 0;
    void *o = calloc(SIZE_MAX / 2, 3);
    CHECK(o == NULL, "calloc(SIZE_MAX / 2, 3) (the product overflows) returned %p", o);
    CHECK(o != NULL || errno == ENOMEM, "calloc(SIZE_MAX / 2, 3): errno %d (%s), not ENOMEM", errno, strerror(errno));
    free(o);
    errno = 0;
    o = calloc((size_t)1 << 33, (size_t)1 << 32);
    CHECK(o == NULL, "calloc(2^33, 2^32) (the product overflows) returned %p", o);
    CHECK(o != NULL || errno == ENOMEM, "calloc(2^33, 2^32): errno %d (%s), not ENOMEM", errno, strerror(errno));
    free(o);
}

static void test_realloc(void)
{
    unsigned char *p = realloc(NULL, 100);
    CHECK(p != NULL, "realloc(NULL, 100) returned NULL (it must act as malloc(100))");
    CHECK(p == NULL || aligned(p, 16), "realloc(NULL, 100) = %p, not 16-byte aligned", (void *)p);
    free(p);

    /* Grow 1 B to 64 MiB in steps of x1.5+1, then shrink back: the contents survive every move. */
    size_t n = 1;
    p = malloc(n);
    fill(p, n, 7);
    while (n < (64u << 20)) {
        size_t m = n + n / 2 + 1;
        if (m > (64u << 20)) m = 64u << 20;
        unsigned char *q = realloc(p, m);
        CHECK(q != NULL, "realloc(%zu -> %zu) returned NULL", n, m);
        if (!q) { free(p); return; }
        size_t at = verify(q, n, 7);
        CHECK(at == (size_t)-1, "realloc(%zu -> %zu): byte %zu changed", n, m, at);
        CHECK(aligned(q, required_alignment(m)), "realloc(%zu -> %zu) = %p, not %zu-byte aligned", n, m, (void *)q,
              required_alignment(m));
        CHECK(malloc_usable_size(q) >= m, "realloc(%zu -> %zu): usable size %zu", n, m, malloc_usable_size(q));
        if (at != (size_t)-1) { free(q); return; }
        fill(q, m, 7); /* the new tail gets the same pattern */
        p = q;
        n = m;
    }
    while (n > 1) {
        size_t m = n / 3 + 1;
        unsigned char *q = realloc(p, m);
        CHECK(q != NULL, "realloc(%zu -> %zu) (a shrink) returned NULL", n, m);
        if (!q) { free(p); return; }
        size_t at = verify(q, m, 7);
        CHECK(at == (size_t)-1, "realloc(%zu -> %zu) (a shrink): byte %zu changed", n, m, at);
        CHECK(malloc_usable_size(q) >= m, "realloc(%zu -> %zu): usable size %zu", n, m, malloc_usable_size(q));
        p = q;
        n = m;
    }
    free(p);

    /* A failed realloc leaves the block alone. */
    p = malloc(64);
    fill(p, 64, 3);
    errno = 0;
    unsigned char *q = realloc(p, SIZE_MAX - 4096);
    CHECK(q == NULL, "realloc(p, SIZE_MAX - 4096) returned %p", (void *)q);
    CHECK(q != NULL || errno == ENOMEM, "realloc(p, SIZE_MAX - 4096): errno %d (%s), not ENOMEM", errno, strerror(errno));
    CHECK(verify(p, 64, 3) == (size_t)-1, "a failed realloc changed the block it was given");
    free(q ? q : p);

    /* reallocarray: realloc with an overflow check of nmemb * size. */
    p = reallocarray(NULL, 10, 10);
    CHECK(p != NULL, "reallocarray(NULL, 10, 10) returned NULL");
    if (p) fill(p, 100, 5);
    errno = 0;
    q = reallocarray(p, SIZE_MAX / 2, 3);
    CHECK(q == NULL, "reallocarray(p, SIZE_MAX / 2, 3) (the product overflows) returned %p", (void *)q);
    CHECK(q != NULL || errno == ENOMEM, "reallocarray overflow: errno %d (%s), not ENOMEM", errno, strerror(errno));
    CHECK(p == NULL || verify(p, 100, 5) == (size_t)-1, "a failed reallocarray changed the block it was given");
    q = reallocarray(p, 1000, 10);
    CHECK(q != NULL, "reallocarray(p, 1000, 10) returned NULL");
    CHECK(q == NULL || verify(q, 100, 5) == (size_t)-1, "reallocarray(p, 1000, 10) lost the contents");
    free(q);
}

static void test_posix_memalign(void)
{
    void *p = (void *)1;
    /* Not a power of two, or a power of two below sizeof(void *): EINVAL, returned (errno is not the channel). */
    size_t bad[] = {0, 1, 2, 4, 3, 24, 48, 100, 4097, (size_t)3 << 20};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (void *)1;
        int r = posix_memalign(&p, bad[i], 64);
        CHECK(r == EINVAL, "posix_memalign(alignment %zu) returned %d, not EINVAL (%d)", bad[i], r, EINVAL);
        if (r == 0) free(p);
    }
    for (size_t a = sizeof(void *); a <= (32u << 20); a <<= 1) {
        size_t sizes[] = {1, a / 2 + 1, a, 3 * a + 5};
        for (int k = 0; k < 4; k++) {
            size_t n = sizes[k];
            if (n > (64u << 20)) continue;
            p = NULL;
            int r = posix_memalign(&p, a, n);
            CHECK(r == 0 && p != NULL, "posix_memalign(alignment %zu, size %zu) returned %d", a, n, r);
            if (r != 0) continue;
            CHECK(aligned(p, a), "posix_memalign(alignment %zu, size %zu) = %p, misaligned", a, n, p);
            CHECK(malloc_usable_size(p) >= n, "posix_memalign(%zu, %zu): usable size %zu", a, n, malloc_usable_size(p));
            CHECK(touch(p, n), "posix_memalign(%zu, %zu): not writable", a, n);
            free(p);
        }
    }
    p = (void *)1;
    int r = posix_memalign(&p, 64, SIZE_MAX - 4096);
    CHECK(r == ENOMEM, "posix_memalign(64, SIZE_MAX - 4096) returned %d, not ENOMEM (%d)", r, ENOMEM);
}

static void test_aligned(void)
{
    /* aligned_alloc (C11), memalign (glibc), alignments 1 B .. 32 MiB (up to 1 MiB is the common
     * range; beyond it the allocator must still honour the request, usually by over-mapping). */
    for (size_t a = 1; a <= (32u << 20); a <<= 1) {
        size_t n = a < 64 ? 64 : a; /* aligned_alloc's size a multiple of the alignment, as C11 first required */
        void *p = aligned_alloc(a, n);
        CHECK(p != NULL, "aligned_alloc(%zu, %zu) returned NULL", a, n);
        if (p) {
            CHECK(aligned(p, a), "aligned_alloc(%zu, %zu) = %p, misaligned", a, n, p);
            CHECK(malloc_usable_size(p) >= n, "aligned_alloc(%zu, %zu): usable size %zu", a, n, malloc_usable_size(p));
            CHECK(touch(p, n), "aligned_alloc(%zu, %zu): not writable", a, n);
            free(p);
        }
        p = memalign(a, 100);
        CHECK(p != NULL, "memalign(%zu, 100) returned NULL", a);
        if (p) {
            CHECK(aligned(p, a), "memalign(%zu, 100) = %p, misaligned", a, p);
            CHECK(malloc_usable_size(p) >= 100, "memalign(%zu, 100): usable size %zu", a, malloc_usable_size(p));
            CHECK(touch(p, 100), "memalign(%zu, 100): not writable", a);
            free(p);
        }
    }
    /* Aligned blocks live side by side with ordinary ones do not overlap. */
    void *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = (i & 1) ? memalign((size_t)64 << (i % 8), 200) : malloc(200);
        if (blocks[i]) fill(blocks[i], 200, (unsigned)i);
    }
    int bad = 0;
    for (int i = 0; i < 64; i++) bad += blocks[i] == NULL || verify(blocks[i], 200, (unsigned)i) != (size_t)-1;
    CHECK(bad == 0, "%d of 64 interleaved memalign/malloc blocks were NULL or overwritten", bad);
    for (int i = 0; i < 64; i++) free(blocks[i]);
}

static void test_valloc(void)
{
    size_t sizes[] = {0, 1, 100, page - 1, page, page + 1, 5 * page + 3, (size_t)1 << 20};
    for (int k = 0; k < 8; k++) {
        size_t n = sizes[k];
        void *p = valloc(n);
        CHECK(p != NULL, "valloc(%zu) returned NULL", n);
        if (p) {
            CHECK(aligned(p, page), "valloc(%zu) = %p, not page-aligned", n, p);
            CHECK(malloc_usable_size(p) >= n, "valloc(%zu): usable size %zu", n, malloc_usable_size(p));
            CHECK(touch(p, n), "valloc(%zu): not writable", n);
            free(p);
        }
        /* pvalloc rounds the size up to whole pages (glibc gives pvalloc(0) a minimum block, not a page). */
        size_t rounded = (n + page - 1) / page * page;
        p = pvalloc(n);
        CHECK(p != NULL, "pvalloc(%zu) returned NULL", n);
        if (p) {
            CHECK(aligned(p, page), "pvalloc(%zu) = %p, not page-aligned", n, p);
            CHECK(malloc_usable_size(p) >= rounded, "pvalloc(%zu): usable size %zu, less than the %zu it rounds to", n,
                  malloc_usable_size(p), rounded);
            CHECK(touch(p, rounded), "pvalloc(%zu): the rounded-up %zu bytes are not writable", n, rounded);
            free(p);
        }
    }
}

static void test_usable_size(void)
{
    CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) = %zu, not 0", malloc_usable_size(NULL));
    for (size_t n = 1; n < (1u << 22); n = n * 2 + 1) {
        unsigned char *p = malloc(n);
        if (!p) continue;
        size_t u = malloc_usable_size(p);
        CHECK(u >= n, "malloc_usable_size(malloc(%zu)) = %zu", n, u);
        /* The whole usable size is the program's: writing it must not hurt a neighbour. */
        unsigned char *next = malloc(n);
        if (next) fill(next, n, 9);
        memset(p, 0x5a, u);
        CHECK(next == NULL || verify(next, n, 9) == (size_t)-1,
              "writing all %zu usable bytes of malloc(%zu) changed another block", u, n);
        free(p);
        free(next);
    }
}

static void test_cfree(void)
{
    /* cfree is not in glibc's headers any more (a compatibility symbol only); a replacement that
     * exports it, as libebb.so does, must free with it. Found by name so the program links anywhere. */
    void (*cfree_fn)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "cfree");
    if (cfree_fn) {
        for (int i = 0; i < 1000; i++) cfree_fn(malloc(32 + i));
        printf("cfree: exported, 1000 blocks freed with it\n");
    } else {
        printf("cfree: not exported by the preloaded allocator (glibc keeps it as a compatibility symbol only)\n");
    }
}

/* --glibc: the choices glibc makes where C17 leaves them to the implementation. */
static void test_glibc_choices(void)
{
    for (size_t n = 1; n < 16; n++) {
        void *p[8];
        for (int i = 0; i < 8; i++) {
            p[i] = malloc(n);
            CHECK(p[i] == NULL || aligned(p[i], 16), "malloc(%zu) = %p: glibc aligns every block to 16 bytes", n, p[i]);
        }
        for (int i = 0; i < 8; i++) free(p[i]);
    }
    void *p = malloc(100);
    errno = 0;
    void *q = realloc(p, 0);
    CHECK(q == NULL, "realloc(p, 0) returned %p: glibc frees p and returns NULL", q);
    if (q) free(q);
}

static const struct section {
    const char *name;
    void (*run)(void);
} sections[] = {
    {"zero", test_malloc_zero},       {"sizes", test_malloc_sizes},
    {"live", test_many_live},         {"huge", test_huge},
    {"calloc", test_calloc},          {"realloc", test_realloc},
    {"posix_memalign", test_posix_memalign}, {"aligned", test_aligned},
    {"valloc", test_valloc},          {"usable", test_usable_size},
    {"cfree", test_cfree},            {"glibc", test_glibc_choices},
};

/* contract SECTION...: runs the named sections (all but "glibc" when none is named), each
 * announced first, so that a crash shows which one it was in. */
int main(int argc, char **argv)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int n = sizeof sections / sizeof sections[0];
    for (int i = 0; i < n; i++) {
        int wanted = argc == 1 ? strcmp(sections[i].name, "glibc") != 0 : 0;
        for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], sections[i].name) == 0;
        if (!wanted) continue;
        printf("== %s\n", sections[i].name);
        int before = failures;
        long checks_before = checks;
        sections[i].run();
        printf("%s: %ld checks, %d failed\n", sections[i].name, checks - checks_before, failures - before);
    }
    for (int a = 1; a < argc; a++) {
        int known = 0;
        for (int i = 0; i < n; i++) known |= strcmp(argv[a], sections[i].name) == 0;
        if (!known) { printf("unknown section '%s'\n", argv[a]); return 100; }
    }
    printf("total: %ld checks, %d failed\n", checks, failures);
    return failures > 99 ? 99 : failures;
}
