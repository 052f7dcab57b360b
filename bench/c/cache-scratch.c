/* cache-scratch (passive false sharing): the main thread allocates one small object per thread,
 * side by side, and hands them out; each thread frees the one it was given, then hammers objects
 * of its own. An allocator that gives a thread back the block just freed there (which shares a
 * line with another thread's) makes them fight. Figure: byte writes per second over all threads. */
#include "cache.h"

static int reps;
static void *given[1024];

static void *worker(void *arg)
{
    free(given[(intptr_t)arg]);
    hammer(reps);
    return NULL;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (opt_threads > 1024) opt_threads = 1024;
    reps = repetitions_per_thread();
    for (int i = 0; i < opt_threads; i++) given[i] = xmalloc(OBJECT);
    double t0 = now();
    run_threads(opt_threads, worker);
    double elapsed = now() - t0;
    char name[32];
    snprintf(name, sizeof name, "cache-scratch%s", opt_threads == 1 ? "1" : "N");
    report(name, elapsed, (double)ITERATIONS * reps * OBJECT * opt_threads / elapsed, "writes/s", "");
    return 0;
}
