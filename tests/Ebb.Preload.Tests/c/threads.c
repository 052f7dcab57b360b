/* Threads against the preloaded allocator: what a per-thread allocator gets wrong first.
 *
 *   threads rings      4 threads in a ring, each allocating blocks and passing them through a
 *                      single-producer ring to the next, which checks and frees them (every free
 *                      is remote); checksums of what was sent and what was received must agree.
 *   threads churn      5000 short-lived threads, 4 at a time, each allocating and freeing, and
 *                      leaving half of its blocks to the main thread, which frees them after the
 *                      thread has ended (frees into a dead thread's heap).
 *   threads teardown   frees and allocations inside thread teardown: C++-style thread_local
 *                      destructors (__cxa_thread_atexit_impl, what g++ emits) and pthread key
 *                      destructors, including one that allocates again and re-arms its key.
 *   threads fork       fork() while 2 threads hammer malloc/free, then malloc, free and a new
 *                      thread in the child (a lock held at fork time would deadlock it: the
 *                      child has an alarm, and the parent reports a hang).
 *   threads signals    2 threads passing blocks to each other while SIGUSR1 rains on them (no
 *                      SA_RESTART): the allocator's interrupted system calls must retry.
 *   threads firstcall  new threads whose first call into the allocator is each entry point in
 *                      turn (free of another thread's block, calloc, realloc, the aligned ones,
 *                      malloc_usable_size, malloc_trim, a malloc above 1 KiB or of 0 bytes): a
 *                      thread has no heap yet then, and every one of them must still do its job.
 *
 * No section name runs them all. Each failure prints one line; the exit code is the failure count. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_int failures;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            atomic_fetch_add(&failures, 1);                                               \
            flockfile(stdout);                                                            \
            fprintf(stdout, "FAIL %s:%d: ", __func__, __LINE__);                          \
            fprintf(stdout, __VA_ARGS__);                                                 \
            fputc('\n', stdout);                                                          \
            funlockfile(stdout);                                                          \
            fflush(stdout);                                                               \
        }                                                                                 \
    } while (0)

static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A block carries its size in its first word and a pattern derived from its address and size in
 * the rest (up to 256 bytes), so a block overwritten by a neighbour or handed out twice is seen. */
static uint64_t *make_block(size_t size)
{
    uint64_t *p = malloc(size);
    if (!p) return NULL;
    p[0] = size;
    size_t words = size / 8 < 32 ? size / 8 : 32;
    for (size_t i = 1; i < words; i++) p[i] = ((uintptr_t)p ^ size) * (i + 1);
    return p;
}

/* Returns the block's checksum (its size), or 0 when its contents are wrong; frees it. */
static uint64_t check_and_free(uint64_t *p)
{
    size_t size = p[0];
    uint64_t ok = size >= 8 && size <= (1 << 20);
    size_t words = size / 8 < 32 ? size / 8 : 32;
    for (size_t i = 1; ok && i < words; i++) ok = p[i] == ((uintptr_t)p ^ size) * (i + 1);
    free(p);
    return ok ? size : 0;
}

/* ---- rings ---- */

enum { RING_THREADS = 4, RING_SLOTS = 1024, RING_BLOCKS = 100000 };

struct ring {
    _Alignas(64) _Atomic(uint64_t *) slot[RING_SLOTS];
    _Alignas(64) atomic_size_t head; /* written by the producer */
    _Alignas(64) atomic_size_t tail; /* written by the consumer */
};

static struct ring rings[RING_THREADS];
static uint64_t sent[RING_THREADS], received[RING_THREADS];
static int bad_blocks[RING_THREADS];

