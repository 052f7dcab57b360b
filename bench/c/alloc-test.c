/* alloc-test: OLogN's allocator tester as mimalloc-bench runs it (alloc-test 1, alloc-test N),
 * 10M x scale operations a thread (100M there). Each thread keeps 2^18 / N slots, half filled at
 * the start; then again and again it picks a slot with an 80/20 skew (six levels) and frees the
 * block there (reading all of it first) or, if empty, allocates one (writing all of it). Sizes: a
 * class (5-8, 9-16, ... 513-1024 B) half as likely as the one below it, uniform inside it. Every
 * thread frees only its own blocks. Figure: operations (allocations and frees) per second. */
#include "bench.h"

enum { TOTAL_SLOTS = 1 << 18, MAX_SIZE_EXP = 10 };
static long operations;
static volatile long sink;

static uint32_t pick_size(rng_t *r)
{
    uint64_t bits = rng_next(r);
    int cls = __builtin_ctzll(bits | (1ull << (MAX_SIZE_EXP - 3)));
    if (cls > MAX_SIZE_EXP - 3) cls = MAX_SIZE_EXP - 3;
    uint32_t low = 4u << cls;
    return low + 1 + (uint32_t)((bits >> 16) % low);
}

static uint32_t skewed(rng_t *r, uint32_t slots)
{
    uint32_t range = slots;
    for (int level = 0; level < 6 && range >= 5; level++) {
        if (rng_below(r, 10) >= 8) break;
        range /= 5;
    }
    return rng_below(r, range);
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint32_t slots = TOTAL_SLOTS / opt_threads;
    rng_t r = {41 + (uint64_t)id};
    unsigned char **ptrs = calloc(slots, sizeof *ptrs);
    uint32_t *sizes = calloc(slots, sizeof *sizes);
    long sum = 0;
    for (uint32_t i = 0; i < slots; i++)
        if (rng_next(&r) & 1) {
            uint32_t s = pick_size(&r);
            ptrs[i] = xmalloc(s);
            memset(ptrs[i], (int)s, s);
            sizes[i] = s;
        }
    for (long n = 0; n < operations; n++) {
        uint32_t idx = skewed(&r, slots);
        if (ptrs[idx]) {
            for (uint32_t i = 0; i < sizes[idx]; i++) sum += ptrs[idx][i];
            free(ptrs[idx]);
            ptrs[idx] = NULL;
        } else {
            uint32_t s = pick_size(&r);
            ptrs[idx] = xmalloc(s);
            memset(ptrs[idx], (int)s, s);
            sizes[idx] = s;
        }
    }
    for (uint32_t i = 0; i < slots; i++) free(ptrs[i]);
    free(ptrs);
    free(sizes);
    sink += sum;
    return NULL;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    operations = (long)(10000000 * opt_scale);
    double t0 = now();
    run_threads(opt_threads, worker);
    double elapsed = now() - t0;
    report(opt_threads == 1 ? "alloc-test1" : "alloc-testN", elapsed, opt_threads * operations / elapsed, "operations/s", "");
    return 0;
}
