/*
 * The C half of libebb.so: the malloc family's symbols, the thread-local heap slot, the
 * thread-exit key, the arena mutex with its fork handlers, the environment, and the reports.
 * Everything about allocation is the C# core (src/Ebb/{Os,Arena,Heap}), compiled with no runtime
 * and called here through its ebb_core_* entry points (src/Ebb.Native/NativeHost/Exports.cs).
 * Built by `dotnet build src/Ebb.Native` with -fno-builtin: gcc must not turn code here into
 * calls to malloc or calloc.
 */
#define _GNU_SOURCE
#include "ebb.h"
#include "ebb_check.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The C# core's entry points. */
extern void ebb_core_init(int purge_delay_ms, int purge_mode, int page_source, int verbose, void **no_heap, int no_heap_slots);
extern void *ebb_core_malloc(size_t size, void *heap);
extern void *ebb_core_calloc(void *heap, size_t size);
extern void ebb_core_free(void *p, void *heap);
extern void *ebb_core_realloc(void *heap, void *p, size_t size);
extern void *ebb_core_aligned(void *heap, size_t size, size_t alignment);
extern size_t ebb_core_usable_size(void *heap, void *p);
extern int ebb_core_owns(void *p);
extern void ebb_core_thread_exit(void *heap);
extern void ebb_core_trim(void *heap);
extern int ebb_core_beat(void);
extern void ebb_core_stats(int64_t *committed, int64_t *peak, int64_t *dirty, int64_t *purged, int64_t *reserved);

/* Symbols ILC's runtime-free object refers to. With no runtime there is no GC to cooperate with:
 * the transitions are empty, the "suspend threads" flag stays 0, and the stack cookie of
 * stackalloc frames is a constant. */
void RhpReversePInvoke(void *frame) { (void)frame; }
void RhpReversePInvokeReturn(void *frame) { (void)frame; }
void RhpPInvoke(void *frame) { (void)frame; }
void RhpPInvokeReturn(void *frame) { (void)frame; }
int RhpTrapThreads = 0;
void RhpGcPoll(void) { }
void RhpFallbackFailFast(void) { abort(); }
uintptr_t __security_cookie = 0x2b992ddfa232u;

/* "No heap yet": the core fills these slots with its empty page at start-up (HeapState.NoHeap;
 * as many as the core's Heap.DirectSlots, which it checks), so a thread's slot can start here
 * and the core's malloc needs no null test. */
#define NO_HEAP_SLOTS 66
static void *g_no_heap[NO_HEAP_SLOTS];

/* The calling thread's heap (g_no_heap until its first allocation, never null): initial-exec
 * TLS, one mov. */
static __thread void *t_heap __attribute__((tls_model("initial-exec"))) = g_no_heap;

static pthread_key_t g_exit_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static volatile int g_ready;
static int g_background, g_show_stats;
/* Where the figures go at exit: a copy of stderr taken at start-up, because programs close stderr
 * in their own exit handlers (coreutils' close_stdout does), which run before ours. */
static int g_stats_fd = 2;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile pthread_t g_lock_owner;

/* ---- reports ------------------------------------------------------------------------------ */

static void say_to(int fd, const char *fmt, va_list ap)
{
    char line[256];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say_to(2, fmt, ap);
    va_end(ap);
}

static void say_stats(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say_to(g_stats_fd, fmt, ap);
    va_end(ap);
}

/* Kinds of block as the core's BlockKind numbers them. */
enum { KIND_NOT_EBB, KIND_METADATA, KIND_FREE, KIND_SMALL, KIND_LARGE, KIND_HUGE };

void ebb_shim_fatal_free(int error, void *p, size_t block_size, size_t block_start, int kind)
{
    if (error == 0)
        say("ebb: double free of %p (%s%zu-byte block)\n", p, block_size ? "a " : "", block_size);
    else if (error == 2)
        say("ebb: free of %p, a %zu-byte block never handed out\n", p, block_size);
    else if (kind == KIND_SMALL || kind == KIND_LARGE || kind == KIND_HUGE)
        say("ebb: invalid free: %p is %zu bytes inside the %zu-byte block at %p\n", p,
            (size_t)p - block_start, block_size, (void *)block_start);
    else if (kind == KIND_METADATA)
        say("ebb: invalid free: %p points into Ebb's own metadata, not at a block\n", p);
    else if (kind == KIND_FREE)
        say("ebb: invalid free: %p points into free memory, not at a live block\n", p);
    else
        say("ebb: invalid pointer %p: not allocated by Ebb\n", p);
    abort();
}

void ebb_shim_set_enomem(void) { errno = ENOMEM; }

void ebb_shim_fatal(int code)
{
    say(code == 2 ? "ebb: out of memory where the caller cannot take a null\n"
                  : "ebb: internal check failed (a Debug build's assertion)\n");
    abort();
}