static void *ring_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    struct ring *out = &rings[id], *in = &rings[(id + RING_THREADS - 1) % RING_THREADS];
    uint64_t seed = 1234 + id;
    size_t made = 0, got = 0;
    while (made < RING_BLOCKS || got < RING_BLOCKS) {
        size_t progress = made + got;
        /* Produce while the ring has room; consume whatever has arrived; never wait on one side only,
         * so the ring of 4 cannot deadlock. */
        if (made < RING_BLOCKS) {
            size_t h = atomic_load_explicit(&out->head, memory_order_relaxed);
            if (h - atomic_load_explicit(&out->tail, memory_order_acquire) < RING_SLOTS) {
                uint64_t r = next_random(&seed);
                size_t size = 8 + (r % 100 < 90 ? r % 256 : r % 16384);
                uint64_t *p = make_block(size & ~(size_t)7);
                if (!p) { CHECK(0, "malloc(%zu) returned NULL", size); return NULL; }
                sent[id] += p[0];
                atomic_store_explicit(&out->slot[h % RING_SLOTS], p, memory_order_relaxed);
                atomic_store_explicit(&out->head, h + 1, memory_order_release);
                made++;
            }
        }
        size_t t = atomic_load_explicit(&in->tail, memory_order_relaxed);
        size_t h = atomic_load_explicit(&in->head, memory_order_acquire);
        for (; t != h && got < RING_BLOCKS; t++, got++) {
            uint64_t *p = atomic_load_explicit(&in->slot[t % RING_SLOTS], memory_order_relaxed);
            uint64_t sum = check_and_free(p);
            if (!sum) bad_blocks[id]++;
            received[id] += sum;
        }
        atomic_store_explicit(&in->tail, t, memory_order_release);
        /* 4 threads on fewer cores: a thread that can do nothing gives its core to one that can. */
        if (made + got == progress) sched_yield();
    }
    return NULL;
}

static void test_rings(void)
{
    pthread_t t[RING_THREADS];
    for (int i = 0; i < RING_THREADS; i++) pthread_create(&t[i], NULL, ring_worker, (void *)(intptr_t)i);
    for (int i = 0; i < RING_THREADS; i++) pthread_join(t[i], NULL);
    uint64_t s = 0, r = 0;
    for (int i = 0; i < RING_THREADS; i++) {
        CHECK(bad_blocks[i] == 0, "thread %d received %d blocks whose contents were wrong", i, bad_blocks[i]);
        /* What thread i received is what thread i-1 sent. */
        int from = (i + RING_THREADS - 1) % RING_THREADS;
        CHECK(received[i] == sent[from], "thread %d received checksum %llu, thread %d sent %llu", i,
              (unsigned long long)received[i], from, (unsigned long long)sent[from]);
        s += sent[i];
        r += received[i];
    }
    printf("rings: %d threads x %d blocks, checksum sent %llu received %llu\n", RING_THREADS, RING_BLOCKS,
           (unsigned long long)s, (unsigned long long)r);
}

/* ---- churn ---- */

enum { CHURN_THREADS = 5000, CHURN_AT_ONCE = 4, CHURN_BLOCKS = 64 };

static uint64_t *left_behind[CHURN_THREADS][CHURN_BLOCKS / 2];
static uint64_t churn_sent[CHURN_THREADS];

static void *churn_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint64_t seed = (uint64_t)id * 7919;
    uint64_t *mine[CHURN_BLOCKS];
    for (int i = 0; i < CHURN_BLOCKS; i++) {
        size_t size = 8 + (next_random(&seed) % (i % 8 == 0 ? 65536 : 512)) / 8 * 8;
        mine[i] = make_block(size);
        if (!mine[i]) { CHECK(0, "thread %d: malloc(%zu) returned NULL", id, size); return NULL; }
    }
    int bad = 0;
    for (int i = 0; i < CHURN_BLOCKS; i += 2) bad += check_and_free(mine[i]) == 0;
    CHECK(bad == 0, "thread %d: %d of its own blocks were overwritten", id, bad);
    for (int i = 1; i < CHURN_BLOCKS; i += 2) {
        left_behind[id][i / 2] = mine[i];
        churn_sent[id] += mine[i][0];
    }
    return NULL;
}

