/* xmalloc-test: Lever and Boreham's producer/consumer test, with mimalloc-bench's parameters
 * (xmalloc-test -w N -t 5 -s 64) except the duration (1 s x scale here, 5 s there). N threads
 * allocate batches of 4096 blocks of 64 bytes (writing them) and push each batch on a shared
 * stack (at most 100 batches, under a lock); N other threads pop batches and free every block:
 * every free is a remote free. Figure: frees per second. */
#include <stdatomic.h>
#include "bench.h"

enum { OBJECT = 64, PER_BATCH = 4096, QUEUE_LIMIT = 100 };

struct batch { struct batch *next; void *blocks[PER_BATCH]; };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct batch *stack;
static int queued, done;
static struct { _Alignas(64) long freed; } counters[64];

static void free_batch(struct batch *b)
{
    for (int i = 0; i < PER_BATCH; i++) {
        unsigned char *p = b->blocks[i];
        if (p[OBJECT - 1] != (unsigned char)i) die_corrupt("xmalloc-test", p);
        free(p);
    }
    free(b);
}

static void *writer(void *arg)
{
    (void)arg;
    for (;;) {
        struct batch *b = xmalloc(sizeof *b);
        for (int i = 0; i < PER_BATCH; i++) {
            unsigned char *p = xmalloc(OBJECT);
            memset(p, (unsigned char)i, OBJECT);
            b->blocks[i] = p;
        }
        pthread_mutex_lock(&lock);
        while (queued >= QUEUE_LIMIT && !done) pthread_cond_wait(&changed, &lock);
        if (done) { pthread_mutex_unlock(&lock); free_batch(b); return NULL; }
        b->next = stack;
        stack = b;
        queued++;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
}

static void *releaser(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!stack && !done) pthread_cond_wait(&changed, &lock);
        if (done) { pthread_mutex_unlock(&lock); return NULL; }
        struct batch *b = stack;
        stack = b->next;
        queued--;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
        free_batch(b);
        counters[id].freed += PER_BATCH;
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    int n = opt_threads > 32 ? 32 : opt_threads;
    pthread_t w[32], r[32];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        pthread_create(&r[i], NULL, releaser, (void *)(intptr_t)i);
        pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i);
    }
    double seconds = 1.0 * opt_scale;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < n; i++) { pthread_join(w[i], NULL); pthread_join(r[i], NULL); }
    double elapsed = now() - t0;
    long freed = 0;
    for (int i = 0; i < n; i++) freed += counters[i].freed;
    while (stack) { struct batch *b = stack; stack = b->next; free_batch(b); }
    report("xmalloc-test", elapsed, freed / elapsed, "frees/s", "");
    return 0;
}
