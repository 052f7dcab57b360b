/* What every workload of bench/c shares: the clock, a seeded random sequence, threads, the
 * command line (-t THREADS, -s SCALE) and the one line of results each prints:
 *
 *   workload=NAME seconds=S figure=F unit=U peak_rss_kib=K [more key=value pairs]
 *
 * peak_rss_kib is getrusage's ru_maxrss at the end (the process's high-water mark). These are our
 * own programs written from the published descriptions and parameters of mimalloc-bench's
 * workloads (see bench/Ebb.Benchmarks/Workloads/Suite/ (one .cs a workload), which port the same programs to C#);
 * no third-party source is copied. */
#ifndef EBB_BENCH_H
#define EBB_BENCH_H
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* SplitMix64, as the C# ports use (SuiteRandom): one word of state, no lock, no allocation. */
typedef struct { uint64_t s; } rng_t;

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* [0, n) by multiply-shift. */
static inline uint32_t rng_below(rng_t *r, uint32_t n) { return (uint32_t)(((rng_next(r) >> 32) * n) >> 32); }

/* "random % 100 <= percent", as the original programs test it (so 1 means 2 in 100). */
static inline int rng_chance(rng_t *r, uint32_t percent) { return rng_below(r, 100) <= percent; }

static inline double rng_double(rng_t *r) { return (rng_next(r) >> 11) * (1.0 / (1ull << 53)); }

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "malloc(%zu) returned NULL\n", n);
        exit(2);
    }
    return p;
}

/* -t THREADS (default: the number of online CPUs, as mimalloc-bench's N) and -s SCALE (work or
 * duration multiplied by it; default 1). */
static int opt_threads;
static double opt_scale = 1.0;

static inline void parse_args(int argc, char **argv)
{
    opt_threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) opt_threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) opt_scale = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [-t THREADS] [-s SCALE]\n", argv[0]);
            exit(2);
        }
    }
    if (opt_threads < 1) opt_threads = 1;
    if (opt_scale <= 0) opt_scale = 1;
}

static inline long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Prints the result line; extra is more "key=value" pairs or "". */
static inline void report(const char *workload, double seconds, double figure, const char *unit, const char *extra)
{
    printf("workload=%s seconds=%.4f figure=%.6g unit=%s threads=%d peak_rss_kib=%ld%s%s\n", workload, seconds, figure,
           unit, opt_threads, peak_rss_kib(), extra && *extra ? " " : "", extra ? extra : "");
    fflush(stdout);
}

/* Starts n threads running fn(id) and waits for them. */
static inline void run_threads(int n, void *(*fn)(void *))
{
    pthread_t *t = xmalloc(sizeof(pthread_t) * (size_t)n);
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, fn, (void *)(intptr_t)i) != 0) {
            perror("pthread_create");
            exit(2);
        }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    free(t);
}

static inline void die_corrupt(const char *workload, const void *p)
{
    fprintf(stderr, "%s: the block at %p was overwritten between its allocation and its free\n", workload, p);
    exit(3);
}
#endif