static void test_churn(void)
{
    uint64_t expected = 0, got = 0;
    int bad = 0;
    for (int base = 0; base < CHURN_THREADS; base += CHURN_AT_ONCE) {
        pthread_t t[CHURN_AT_ONCE];
        for (int i = 0; i < CHURN_AT_ONCE; i++) {
            int rc = pthread_create(&t[i], NULL, churn_worker, (void *)(intptr_t)(base + i));
            CHECK(rc == 0, "pthread_create for thread %d: %s", base + i, strerror(rc));
            if (rc) return;
        }
        for (int i = 0; i < CHURN_AT_ONCE; i++) pthread_join(t[i], NULL);
        /* Free the previous round's leftovers: their threads ended one round ago. */
        if (base >= CHURN_AT_ONCE)
            for (int i = base - CHURN_AT_ONCE; i < base; i++)
                for (int j = 0; j < CHURN_BLOCKS / 2; j++) {
                    uint64_t s = check_and_free(left_behind[i][j]);
                    bad += s == 0;
                    got += s;
                }
    }
    for (int i = CHURN_THREADS - CHURN_AT_ONCE; i < CHURN_THREADS; i++)
        for (int j = 0; j < CHURN_BLOCKS / 2; j++) {
            uint64_t s = check_and_free(left_behind[i][j]);
            bad += s == 0;
            got += s;
        }
    for (int i = 0; i < CHURN_THREADS; i++) expected += churn_sent[i];
    CHECK(bad == 0, "%d blocks left behind by ended threads were overwritten", bad);
    CHECK(got == expected, "blocks left behind: checksum %llu, expected %llu", (unsigned long long)got,
          (unsigned long long)expected);
    printf("churn: %d threads, %d blocks each, %d freed after their thread ended, checksum %llu\n", CHURN_THREADS,
           CHURN_BLOCKS, CHURN_THREADS * CHURN_BLOCKS / 2, (unsigned long long)got);
}

/* ---- teardown ---- */

extern int __cxa_thread_atexit_impl(void (*dtor)(void *), void *obj, void *dso_symbol);
extern void *__dso_handle;

enum { TEARDOWN_THREADS = 200 };
static atomic_int tls_dtors_run, key_dtors_run, key_rearms;
static atomic_int teardown_bad;
static pthread_key_t key;

/* A thread_local object's destructor, as g++ registers it: frees the block, allocates and frees more. */
static void tls_dtor(void *obj)
{
    uint64_t *p = obj;
    if (check_and_free(p) == 0) atomic_fetch_add(&teardown_bad, 1);
    for (int i = 0; i < 16; i++) {
        uint64_t *q = make_block(64 + 64 * i);
        if (!q || check_and_free(q) == 0) atomic_fetch_add(&teardown_bad, 1);
    }
    atomic_fetch_add(&tls_dtors_run, 1);
}

/* A key destructor that frees its value, and the first time also stores a new block, which
 * glibc's next destructor pass must hand back here (PTHREAD_DESTRUCTOR_ITERATIONS). */
static void key_dtor(void *value)
{
    uint64_t *p = value;
    int rearm = p[1] == 1; /* word 1 of a first-generation block: see teardown_worker */
    p[1] = ((uintptr_t)p ^ p[0]) * 2;  /* restore the pattern before the check */
    if (check_and_free(p) == 0) atomic_fetch_add(&teardown_bad, 1);
    atomic_fetch_add(&key_dtors_run, 1);
    if (rearm) {
        uint64_t *q = make_block(200);
        if (q) {
            q[1] = 2; /* second generation: do not re-arm again */
            pthread_setspecific(key, q);
            atomic_fetch_add(&key_rearms, 1);
        }
    }
}

static void *teardown_worker(void *arg)
{
    (void)arg;
    uint64_t *a = make_block(4096);
    uint64_t *b = make_block(100000);
    __cxa_thread_atexit_impl(tls_dtor, a, &__dso_handle);
    __cxa_thread_atexit_impl(tls_dtor, b, &__dso_handle);
    uint64_t *k = make_block(128);
    k[1] = 1; /* first generation */
    pthread_setspecific(key, k);
    /* Some ordinary traffic, so the thread's heap holds more than the blocks above; half of it is
     * handed to the main thread, which frees it after this thread has ended. */
    void **junk = malloc(100 * sizeof(void *));
    for (int i = 0; i < 100; i++) junk[i] = make_block(16 * (i + 1));
    for (int i = 0; i < 100; i += 2) free(junk[i]);
    return junk;
}

