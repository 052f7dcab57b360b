/* larson: Larson and Krishnan's server simulation, with mimalloc-bench's parameters (larson 5 8
 * 1000 5000 100 4141 N) except the duration (1 s x scale here, 5 s there). Each of N chains owns
 * a table of 5000 blocks that the main thread allocated; its thread frees a random block and
 * allocates one of a random size in [8, 1000) in its place, 100 x 5000 times, then starts a new
 * thread that takes the table over and ends. Blocks are freed by threads that did not allocate
 * them, often after their allocating thread has ended. Figure: allocations per second. */
#include <stdatomic.h>
#include "bench.h"

enum { BLOCKS = 5000, MIN_SIZE = 8, MAX_SIZE = 1000, ROUNDS = 100 };

struct chain {
    void *blocks[BLOCKS];
    uint32_t sizes[BLOCKS];
    rng_t rng;
    long allocations;
    int done;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static atomic_int stop;

static void *generation(void *arg)
{
    struct chain *c = arg;
    long n = 0;
    for (; n < (long)ROUNDS * BLOCKS && !atomic_load_explicit(&stop, memory_order_relaxed); n++) {
        uint32_t victim = rng_below(&c->rng, BLOCKS);
        char *old = c->blocks[victim];
        if (old[0] != (char)c->sizes[victim]) die_corrupt("larson", old);
        free(old);
        uint32_t size = MIN_SIZE + rng_below(&c->rng, MAX_SIZE - MIN_SIZE);
        char *p = xmalloc(size);
        p[0] = (char)size;
        c->blocks[victim] = p;
        c->sizes[victim] = size;
    }
    c->allocations += n;
    if (!atomic_load(&stop)) {
        /* Hand the table over to a new thread and end: the next generation frees our blocks. */
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, generation, c) != 0) { perror("pthread_create"); exit(2); }
        pthread_attr_destroy(&attr);
    } else {
        pthread_mutex_lock(&c->lock);
        c->done = 1;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    int n = opt_threads;
    struct chain *chains = xmalloc(sizeof(struct chain) * (size_t)n);
    for (int c = 0; c < n; c++) {
        struct chain *ch = &chains[c];
        ch->rng.s = 4141 + (uint64_t)c;
        ch->allocations = 0;
        ch->done = 0;
        pthread_mutex_init(&ch->lock, NULL);
        pthread_cond_init(&ch->cond, NULL);
        for (int i = 0; i < BLOCKS; i++) {
            uint32_t size = MIN_SIZE + rng_below(&ch->rng, MAX_SIZE - MIN_SIZE);
            char *p = xmalloc(size);
            p[0] = (char)size;
            ch->blocks[i] = p;
            ch->sizes[i] = size;
        }
    }
    double t0 = now();
    for (int c = 0; c < n; c++) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_create(&t, &attr, generation, &chains[c]);
        pthread_attr_destroy(&attr);
    }
    double seconds = 1.0 * opt_scale;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&stop, 1);
    long total = 0;
    for (int c = 0; c < n; c++) {
        pthread_mutex_lock(&chains[c].lock);
        while (!chains[c].done) pthread_cond_wait(&chains[c].cond, &chains[c].lock);
        pthread_mutex_unlock(&chains[c].lock);
        total += chains[c].allocations;
    }
    double elapsed = now() - t0;
    for (int c = 0; c < n; c++)
        for (int i = 0; i < BLOCKS; i++) free(chains[c].blocks[i]);
    report("larson", elapsed, total / elapsed, "allocations/s", "");
    free(chains);
    return 0;
}
