/* pairs: malloc+free pairs in batches of 100 (allocate 100 blocks, write a word into each, free
 * them in allocation order), at 16, 64, 256 and 1024 bytes; ns per pair, the best of 5 runs of
 * 2M pairs a size (x scale). The figure is the geometric mean over the four sizes. One thread:
 * the allocator's fast path and nothing else. */
#include <math.h>
#include "bench.h"

enum { BATCH = 100 };

static double run(size_t size, long batches)
{
    void *slots[BATCH];
    double t0 = now();
    for (long b = 0; b < batches; b++) {
        for (int i = 0; i < BATCH; i++) {
            void *p = malloc(size);
            *(volatile intptr_t *)p = i;
            slots[i] = p;
        }
        for (int i = 0; i < BATCH; i++) free(slots[i]);
    }
    return (now() - t0) * 1e9 / ((double)batches * BATCH);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    opt_threads = 1;
    static const size_t sizes[] = {16, 64, 256, 1024};
    long batches = (long)(20000 * opt_scale);
    if (batches < 1) batches = 1;
    char extra[256] = "";
    double logsum = 0, total = 0, t0 = now();
    for (int s = 0; s < 4; s++) {
        run(sizes[s], batches / 10 + 1); /* warm: the size class's pages exist before timing */
        double best = 1e30;
        for (int rep = 0; rep < 5; rep++) {
            double ns = run(sizes[s], batches);
            if (ns < best) best = ns;
        }
        logsum += log(best);
        total += best;
        size_t len = strlen(extra);
        snprintf(extra + len, sizeof extra - len, "%sns_%zu=%.3f", len ? " " : "", sizes[s], best);
    }
    report("pairs", now() - t0, exp(logsum / 4), "ns/pair", extra);
    return 0;
}
