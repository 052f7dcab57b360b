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
 * Called through a function pointer with SuppressGCTransition: short, no locks, no
 * allocation but one per thread (its stack bound and its cache of recent walks, below, are
 * made on its first call; the cache is freed when the thread ends).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include <emmintrin.h>

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

/*
 * The per-thread cache of recent walks. Most captures repeat a call path seen moments ago
 * (an allocation or a free in a loop), from the same frame address. A walk is a chain of
 * dependent loads (each frame pointer is read from the frame before), about 1 ns a frame;
 * checking that a cached walk still holds is the same loads at addresses already known, which
 * the CPU overlaps. A way remembers every frame record (saved rbp, return address) the walk
 * read: if each of them still holds the same two words, the walk would read the same values
 * and take the same decisions (it depends on nothing else but the thread's stack top and
 * `max`, both part of the key), so its hash and depth are the cached ones. Every address
 * checked passed the walk's bounds before and lies between this frame and the stack's top,
 * so the check never reads outside the live stack either.
 */
#define CACHED_FRAMES 32
#define WAYS 8

struct record { uint64_t next, ip; };   /* a frame record as it lies in memory: [fp], [fp+8] */

struct chain {
    int reads;                          /* frame records the walk read (the last may be where it stopped) */
    int depth;                          /* return addresses it hashed */
    int max;
    uint64_t hash;
    uint64_t memo;                      /* the caller's note on this walk (ebb_stack_hash_memo); 0 when refilled */
    _Alignas(16) struct record rec[CACHED_FRAMES];
};

struct walk_cache {
    uintptr_t start[WAYS];              /* the frame the walk started from; 0: empty way */
    unsigned victim;                    /* the way refilled next */
    unsigned last;                      /* the way that answered last: tried first */
    struct chain way[WAYS];
};

static __thread struct walk_cache *cache __attribute__((tls_model("initial-exec")));
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* Runs when the thread ends: its cache goes with it. */
static void free_cache(void *c) {
    cache = 0;
    free(c);
}

static void make_key(void) {
    if (pthread_key_create(&cache_key, free_cache) != 0) cache_key = (pthread_key_t)-1;
}

/* The thread's cache, made on its first capture; null when it cannot be made (then no caching). */
static struct walk_cache *thread_cache(void) {
    struct walk_cache *c = cache;
    if (c) return c;
    pthread_once(&cache_once, make_key);
    if (cache_key == (pthread_key_t)-1) return 0;
    c = calloc(1, sizeof *c);
    if (!c) return 0;
    if (pthread_setspecific(cache_key, c) != 0) { free(c); return 0; }
    cache = c;
    return c;
}

/*
 * Whether every frame record `w` read still holds what it read (all loads independent).
 * The innermost records were pushed moments ago (this call's own return address and rbp,
 * and its callers'), likely still in the store buffer: they are read as the 8-byte words
 * they were stored as, since a 16-byte load over two separate stores cannot be forwarded
 * and would wait for both to reach the cache. The older ones are compared 16 bytes at a time.
 */
#define RECENT 4
static int still_holds(const struct chain *w, uintptr_t fp) {
    uint64_t words = 0;
    int i = 0;
    for (; i < RECENT && i < w->reads; i++) {
        const uint64_t *r = (const uint64_t *)fp;
        words |= (r[0] ^ w->rec[i].next) | (r[1] ^ w->rec[i].ip);
        fp = w->rec[i].next;
    }
    /* A different path usually differs in its first frames: give up early. */
    if (words) return 0;
    __m128i diff = _mm_setzero_si128();
    for (; i + 4 <= w->reads; i += 4) {
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128((const __m128i *)fp), _mm_load_si128((const __m128i *)&w->rec[i])));
        fp = w->rec[i].next;
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128((const __m128i *)fp), _mm_load_si128((const __m128i *)&w->rec[i + 1])));
        fp = w->rec[i + 1].next;
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128((const __m128i *)fp), _mm_load_si128((const __m128i *)&w->rec[i + 2])));
        fp = w->rec[i + 2].next;
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128((const __m128i *)fp), _mm_load_si128((const __m128i *)&w->rec[i + 3])));
        fp = w->rec[i + 3].next;
    }
    for (; i < w->reads; i++) {
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128((const __m128i *)fp), _mm_load_si128((const __m128i *)&w->rec[i])));
        fp = w->rec[i].next;
    }
    return _mm_movemask_epi8(_mm_cmpeq_epi8(diff, _mm_setzero_si128())) == 0xffff;
}