void ebb_shim_log(int e, size_t a, size_t b, size_t c)
{
    switch (e) {
    case 0: say("ebb: brk refused; taking chunks from mmap instead\n"); break;
    case 1: say("ebb: reserved %zu MiB at %#zx for chunks\n", a >> 20, b); break;
    case 2: say("ebb: unmapped the free chunk at %#zx\n", a); break;
    case 3: say("ebb: unmapped %zu MiB of region never used at %#zx\n", a >> 20, b); break;
    case 4: say("ebb: raised the break from %#zx to %#zx for a chunk at %#zx\n", a, b, c); break;
    case 5: say("ebb: lowered the break to %#zx, giving back a 32 MiB chunk\n", a); break;
    case 6: say("ebb: mapped a huge block of %zu KiB at %#zx\n", a >> 10, b); break;
    default: say("ebb: event %d\n", e); break;
    }
}

/* ---- the arena mutex ---------------------------------------------------------------------- */

void ebb_shim_lock(void)
{
    pthread_mutex_lock(&g_lock);
    g_lock_owner = pthread_self();
}

void ebb_shim_unlock(void)
{
    g_lock_owner = 0;
    pthread_mutex_unlock(&g_lock);
}

int ebb_shim_lock_held(void) { return g_lock_owner == pthread_self(); }

/* fork: the child must not inherit the lock held by a thread that does not exist there. */
static void fork_prepare(void)
{
    ebb_modes_lock_fork(0);
    ebb_shim_lock();
}
static void fork_parent(void)
{
    ebb_shim_unlock();
    ebb_modes_lock_fork(1);
}
static void fork_child(void)
{
    pthread_mutex_init(&g_lock, NULL);
    g_lock_owner = 0;
    ebb_modes_lock_fork(2);
}

/* ---- threads ------------------------------------------------------------------------------ */

static void thread_exit(void *heap)
{
    /* Later destructors of this thread may still allocate: they get a new heap (and this key again). */
    t_heap = g_no_heap;
    ebb_core_thread_exit(heap);
}

void *ebb_shim_thread_heap(void) { return t_heap; }

void ebb_shim_set_thread_heap(void *heap)
{
    t_heap = heap;
    pthread_setspecific(g_exit_key, heap);
}

static void *background(void *arg)
{
    (void)arg;
    for (;;) {
        int ms = ebb_core_beat();
        if (ms < 0 || ms > 1000) ms = 1000;
        if (ms < 1) ms = 1;
        usleep((useconds_t)ms * 1000);
    }
    return NULL;
}

/* ---- settings ----------------------------------------------------------------------------- */

static int env_int(const char *name, int fallback, int min)
{
    const char *v = getenv(name);
    if (v == NULL || *v == 0) return fallback;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end != 0 || errno != 0 || n < min || n > 86400000) {
        say("ebb: warning: %s=%s is not valid; using %d\n", name, v, fallback);
        return fallback;
    }
    return (int)n;
}

static int env_choice(const char *name, const char *zero, const char *one)
{
    const char *v = getenv(name);
    if (v == NULL || *v == 0 || strcasecmp(v, zero) == 0) return 0;
    if (strcasecmp(v, one) == 0) return 1;
    say("ebb: warning: %s=%s is not valid (%s or %s); using %s\n", name, v, zero, one, zero);
    return 0;
}

static int env_flag(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0) return 0;
    if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0) return 1;
    say("ebb: warning: %s=%s is not valid (0 or 1); using 0\n", name, v);
    return 0;
}

static void at_exit_stats(void)
{
    ebb_stats s;
    ebb_get_stats(&s);
    say_stats("ebb: pid %d: committed %lld bytes (peak %lld), waiting to be purged %lld, purged %lld, reserved %lld\n",
              (int)getpid(), (long long)s.committed, (long long)s.peak_committed, (long long)s.pending_purge,
              (long long)s.purged, (long long)s.reserved);
}

static void init_once(void)
{
    int delay = env_int("EBB_PURGE_DELAY_MS", 100, -1);
    int purge = env_choice("EBB_PURGE", "dontneed", "free");
    int source = env_choice("EBB_PAGE_SOURCE", "mmap", "brk");
    int verbose = env_flag("EBB_VERBOSE");
    g_background = env_flag("EBB_BACKGROUND_PURGE");
    g_show_stats = env_flag("EBB_SHOW_STATS");
    ebb_modes_read_env();
    ebb_core_init(delay, purge, source, verbose, g_no_heap, NO_HEAP_SLOTS);
    pthread_key_create(&g_exit_key, thread_exit);
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    if (g_show_stats) {
        int fd = fcntl(2, F_DUPFD_CLOEXEC, 10);
        if (fd >= 0) g_stats_fd = fd;
        atexit(at_exit_stats);
    }
}

/* The first allocation of each thread (the core's slow path calls this before it makes the
 * thread's heap): once per process, the settings, the core and the key. */
void ebb_shim_start(void)
{
    pthread_once(&g_once, init_once);
    if (__sync_bool_compare_and_swap(&g_ready, 0, 1)) {
        /* Outside pthread_once: these allocate, which re-enters here. */
        ebb_modes_started();
        pthread_t t;
        if (g_background && pthread_create(&t, NULL, background, NULL) == 0) pthread_detach(t);
    }
}

