/* rptest: rpmalloc's benchmark as mimalloc-bench runs it (rptest N 0 1 2 500 1000 100 8 16000):
 * sizes 8-16000 B with a linear drop-off, a cross-thread hand-over every 2 loops, 1000 live slots
 * a thread, about 100 operations a loop; 10000 x scale loops a pass, two passes (500 loops there
 * take a few ms here, as the C# port notes; the original's sleeps between phases are left out).
 * Each loop a thread frees what others handed it, frees 25-80 slots (a stride through its table),
 * allocates 31-99 blocks into slots (freeing what a slot held), writing a byte per 4 KiB page, and
 * every second loop allocates a further batch of as many blocks and hands it to the next thread.
 * Figure: operations (allocations and frees) per second. */
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include "bench.h"

enum { MIN_SIZE = 8, MAX_SIZE = 16000, CROSS_RATE = 2, SLOTS = 1000, OP_COUNT = 100, PASSES = 2,
       SIZE_COUNT = 2000, ALLOC_STRIDE = 7, FREE_STRIDE = 11 };

/* A batch handed over: [next, count, (block, size) x count]. */
struct inbox { _Alignas(64) _Atomic(uint64_t *) head; };

static int sizes[SIZE_COUNT];
static struct inbox inboxes[256];
static atomic_int finished;
static atomic_long operations;
static int loops;

static unsigned char *new_block(int size)
{
    unsigned char *p = xmalloc((size_t)size);
    for (int page = 4096; page < size; page += 4096) p[page] = 1;
    p[0] = (unsigned char)size;
    return p;
}

static void free_block(unsigned char *p, int size)
{
    if (p[0] != (unsigned char)size) die_corrupt("rptest", p);
    free(p);
}

static long drain(struct inbox *in)
{
    long ops = 0;
    uint64_t *b = atomic_exchange(&in->head, NULL);
    while (b) {
        uint64_t *next = (uint64_t *)b[0];
        int count = (int)b[1];
        for (int i = 0; i < count; i++) free_block((unsigned char *)b[2 + 2 * i], (int)b[3 + 2 * i]);
        free(b);
        ops += count + 1;
        b = next;
    }
    return ops;
}

static void push(struct inbox *in, uint64_t *b)
{
    uint64_t *head = atomic_load(&in->head);
    do b[0] = (uint64_t)head;
    while (!atomic_compare_exchange_weak(&in->head, &head, b));
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg, n = opt_threads;
    rng_t r = {(uint64_t)id * 7919 + 1};
    long ops = 0;
    uint64_t *slots = calloc(2 * SLOTS, sizeof(uint64_t));
    int alloc_idx = 0, free_idx = 0, size_idx = (id + 1) * 37 % SIZE_COUNT;
    struct inbox *mine = &inboxes[id], *next = &inboxes[(id + 1) % n];
    for (int pass = 0; pass < PASSES; pass++) {
        for (int loop = 0; loop < loops; loop++) {
            ops += drain(mine);
            int frees = (int)(0.8 * OP_COUNT * (31 + rng_below(&r, 69)) / 100);
            int allocs = OP_COUNT * (31 + (int)rng_below(&r, 69)) / 100;
            for (int i = 0; i < frees; i++) {
                if (slots[2 * free_idx]) {
                    free_block((unsigned char *)slots[2 * free_idx], (int)slots[2 * free_idx + 1]);
                    slots[2 * free_idx] = 0;
                    ops++;
                }
                free_idx = (free_idx + FREE_STRIDE) % SLOTS;
            }
            for (int i = 0; i < allocs; i++) {
                if (slots[2 * alloc_idx]) {
                    free_block((unsigned char *)slots[2 * alloc_idx], (int)slots[2 * alloc_idx + 1]);
                    ops++;
                }
                int size = sizes[size_idx];
                size_idx = (size_idx + 1) % SIZE_COUNT;
                slots[2 * alloc_idx] = (uint64_t)new_block(size);
                slots[2 * alloc_idx + 1] = (uint64_t)size;
                ops++;
                alloc_idx = (alloc_idx + ALLOC_STRIDE) % SLOTS;
            }
            if (n > 1 && loop % CROSS_RATE == 0) {
                uint64_t *b = xmalloc(sizeof(uint64_t) * (size_t)(2 + 2 * allocs));
                b[1] = (uint64_t)allocs;
                for (int i = 0; i < allocs; i++) {
                    int size = sizes[size_idx];
                    size_idx = (size_idx + 1) % SIZE_COUNT;
                    b[2 + 2 * i] = (uint64_t)new_block(size);
                    b[3 + 2 * i] = (uint64_t)size;
                }
                ops += allocs + 1;
                push(next, b);
            }
        }
        for (int i = 0; i < SLOTS; i++)
            if (slots[2 * i]) {
                free_block((unsigned char *)slots[2 * i], (int)slots[2 * i + 1]);
                slots[2 * i] = 0;
                ops++;
            }
    }
    free(slots);
    /* Stay until every thread is done handing over, freeing what arrives. */
    atomic_fetch_add(&finished, 1);
    while (atomic_load(&finished) < n) {
        ops += drain(mine);
        sched_yield();
    }
    ops += drain(mine);
    atomic_fetch_add(&operations, ops);
    return NULL;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (opt_threads > 256) opt_threads = 256;
    loops = (int)(10000 * opt_scale);
    if (loops < 1) loops = 1;
    rng_t r = {0x5eed};
    /* Linear drop-off: the density falls linearly from MIN_SIZE to zero at MAX_SIZE. */
    for (int i = 0; i < SIZE_COUNT; i++)
        sizes[i] = MIN_SIZE + (int)((MAX_SIZE - MIN_SIZE) * (1 - sqrt(rng_double(&r))));
    double t0 = now();
    run_threads(opt_threads, worker);
    double elapsed = now() - t0;
    for (int i = 0; i < opt_threads; i++) drain(&inboxes[i]);
    report("rptest", elapsed, atomic_load(&operations) / elapsed, "operations/s", "");
    return 0;
}
