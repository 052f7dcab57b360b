/* glibc-simple: glibc's benchtests/bench-malloc-simple, as mimalloc-bench runs it, with the C#
 * port's counts. For sizes 16, 32, 64 B and batch lengths 25, 100, 400, 1600: allocate a batch
 * (writing every 4-byte word of each block), free it, as many times as makes 500,000 x scale
 * allocations per batch length; after a warm-up pass, once on the main thread, once on a new
 * thread, once more on the main thread (glibc: main arena, a thread arena, the main arena in a
 * multi-threaded process). Figure: allocations per second. */
#include "bench.h"

static const int lengths[] = {25, 100, 400, 1600};
static int size, per_length;
static void **batch;
static long thread_allocs;

static long all_lengths(void)
{
    long allocs = 0;
    for (int l = 0; l < 4; l++) {
        int n = lengths[l], rounds = per_length / n;
        for (int j = 0; j < rounds; j++) {
            for (int i = 0; i < n; i++) {
                int *p = xmalloc((size_t)size);
                for (int g = 0; g < size / 4; g++) p[g] = g;
                batch[i] = p;
            }
            for (int i = 0; i < n; i++) free(batch[i]);
        }
        allocs += (long)rounds * n;
    }
    return allocs;
}

static void *on_thread(void *arg) { (void)arg; thread_allocs = all_lengths(); return NULL; }

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    opt_threads = 1;
    per_length = (int)(500000 * opt_scale);
    if (per_length < 1600) per_length = 1600;
    static const int sizes[] = {16, 32, 64};
    long allocs = 0;
    double t0 = now();
    for (int s = 0; s < 3; s++) {
        size = sizes[s];
        batch = xmalloc(sizeof(void *) * 1600);
        allocs += all_lengths(); /* warm-up, as glibc's benchmark does */
        allocs += all_lengths();
        pthread_t t;
        pthread_create(&t, NULL, on_thread, NULL);
        pthread_join(t, NULL);
        allocs += thread_allocs;
        allocs += all_lengths();
        free(batch);
    }
    double elapsed = now() - t0;
    report("glibc-simple", elapsed, allocs / elapsed, "allocations/s", "");
    return 0;
}