static void test_teardown(void)
{
    pthread_key_create(&key, key_dtor);
    for (int i = 0; i < TEARDOWN_THREADS; i++) {
        pthread_t t;
        void *ret;
        pthread_create(&t, NULL, teardown_worker, NULL);
        pthread_join(t, &ret);
        void **junk = ret;
        for (int j = 1; j < 100; j += 2)
            if (check_and_free(junk[j]) == 0) atomic_fetch_add(&teardown_bad, 1);
        free(junk);
    }
    CHECK(atomic_load(&teardown_bad) == 0, "%d blocks freed or allocated during thread teardown were wrong",
          atomic_load(&teardown_bad));
    CHECK(atomic_load(&tls_dtors_run) == 2 * TEARDOWN_THREADS, "thread_local destructors run: %d, expected %d",
          atomic_load(&tls_dtors_run), 2 * TEARDOWN_THREADS);
    CHECK(atomic_load(&key_dtors_run) == 2 * TEARDOWN_THREADS, "key destructors run: %d, expected %d",
          atomic_load(&key_dtors_run), 2 * TEARDOWN_THREADS);
    CHECK(atomic_load(&key_rearms) == TEARDOWN_THREADS, "key re-arms: %d, expected %d", atomic_load(&key_rearms),
          TEARDOWN_THREADS);
    printf("teardown: %d threads, %d thread_local and %d key destructors ran, freeing and allocating\n",
           TEARDOWN_THREADS, atomic_load(&tls_dtors_run), atomic_load(&key_dtors_run));
}

/* ---- fork ---- */

static atomic_int stop_hammer;

static void *hammer(void *arg)
{
    uint64_t seed = (uintptr_t)arg;
    void *held[256] = {0};
    while (!atomic_load_explicit(&stop_hammer, memory_order_relaxed)) {
        int i = next_random(&seed) % 256;
        free(held[i]);
        held[i] = malloc(8 + next_random(&seed) % 4096);
    }
    for (int i = 0; i < 256; i++) free(held[i]);
    return NULL;
}

static void *child_thread(void *arg)
{
    (void)arg;
    uint64_t *p = make_block(512);
    return p;
}

enum { FORKS = 20 };

static void test_fork(void)
{
    pthread_t h[2];
    for (int i = 0; i < 2; i++) pthread_create(&h[i], NULL, hammer, (void *)(uintptr_t)(i + 1));
    int hung = 0, failed = 0;
    for (int f = 0; f < FORKS; f++) {
        usleep(1000);
        pid_t pid = fork();
        if (pid == 0) {
            /* The child: a hang here (a lock another thread held at the fork) ends in SIGALRM. */
            alarm(10);
            int bad = 0;
            void *blocks[1000];
            for (int i = 0; i < 1000; i++) blocks[i] = make_block(8 + (size_t)(i * 37 % 8192) / 8 * 8);
            for (int i = 0; i < 1000; i++) bad += blocks[i] == NULL || check_and_free(blocks[i]) == 0;
            void *big = malloc(8 << 20);
            bad += big == NULL;
            free(big);
            pthread_t t;
            void *from_thread = NULL;
            if (pthread_create(&t, NULL, child_thread, NULL) == 0 && pthread_join(t, &from_thread) == 0)
                bad += from_thread == NULL || check_and_free(from_thread) == 0;
            else
                bad++;
            _exit(bad ? 1 : 0);
        }
        CHECK(pid > 0, "fork: %s", strerror(errno));
        if (pid < 0) break;
        int status;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) hung++;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed++;
            if (WIFSIGNALED(status)) printf("fork %d: the child died of signal %d\n", f, WTERMSIG(status));
        }
    }
    atomic_store(&stop_hammer, 1);
    for (int i = 0; i < 2; i++) pthread_join(h[i], NULL);
    CHECK(hung == 0, "%d of %d children hung in malloc after fork (a lock held across fork)", hung, FORKS);
    CHECK(failed == 0, "%d of %d children failed their malloc checks after fork", failed, FORKS);
    printf("fork: %d forks from 3 threads, children allocated, freed and started a thread\n", FORKS);
}