/*
 * Walks the rbp chain from the caller of the function whose frame is `fp`; with `into`,
 * records every frame record read (at most CACHED_FRAMES: the caller sees to `max`).
 */
static int walk(uintptr_t fp, uint64_t *ips, int max, uint64_t *hash, struct chain *into) {
    uintptr_t top = top_of_stack();
    uint64_t h = 0x9e3779b97f4a7c15ull;
    int n = 0, reads = 0;
    while (n < max) {
        if (fp & 15 || fp + 16 > top) break;
        uintptr_t next = ((const uintptr_t *)fp)[0];
        uint64_t ip = ((const uint64_t *)fp)[1];
        if (into) {
            into->rec[reads].next = next;
            into->rec[reads].ip = ip;
        }
        reads++;
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
    h = h ? h : 1;
    if (hash) *hash = h;
    if (into) {
        into->reads = reads;
        into->depth = n;
        into->max = max;
        into->hash = h;
    }
    return n;
}

/*
 * Copies up to `max` return addresses of the calling thread's stack, innermost first (the
 * first is in this function's caller), into `ips`; returns how many.
 */
__attribute__((noinline)) int ebb_stack_capture(uint64_t *ips, int max) {
    return walk((uintptr_t)__builtin_frame_address(0), ips, max, 0, 0);
}

/* No way of the cache holds this walk: walk, and keep the walk in the next way in turn. */
__attribute__((noinline)) static uint64_t refill(struct walk_cache *c, uintptr_t fp, int max, int *depth, uint64_t **memo) {
    uint64_t h = 0;
    unsigned v = c->victim++ % WAYS;
    struct chain *w = &c->way[v];
    /* Emptied first: were the walk to fault half-way, the way would not be left half-written. */
    c->start[v] = 0;
    int n = walk(fp, 0, max, &h, w);
    w->memo = 0;
    c->start[v] = fp;
    c->last = v;
    if (depth) *depth = n;
    if (memo) *memo = &w->memo;
    return h;
}

/* ebb_stack_hash and ebb_stack_hash_memo from the frame `fp` of the exported function. */
static inline uint64_t hash_from(uintptr_t fp, int max, int *depth, uint64_t **memo) {
    struct walk_cache *c = max > 0 && max <= CACHED_FRAMES ? thread_cache() : 0;
    if (!c) {
        uint64_t h = 0;
        int n = walk(fp, 0, max, &h, 0);
        if (depth) *depth = n;
        if (memo) *memo = 0;
        return h;
    }
    unsigned k = c->last;
    for (int tried = 0; tried < WAYS; tried++, k = (k + 1) % WAYS) {
        struct chain *w = &c->way[k];
        if (c->start[k] != fp || w->max != max || !still_holds(w, fp)) continue;
        c->last = k;
        if (depth) *depth = w->depth;
        if (memo) *memo = &w->memo;
        return w->hash;
    }
    return refill(c, fp, max, depth, memo);
}

/*
 * The hash of up to `max` return addresses of the calling thread's stack (never 0), and
 * how many there were in *depth. Two calls from the same call path give the same hash.
 * A call path walked lately from the same frame is recognised from the thread's cache.
 */
__attribute__((noinline)) uint64_t ebb_stack_hash(int max, int *depth) {
    return hash_from((uintptr_t)__builtin_frame_address(0), max, depth, 0);
}

/*
 * As ebb_stack_hash, and *memo points at a word of the calling thread's cache that goes with
 * this walk: 0 the first time, then whatever the caller wrote there, for as long as the
 * cache recognises the walk (the depot keeps the walk's id there and skips its table).
 * Valid until the thread's next call; null when the walk was not cached.
 */
__attribute__((noinline)) uint64_t ebb_stack_hash_memo(int max, int *depth, uint64_t **memo) {
    return hash_from((uintptr_t)__builtin_frame_address(0), max, depth, memo);
}

#else

/* Other architectures: no walk; the managed side then captures a StackTrace every time. */
int ebb_stack_capture(uint64_t *ips, int max) { (void)ips; (void)max; return 0; }
uint64_t ebb_stack_hash(int max, int *depth) { (void)max; if (depth) *depth = 0; return 0; }
uint64_t ebb_stack_hash_memo(int max, int *depth, uint64_t **memo) {
    (void)max;
    if (depth) *depth = 0;
    if (memo) *memo = 0;
    return 0;
}

#endif
