/* The floor of a guarded allocator on this machine (issue 13, EBB_GUARD=all against Electric
 * Fence): what opening a page and closing it again costs with nothing else around it, the way
 * every guarded block is opened at malloc and closed at free. 200 one-page slots between guard
 * pages, used in turn; ns per open+close, three rounds of each:
 *   - "protect only": mprotect RW, mprotect NONE;
 *   - "protect and touch": the same with one write to the page in between (the first access
 *     after a protection change, which a block's fill always makes).
 *   gcc -O2 -o /tmp/guard-floor bench/guard-floor.c && /tmp/guard-floor */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

enum { SLOTS = 200, ROUNDS = 3, PAIRS = 20000 };
static const size_t PAGE = 4096;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double run(char *base, int touch)
{
    double t0 = now();
    for (int i = 0; i < PAIRS; i++) {
        char *p = base + PAGE * (2 * (size_t)(i % SLOTS) + 1);
        if (mprotect(p, PAGE, PROT_READ | PROT_WRITE) != 0) return -1;
        if (touch) *(volatile char *)p = 1;
        if (mprotect(p, PAGE, PROT_NONE) != 0) return -1;
    }
    return (now() - t0) * 1e9 / PAIRS;
}

int main(void)
{
    char *base = mmap(NULL, PAGE * (2 * SLOTS + 1), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) { perror("guard-floor: mmap"); return 1; }
    for (int r = 0; r < ROUNDS; r++) {
        double bare = run(base, 0), touched = run(base, 1);
        if (bare < 0 || touched < 0) { perror("guard-floor: mprotect"); return 1; }
        printf("protect only %.0f ns, protect and touch %.0f ns\n", bare, touched);
    }
    return 0;
}