/* ---- signals ---- */

/* Two threads pass blocks to each other through a locked list (so frees are remote and any lock
 * inside the allocator is contended) while the main thread sends them SIGUSR1 as fast as it can:
 * system calls inside the allocator (futex waits, madvise, mmap) are interrupted again and again
 * and must retry. The handler allocates nothing (malloc is not async-signal-safe). */
/* At least this many blocks each, and on until this many signals were handled (or 10 s passed):
 * a fast allocator finishes the blocks before many signals have landed. */
enum { SIGNAL_BLOCKS = 200000, SIGNALS_WANTED = 5000 };
static atomic_long signals_seen;
static atomic_int signal_time_up;
static atomic_int signal_workers_done;
static pthread_mutex_t swap_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *swap_list[2][64];
static int swap_count[2];
static uint64_t signal_sent[2], signal_received[2];
static atomic_int signal_bad;

static void on_usr1(int sig) { (void)sig; atomic_fetch_add_explicit(&signals_seen, 1, memory_order_relaxed); }

static void *signal_worker(void *arg)
{
    int id = (int)(intptr_t)arg, other = 1 - id;
    uint64_t seed = 99 + id;
    long made = 0;
    while (made < SIGNAL_BLOCKS ||
           (atomic_load_explicit(&signals_seen, memory_order_relaxed) < SIGNALS_WANTED && !atomic_load(&signal_time_up))) {
        /* Big blocks now and then, so that mmap/munmap/madvise are among the interrupted calls. */
        uint64_t r = next_random(&seed);
        size_t size = (r % 64 == 0 ? 65536 + r % (512 << 10) : 16 + r % 2048) & ~(size_t)7; /* check_and_free takes up to 1 MiB */
        uint64_t *p = make_block(size);
        if (!p) { CHECK(0, "malloc(%zu) returned NULL", size); break; }
        signal_sent[id] += p[0];
        made++;
        uint64_t *taken[64];
        int n = 0;
        pthread_mutex_lock(&swap_lock);
        if (swap_count[other] < 64) swap_list[other][swap_count[other]++] = p, p = NULL;
        while (swap_count[id] > 0) taken[n++] = swap_list[id][--swap_count[id]];
        pthread_mutex_unlock(&swap_lock);
        if (p) { signal_sent[id] -= p[0]; free(p); } /* the other's list was full: not sent */
        for (int i = 0; i < n; i++) {
            uint64_t sum = check_and_free(taken[i]);
            if (!sum) atomic_fetch_add(&signal_bad, 1);
            signal_received[id] += sum;
        }
    }
    atomic_fetch_add(&signal_workers_done, 1);
    return NULL;
}

static void test_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: interrupted calls return EINTR to the allocator */
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, signal_worker, (void *)(intptr_t)i);
    long sent = 0;
    struct timespec start, now_ts;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(&signal_workers_done) < 2) {
        clock_gettime(CLOCK_MONOTONIC, &now_ts);
        if (now_ts.tv_sec - start.tv_sec >= 10) atomic_store(&signal_time_up, 1);
        for (int i = 0; i < 2; i++) pthread_kill(t[i], SIGUSR1);
        sent += 2;
        if (sent % 64 == 0) sched_yield();
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    /* What is still listed was sent and never received: free it and count it as received. */
    for (int i = 0; i < 2; i++)
        while (swap_count[i] > 0) signal_received[i] += check_and_free(swap_list[i][--swap_count[i]]);
    CHECK(signal_bad == 0, "%d blocks passed between signalled threads were overwritten", signal_bad);
    CHECK(signal_sent[0] == signal_received[1] && signal_sent[1] == signal_received[0],
          "checksums: thread 0 sent %llu, thread 1 received %llu; thread 1 sent %llu, thread 0 received %llu",
          (unsigned long long)signal_sent[0], (unsigned long long)signal_received[1],
          (unsigned long long)signal_sent[1], (unsigned long long)signal_received[0]);
    CHECK(atomic_load(&signals_seen) >= SIGNALS_WANTED, "only %ld signals were handled in 10 s", atomic_load(&signals_seen));
    printf("signals: 2 threads passing blocks (at least %d each) while %ld signals were sent, %ld handled\n",
           SIGNAL_BLOCKS, sent, atomic_load(&signals_seen));
}

