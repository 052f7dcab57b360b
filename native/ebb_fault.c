/*
 * ebb_fault.c: the guard-page fault reporter of Ebb's guarded modes, and the only native
 * code in the product.
 *
 * .NET makes an access violation fatal and it cannot be caught in managed code, so when a
 * guarded block's guard page (or a freed block's inaccessible page) is touched, this
 * SIGSEGV handler, installed after the runtime's own, looks the fault address up in a
 * table the managed side keeps in native memory, writes the report with write(2) only
 * (async-signal-safe: no malloc, no stdio), and then chains to the runtime's handler,
 * which prints the faulting managed frames and ends the process.
 *
 * The report has the same form as the managed paths' (src/Ebb/Checks/Report.cs):
 *   ebb: ERROR: heap-buffer-overflow: write at 0x..., 0 bytes after the 13-byte block at 0x...
 *   allocated by thread N at:
 *       at Namespace.Type.Method(...)    (the frames pre-rendered by the managed side)
 *   freed by thread N at:                (use after free only)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

/* Must match GuardTable.cs. */
struct ebb_guard_entry {
    uint64_t region_start;  /* first byte of the region the entry answers for (guards included) */
    uint64_t region_end;    /* one past its last byte */
    uint64_t user;          /* the block's first byte */
    uint64_t size;          /* the block's requested size */
    int32_t state;          /* 0 empty, 1 live, 2 freed; written last when an entry is filled */
    int32_t alloc_thread;   /* managed thread ids of the allocation and the free */
    int32_t free_thread;
    int32_t pad;
    const char *alloc_text; /* the allocation's frames, "    at ...\n    at ...", NUL-terminated */
    const char *free_text;  /* the free's frames, or NULL */
};

struct ebb_guard_table {
    volatile int64_t capacity;
    volatile int64_t high;  /* entries [0, high) may be in use */
    struct ebb_guard_entry entries[];
};

static struct ebb_guard_table *volatile table;
static struct sigaction previous;
static volatile sig_atomic_t installed;

static void put(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void put_dec(uint64_t v) {
    char buf[24];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v && i > 0);
    put(buf + i);
}

static void put_hex(uint64_t v) {
    char buf[24];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do { buf[--i] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v && i > 2);
    buf[--i] = 'x';
    buf[--i] = '0';
    put(buf + i);
}

static void put_bytes(uint64_t n) {
    put_dec(n);
    put(n == 1 ? " byte" : " bytes");
}

/* The distance of addr from the block: 0 inside it, else bytes outside (for the nearest match). */
static uint64_t distance(const struct ebb_guard_entry *e, uint64_t addr) {
    if (addr < e->user) return e->user - addr;
    if (addr >= e->user + e->size) return addr - (e->user + e->size) + 1;
    return 0;
}

static const struct ebb_guard_entry *find(uint64_t addr) {
    struct ebb_guard_table *t = table;
    if (!t) return 0;
    const struct ebb_guard_entry *best = 0;
    uint64_t best_distance = 0;
    int64_t high = t->high;
    for (int64_t i = 0; i < high && i < t->capacity; i++) {
        const struct ebb_guard_entry *e = &t->entries[i];
        if (e->state == 0 || addr < e->region_start || addr >= e->region_end) continue;
        /* Neighbouring slots share a guard page: the nearer block is the one overrun. */
        uint64_t d = distance(e, addr);
        if (!best || d < best_distance) { best = e; best_distance = d; }
    }
    return best;
}

static void report(const struct ebb_guard_entry *e, uint64_t addr, int is_write) {
    int freed = e->state == 2;
    const char *kind = freed ? "heap-use-after-free"
        : addr < e->user ? "heap-buffer-underflow" : "heap-buffer-overflow";
    put("ebb: ERROR: ");
    put(kind);
    put(is_write ? ": write at " : ": read at ");
    put_hex(addr);
    put(", ");
    if (addr < e->user) { put_bytes(e->user - addr); put(" before"); }
    else if (addr >= e->user + e->size) { put_bytes(addr - e->user - e->size); put(" after"); }
    else { put_bytes(addr - e->user); put(" inside"); }
    put(freed ? " the freed " : " the ");
    put_dec(e->size);
    put("-byte block at ");
    put_hex(e->user);
    put(", at the faulting instruction\n");
    put("allocated by thread ");
    put_dec((uint64_t)e->alloc_thread);
    put(" at:\n");
    if (e->alloc_text) { put(e->alloc_text); put("\n"); }
    if (freed) {
        put("freed by thread ");
        put_dec((uint64_t)e->free_thread);
        put(" at:\n");
        if (e->free_text) { put(e->free_text); put("\n"); }
    }
}

static void chain(int sig, siginfo_t *info, void *context) {
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) { previous.sa_sigaction(sig, info, context); return; }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    /* No handler before us: restore the default and return, so the access faults again and kills. */
    signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    uint64_t addr = (uint64_t)(uintptr_t)info->si_addr;
    const struct ebb_guard_entry *e = find(addr);
    if (e) {
        int is_write = 0;
#if defined(__x86_64__)
        /* Bit 1 of the page-fault error code: the access was a write. */
        ucontext_t *uc = (ucontext_t *)context;
        is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#endif
        report(e, addr, is_write);
    }
    chain(sig, info, context);
}

/* Publishes the table and installs the handler once (after the runtime's). Returns 0 on success. */
int ebb_fault_install(struct ebb_guard_table *t) {
    table = t;
    if (installed) return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sigemptyset(&sa.sa_mask);
    /* The runtime's handler expects the alternate signal stack and re-entrancy it asked for. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
    if (sigaction(SIGSEGV, &sa, &previous) != 0) return -1;
    installed = 1;
    return 0;
}