/* The core starts the process's Ebb on a thread's first allocation (t_heap is g_no_heap until then),
 * so the entry points below are a thread-local load and a tail call. Each first tests ebb_mode
 * once (not 0 only before the first allocation and in the checked and guarded modes): in
 * release mode that is one predictable branch, and malloc and free then go exactly the way
 * they go without the checks. */
#define HEAP() t_heap

/* ---- the malloc family -------------------------------------------------------------------- */

EXPORT void *malloc(size_t size)
{
    if (UNLIKELY(ebb_mode != 0)) {
        if (ebb_mode == EBB_MODE_GUARD_SAMPLE && ebb_t_sample_left > 1) {
            ebb_t_sample_left--;
            return ebb_core_malloc(size, HEAP());
        }
        return ebb_mode_alloc(size, 0, 0);
    }
    return ebb_core_malloc(size, HEAP());
}

EXPORT void free(void *p)
{
    /* Before the first allocation (-1) a free is of the loader's memory: the core leaves it alone. */
    if (UNLIKELY(ebb_mode > 0)) {
        if (ebb_mode == EBB_MODE_GUARD_SAMPLE && (uintptr_t)p - ebb_guard_lo >= ebb_guard_bytes) {
            ebb_core_free(p, t_heap);
            return;
        }
        ebb_mode_free(p);
        return;
    }
    ebb_core_free(p, t_heap);
}

EXPORT void cfree(void *p) { free(p); }

EXPORT void *calloc(size_t n, size_t size)
{
    size_t bytes;
    if (UNLIKELY(__builtin_mul_overflow(n, size, &bytes))) {
        errno = ENOMEM;
        return NULL;
    }
    if (UNLIKELY(ebb_mode != 0)) return ebb_mode_alloc(bytes, 0, 1);
    return ebb_core_calloc(HEAP(), bytes);
}

EXPORT void *realloc(void *p, size_t size)
{
    if (p == NULL) return malloc(size);
    if (size == 0) {
        /* glibc's behaviour: the block is freed and NULL returned. */
        free(p);
        return NULL;
    }
    if (UNLIKELY(ebb_mode > 0)) return ebb_mode_realloc(p, size);
    void *heap = HEAP();
    if (UNLIKELY(!g_ready || !ebb_core_owns(p))) {
        say("ebb: realloc(): invalid pointer %p: not allocated by Ebb\n", p);
        abort();
    }
    return ebb_core_realloc(heap, p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (UNLIKELY(__builtin_mul_overflow(n, size, &bytes))) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, bytes);
}

static void *aligned(size_t alignment, size_t size)
{
    if (UNLIKELY(ebb_mode != 0)) return ebb_mode_alloc(size == 0 ? 1 : size, alignment, 0);
    return ebb_core_aligned(HEAP(), size == 0 ? 1 : size, alignment);
}

static int is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

EXPORT int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (!is_pow2(alignment) || alignment % sizeof(void *) != 0) return EINVAL;
    int saved = errno;
    void *p = aligned(alignment, size);
    errno = saved;
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    if (!is_pow2(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
    /* glibc rounds an alignment that is not a power of two up to one. */
    if (alignment < 16) alignment = 16;
    if (!is_pow2(alignment)) {
        size_t a = 16;
        while (a < alignment && a != 0) a <<= 1;
        if (a == 0) {
            errno = EINVAL;
            return NULL;
        }
        alignment = a;
    }
    return aligned(alignment, size);
}

EXPORT void *valloc(size_t size) { return aligned((size_t)sysconf(_SC_PAGESIZE), size); }

EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    return aligned(page, rounded == 0 ? page : rounded);
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (p == NULL) return 0;
    if (UNLIKELY(ebb_mode > 0)) return ebb_mode_usable(p);
    if (!g_ready) return 0;
    return ebb_core_usable_size(t_heap, p);
}

EXPORT int malloc_trim(size_t pad)
{
    (void)pad;
    ebb_trim();
    return 1;
}

/* ---- ebb_* -------------------------------------------------------------------------------- */

EXPORT void ebb_trim(void)
{
    if (g_ready) ebb_core_trim(t_heap);
}

EXPORT void ebb_get_stats(ebb_stats *s)
{
    memset(s, 0, sizeof *s);
    if (g_ready) ebb_core_stats(&s->committed, &s->peak_committed, &s->pending_purge, &s->purged, &s->reserved);
}

EXPORT void ebb_print_stats(void)
{
    ebb_stats s;
    ebb_get_stats(&s);
    say("ebb: committed %lld bytes (peak %lld), waiting to be purged %lld, purged %lld, reserved %lld\n",
        (long long)s.committed, (long long)s.peak_committed, (long long)s.pending_purge,
        (long long)s.purged, (long long)s.reserved);
}

EXPORT const char *ebb_version(void) { return "libebb 1.0.0"; }
