/* mstress: mimalloc's test-stress as mimalloc-bench runs it (mstress N 50 25: threads, load %,
 * iterations), load 50 x scale. Each iteration starts N threads; thread t makes 100 x load x
 * (t mod 8 + 1) allocations of 1-16 words (powers of two) and half as many longer-lived ones of
 * 1-64 words, 2% of them 100x bigger, 0.2% 1000x and 0.02% 10000x (a few MiB); it frees two thirds
 * of the short-lived ones as it goes and swaps a quarter with a slot of a shared 1000-slot transfer
 * table, so blocks move between threads; then it frees what it holds and ends. Between iterations
 * the main thread frees half of the transfer table; after the last, all of it. Every word of a
 * block holds a pattern of its address and size, checked at its free. Figure: allocations per second. */
#include <stdatomic.h>
#include "bench.h"

enum { TRANSFERS = 1000, MAX_ITEM_SHIFT = 5, MAX_RETAINED_SHIFT = MAX_ITEM_SHIFT + 2 };
static const uint64_t cookie = 0xbf58476d1ce4e5b9ull;
static const size_t max_items = ((size_t)1 << (MAX_RETAINED_SHIFT - 1)) * 10000;

static _Atomic(uint64_t *) transfer[TRANSFERS];
static atomic_long allocations;
static int load;

static uint64_t key_of(const void *p) { return ((uintptr_t)p * 0x9E3779B97F4A7C15ull) ^ cookie; }

static uint64_t *alloc_items(size_t items, rng_t *r)
{
    if (rng_chance(r, 1)) {
        if (rng_chance(r, 1)) items *= 10000;
        else if (rng_chance(r, 10)) items *= 1000;
        else items *= 100;
    }
    if (items == 40) items++; /* as the original: an odd size in the mix */
    uint64_t *p = xmalloc(items * 8);
    uint64_t k = key_of(p);
    for (size_t i = 0; i < items; i++) p[i] = (items - i) ^ k;
    return p;
}

static void free_items(uint64_t *p)
{
    if (!p) return;
    uint64_t k = key_of(p), items = p[0] ^ k;
    if (items == 0 || items > max_items) die_corrupt("mstress", p);
    for (uint64_t i = 0; i < items; i++)
        if ((p[i] ^ k) != items - i) die_corrupt("mstress", p);
    free(p);
}

static void *stress(void *arg)
{
    int tid = (int)(intptr_t)arg;
    rng_t r = {(uint64_t)tid * 43};
    size_t allocs = (size_t)(100 * load * (tid % 8 + 1)), retain = allocs / 2;
    long made = (long)(allocs + retain);
    uint64_t **data = NULL;
    size_t data_size = 0, data_top = 0, retain_top = 0;
    uint64_t **retained = xmalloc(sizeof(uint64_t *) * (retain + 1));
    while (allocs > 0 || retain > 0) {
        if (retain == 0 || (rng_chance(&r, 50) && allocs > 0)) {
            allocs--;
            if (data_top >= data_size) {
                data_size += 100000;
                data = realloc(data, sizeof(uint64_t *) * data_size);
                if (!data) { fprintf(stderr, "realloc failed\n"); exit(2); }
            }
            data[data_top++] = alloc_items((size_t)1 << rng_below(&r, MAX_ITEM_SHIFT), &r);
        } else {
            retained[retain_top++] = alloc_items((size_t)1 << rng_below(&r, MAX_RETAINED_SHIFT), &r);
            retain--;
        }
        if (rng_chance(&r, 66) && data_top > 0) {
            size_t idx = rng_below(&r, (uint32_t)data_top);
            free_items(data[idx]);
            data[idx] = NULL;
        }
        if (rng_chance(&r, 25) && data_top > 0) {
            size_t idx = rng_below(&r, (uint32_t)data_top);
            uint32_t slot = rng_below(&r, TRANSFERS);
            data[idx] = atomic_exchange(&transfer[slot], data[idx]);
        }
    }
    for (size_t i = 0; i < retain_top; i++) free_items(retained[i]);
    for (size_t i = 0; i < data_top; i++) free_items(data[i]);
    free(retained);
    free(data);
    atomic_fetch_add(&allocations, made);
    return NULL;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    int iterations = 25;
    load = (int)(50 * opt_scale + 0.5);
    if (load < 1) load = 1;
    rng_t r = {0x7feb352d};
    double t0 = now();
    for (int n = 0; n < iterations; n++) {
        run_threads(opt_threads, stress);
        for (int i = 0; i < TRANSFERS; i++)
            if (rng_chance(&r, 50) || n + 1 == iterations) free_items(atomic_exchange(&transfer[i], NULL));
    }
    double elapsed = now() - t0;
    report("mstress", elapsed, atomic_load(&allocations) / elapsed, "allocations/s", "");
    return 0;
}
