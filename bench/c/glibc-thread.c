/* glibc-thread: glibc's benchtests/bench-malloc-thread, as mimalloc-bench runs it (glibc-thread
 * N), 1 s x scale (2 s there). Each of N threads keeps 1024 slots; again and again it takes the
 * next slot from a fixed random sequence, frees the block there and allocates one of the next size
 * from a fixed random sequence (4 B to 32 KiB, inverse-square: mostly small), writing every byte.
 * Threads share nothing. Figure: iterations (a free and an allocation) per second. */
#include <stdatomic.h>
#include "bench.h"

enum { WORKING_SET = 1024, MIN_SIZE = 4, MAX_SIZE = 32768, SIZE_COUNT = 8000, OFFSET_COUNT = WORKING_SET * 4 };

static int sizes[SIZE_COUNT], offsets[OFFSET_COUNT];
static atomic_int timeout;
static struct { _Alignas(64) long iterations; } counts[256];

static void *loop(void *arg)
{
    int id = (int)(intptr_t)arg;
    unsigned char *ptrs[WORKING_SET] = {0};
    int os = 0, ss = 0;
    long iters = 0;
    while (!atomic_load_explicit(&timeout, memory_order_relaxed)) {
        os = os >= OFFSET_COUNT - 1 ? 0 : os + 1;
        ss = ss >= SIZE_COUNT - 1 ? 0 : ss + 1;
        int idx = offsets[os], size = sizes[ss];
        free(ptrs[idx]);
        unsigned char *p = xmalloc((size_t)size);
        for (int i = 0; i < size; i++) p[i] = (unsigned char)i;
        ptrs[idx] = p;
        iters++;
    }
    for (int i = 0; i < WORKING_SET; i++) free(ptrs[i]);
    counts[id].iterations = iters;
    return NULL;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (opt_threads > 256) opt_threads = 256;
    rng_t r = {88};
    for (int i = 0; i < SIZE_COUNT; i++)
        sizes[i] = (int)(1.0 / (1.0 / MIN_SIZE - rng_double(&r) * (1.0 / MIN_SIZE - 1.0 / MAX_SIZE)));
    for (int i = 0; i < OFFSET_COUNT; i++) offsets[i] = (int)rng_below(&r, WORKING_SET);
    pthread_t t[256];
    double t0 = now();
    for (int i = 0; i < opt_threads; i++) pthread_create(&t[i], NULL, loop, (void *)(intptr_t)i);
    double seconds = 1.0 * opt_scale;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&timeout, 1);
    for (int i = 0; i < opt_threads; i++) pthread_join(t[i], NULL);
    double elapsed = now() - t0;
    long total = 0;
    for (int i = 0; i < opt_threads; i++) total += counts[i].iterations;
    report("glibc-thread", elapsed, total / elapsed, "iterations/s", "");
    return 0;
}
