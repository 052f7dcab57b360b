/* cache-thrash (active false sharing): each thread allocates its own objects and hammers them.
 * Figure: byte writes per second over all threads. */
#include "cache.h"

static int reps;

static void *worker(void *arg) { (void)arg; hammer(reps); return NULL; }

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    reps = repetitions_per_thread();
    double t0 = now();
    run_threads(opt_threads, worker);
    double elapsed = now() - t0;
    char name[32];
    snprintf(name, sizeof name, "cache-thrash%s", opt_threads == 1 ? "1" : "N");
    report(name, elapsed, (double)ITERATIONS * reps * OBJECT * opt_threads / elapsed, "writes/s", "");
    return 0;
}
