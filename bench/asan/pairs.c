/*
 * The pair loop of Ebb's benchmark (bench/Ebb.Benchmarks/Workloads/Pairs.cs) in C, for
 * AddressSanitizer's malloc and free: allocate a batch of 100 blocks, write a word into each,
 * free the batch in allocation order. Prints "pairs N B<TAB>ns per pair" (thread CPU time,
 * the median of 5 rounds of about MS milliseconds each, after a warm-up that cycles the
 * quarantine twice so the figure is the steady state).
 *   cc -O2 -g -fsanitize=address -fno-omit-frame-pointer pairs.c -o pairs && ./pairs [MS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BATCH 100
#define ROUNDS 5

static void *volatile sink;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void __attribute__((noinline)) pairs(size_t size, long batches) {
    void *slots[BATCH];
    for (long b = 0; b < batches; b++) {
        for (int i = 0; i < BATCH; i++) {
            void *p = malloc(size);
            *(long *)p = i;
            slots[i] = p;
        }
        sink = slots[BATCH - 1];
        for (int i = 0; i < BATCH; i++) free(slots[i]);
    }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double ms = argc > 1 ? atof(argv[1]) : 100;
    static const size_t sizes[] = {16, 64, 256, 1024};
    for (int s = 0; s < 4; s++) {
        size_t size = sizes[s];
        /* Warm-up: 2 x 256 MiB of pairs, so even ASan's default quarantine has cycled. */
        pairs(size, (long)((512L << 20) / ((size + 64) * BATCH)) + 1);
        /* Calibrate a round to about ms milliseconds. */
        long batches = 100;
        double t0 = now_ns();
        pairs(size, batches);
        double per = (now_ns() - t0) / batches;
        batches = (long)(ms * 1e6 / per) + 1;
        double r[ROUNDS];
        for (int k = 0; k < ROUNDS; k++) {
            t0 = now_ns();
            pairs(size, batches);
            r[k] = (now_ns() - t0) / ((double)batches * BATCH);
        }
        qsort(r, ROUNDS, sizeof r[0], cmp);
        printf("pairs %zu B\t%.1f\n", size, r[ROUNDS / 2]);
        fflush(stdout);
    }
    return 0;
}
