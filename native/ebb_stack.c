/*
 * ebb_stack.c: cheap call-stack identity for the checks' stack depot
 * (src/Ebb/Checks/StackDepot.cs).
 *
 * A managed stack walk (System.Diagnostics.StackTrace) costs microseconds; checked mode
 * needs a stack at every allocation and every free. Most of those stacks have been seen
 * before, so the managed side only needs to know WHICH stack this is: this file walks the
 * frame-pointer chain (saved rbp, return address) from its caller upwards and hashes the
 * return addresses. The depot renders a stack with StackTrace once, on its first sighting,
 * and afterwards recognizes it by the hash.
 *
 * RyuJIT on x64 Linux keeps rbp as a frame pointer ([rbp] = caller's rbp, [rbp+8] = return
 * address) in every method that calls another, so the chain misses only leaf frames, which
 * cannot be on the way to an allocation anyway. The walk trusts nothing it reads: it stops
 * when the next frame pointer is not 16-byte aligned, does not lie above the current one,
 * or leaves the thread's stack (from this frame up to the top found once per thread with
 * pthread_getattr_np), so it never reads memory outside the live part of the stack.
 *
 * Called through a function pointer with SuppressGCTransition: short, no allocation, no
 * locks (the per-thread bound is looked up once, on a thread's first call).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>

#if defined(__x86_64__)

/* The top of this thread's stack (one past its highest byte); 0 until looked up, 1 when unknown. */
static __thread uintptr_t stack_top __attribute__((tls_model("initial-exec")));

static uintptr_t top_of_stack(void) {
    uintptr_t top = stack_top;
    if (top) return top;
    pthread_attr_t attr;
    void *addr = 0;
    size_t size = 0;
    top = 1;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size)
            top = (uintptr_t)addr + size;
        pthread_attr_destroy(&attr);
    }
    stack_top = top;
    return top;
}

/* Walks the rbp chain from the caller of the function whose frame is `fp`. */
static int walk(uintptr_t fp, uint64_t *ips, int max, uint64_t *hash) {
    uintptr_t top = top_of_stack();
    uint64_t h = 0x9e3779b97f4a7c15ull;
    int n = 0;
    while (n < max) {
        if (fp & 15 || fp + 16 > top) break;
        uintptr_t next = ((const uintptr_t *)fp)[0];
        uint64_t ip = ((const uint64_t *)fp)[1];
        if (ip < 4096) break;
        if (ips) ips[n] = ip;
        /*
         * Each address mixed with its position, independently of the others, then summed: the
         * multiplies overlap, so the walk runs at the speed of the chain of loads alone.
         */
        h += (ip ^ ((uint64_t)n * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull;
        n++;
        if (next <= fp) break;
        fp = next;
    }
    /* The final mix (splitmix64's) spreads every bit over the word, for the table's low bits. */
    h ^= (uint64_t)n;
    h ^= h >> 31;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 29;
    if (hash) *hash = h ? h : 1;
    return n;
}

/*
 * Copies up to `max` return addresses of the calling thread's stack, innermost first (the
 * first is in this function's caller), into `ips`; returns how many.
 */
__attribute__((noinline)) int ebb_stack_capture(uint64_t *ips, int max) {
    return walk((uintptr_t)__builtin_frame_address(0), ips, max, 0);
}

/*
 * The hash of up to `max` return addresses of the calling thread's stack (never 0), and
 * how many there were in *depth. Two calls from the same call path give the same hash.
 */
__attribute__((noinline)) uint64_t ebb_stack_hash(int max, int *depth) {
    uint64_t h = 0;
    int n = walk((uintptr_t)__builtin_frame_address(0), 0, max, &h);
    if (depth) *depth = n;
    return h;
}

#else

/* Other architectures: no walk; the managed side then captures a StackTrace every time. */
int ebb_stack_capture(uint64_t *ips, int max) { (void)ips; (void)max; return 0; }
uint64_t ebb_stack_hash(int max, int *depth) { (void)max; if (depth) *depth = 0; return 0; }

#endif
