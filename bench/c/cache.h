/* The loop cache-thrash and cache-scratch share (Hoard's false-sharing tests, with mimalloc-bench's
 * parameters: 1000 iterations, 1-byte objects; 2,000,000 repetitions there, 200,000 x scale here,
 * as the C# ports): allocate an object, write and read each byte repetitions times, free it. An
 * allocator that puts two threads' objects in one cache line makes them fight over it. */
#include "bench.h"

enum { ITERATIONS = 1000, OBJECT = 1 };

static void hammer(int repetitions)
{
    for (int i = 0; i < ITERATIONS; i++) {
        volatile char *obj = xmalloc(OBJECT);
        for (int j = 0; j < repetitions; j++)
            for (int k = 0; k < OBJECT; k++) {
                obj[k] = (char)(obj[k] + 1);
                (void)obj[k];
            }
        free((void *)obj);
    }
}

static int repetitions_per_thread(void)
{
    int r = (int)(200000 * opt_scale) / opt_threads;
    return r < 1 ? 1 : r;
}