/* ---- firstcall ---- */

enum { FIRST_CALLS = 11 };
static uint64_t *firstcall_shared;

static void *firstcall_worker(void *arg)
{
    int which = (int)(intptr_t)arg;
    void *p = NULL;
    switch (which) {
    case 0: /* a free of the main thread's block: a remote free from a thread with no heap */
        CHECK(check_and_free(firstcall_shared) == 100, "the main thread's block was wrong when freed first");
        firstcall_shared = NULL;
        p = malloc(24);
        break;
    case 1: {
        unsigned char *z = calloc(100, 10);
        CHECK(z != NULL, "calloc as a thread's first call failed");
        for (int i = 0; z && i < 1000; i++) CHECK(z[i] == 0, "calloc's byte %d is %d", i, z[i]);
        p = z;
        break;
    }
    case 2: p = realloc(NULL, 40); break;
    case 3: CHECK(posix_memalign(&p, 256, 100) == 0 && ((uintptr_t)p & 255) == 0, "posix_memalign(256) as a first call"); break;
    case 4: p = aligned_alloc(4096, 4096); CHECK(((uintptr_t)p & 4095) == 0, "aligned_alloc(4096) as a first call"); break;
    case 5: CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) as a first call"); p = malloc(16); break;
    case 6: malloc_trim(0); p = malloc(16); break;
    case 7: p = malloc(2000); break;
    case 8: p = malloc(100000); break;
    case 9: p = malloc(0); break;
    case 10: {
        /* realloc of a block this thread did not make, before it has a heap */
        uint64_t *q = make_block(64);
        p = q;
        break;
    }
    }
    CHECK(p != NULL, "first call %d gave no block", which);
    if (p) {
        /* malloc(0)'s block may have no byte to write (a checked build gives it none). */
        if (which != 9) {
            memset(p, 0x5a, 16);
            CHECK(malloc_usable_size(p) >= 16, "first call %d: usable size under 16", which);
        }
        free(p);
    }
    /* And the thread's ordinary calls after it. */
    uint64_t *b = make_block(48);
    CHECK(b != NULL && check_and_free(b) == 48, "first call %d: a later block was wrong", which);
    return NULL;
}

static void test_firstcall(void)
{
    for (int round = 0; round < 20; round++) {
        for (int which = 0; which < FIRST_CALLS; which++) {
            if (which == 0) firstcall_shared = make_block(100);
            pthread_t t;
            CHECK(pthread_create(&t, NULL, firstcall_worker, (void *)(intptr_t)which) == 0, "pthread_create");
            pthread_join(t, NULL);
            CHECK(firstcall_shared == NULL || which != 0, "the first-call free did not run");
        }
    }
    printf("firstcall: %d threads, each starting with one of %d entry points\n", 20 * FIRST_CALLS, FIRST_CALLS);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct { const char *name; void (*run)(void); } sections[] = {
        {"rings", test_rings}, {"churn", test_churn}, {"teardown", test_teardown}, {"fork", test_fork},
        {"signals", test_signals}, {"firstcall", test_firstcall},
    };
    int n = sizeof sections / sizeof sections[0];
    for (int a = 1; a < argc; a++) {
        int known = 0;
        for (int i = 0; i < n; i++) known |= strcmp(argv[a], sections[i].name) == 0;
        if (!known) { printf("unknown section '%s'\n", argv[a]); return 100; }
    }
    for (int i = 0; i < n; i++) {
        int wanted = argc == 1;
        for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], sections[i].name) == 0;
        if (!wanted) continue;
        printf("== %s\n", sections[i].name);
        sections[i].run();
    }
    int f = atomic_load(&failures);
    printf("total: %d failed\n", f);
    return f > 99 ? 99 : f;
}
