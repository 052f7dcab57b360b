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
 * The report has the same form as the managed paths' (src/Ebb/Checks/ErrorReport.cs):
 *   ebb: ERROR: heap-buffer-overflow: write at 0x..., 0 bytes after the 13-byte block at 0x...
 *   WRITE of size 1 at 0x...; detected in process P at the faulting instruction (...)
 *   0x... is located 0 bytes to the right of 13-byte region [0x...,0x...)
 *   allocated by thread N at:
 *       at Namespace.Type.Method in /src/File.cs:line 12   (rendered by the managed side, on request)
 *   freed by thread N at:                (use after free only)
 *   SUMMARY: Ebb: heap-buffer-overflow at the faulting instruction (process P)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
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
    uint32_t alloc_stack;   /* stack depot ids of the allocation and the free */
    uint32_t free_stack;
    int32_t pad;
};

/* Must match StackDepot.cs: the depot's texts by stack id, NUL-terminated UTF-8 frames
 * ("    at ...
    at ..."); NULL where a stack has not been rendered yet. The array is
 * replaced when it grows (its pointer published before the count), never freed. */
struct ebb_stack_texts {
    const char *volatile *volatile texts;
    volatile int64_t count;
};

struct ebb_guard_table {
    volatile int64_t capacity;
    volatile int64_t high;  /* entries [0, high) may be in use */
    struct ebb_stack_texts *volatile stacks;
    /* An eventfd a managed thread waits on to render the texts of the table's stacks that
     * are not rendered yet (the managed side renders them only when a report needs them),
     * or -1 when there is no such thread. */
    volatile int64_t render_fd;
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

/*
 * The size of the memory access of the instruction at pc, from its encoding: the common
 * loads and stores the JIT emits (mov, movzx/movsx, ALU with a memory operand, SSE/AVX
 * moves). 0 when the instruction is not one of these.
 */
static int access_size(const uint8_t *pc) {
    int opsize16 = 0, rex_w = 0, rep_f3 = 0, rep_f2 = 0;
    for (int i = 0; i < 14; i++, pc++) {
        uint8_t b = *pc;
        if (b == 0x66) opsize16 = 1;
        else if (b == 0xF3) rep_f3 = 1;
        else if (b == 0xF2) rep_f2 = 1;
        else if (b == 0x67 || b == 0xF0 || b == 0x2E || b == 0x3E || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65) continue;
        else break;
    }
    if ((*pc & 0xF0) == 0x40) { rex_w = (*pc & 8) != 0; pc++; }
    int word = rex_w ? 8 : opsize16 ? 2 : 4;
    uint8_t op = pc[0];
    if (op == 0xC5 || op == 0xC4) {
        /* VEX: map, L and pp from the prefix, then the opcode. */
        int map = 1, l, pp, w = 0;
        if (op == 0xC5) { l = (pc[1] >> 2) & 1; pp = pc[1] & 3; op = pc[2]; }
        else { map = pc[1] & 0x1F; w = pc[2] >> 7; l = (pc[2] >> 2) & 1; pp = pc[2] & 3; op = pc[3]; }
        if (map != 1) return 0;
        if (op == 0x10 || op == 0x11) return pp == 2 ? 4 : pp == 3 ? 8 : l ? 32 : 16;
        if (op == 0x6F || op == 0x7F || op == 0x28 || op == 0x29 || op == 0xE7 || op == 0x2B) return l ? 32 : 16;
        if (op == 0x7E || op == 0x6E) return pp == 2 ? 8 : w ? 8 : 4;
        if (op == 0xD6) return 8;
        return 0;
    }
    switch (op) {
    case 0x88: case 0x8A: case 0xC6: case 0x80: case 0x84: case 0xF6: case 0xFE:
    case 0x00: case 0x02: case 0x08: case 0x0A: case 0x20: case 0x22: case 0x28: case 0x2A:
    case 0x30: case 0x32: case 0x38: case 0x3A:
        return 1;
    case 0x89: case 0x8B: case 0xC7: case 0x81: case 0x83: case 0x85: case 0xF7:
    case 0x01: case 0x03: case 0x09: case 0x0B: case 0x21: case 0x23: case 0x29: case 0x2B:
    case 0x31: case 0x33: case 0x39: case 0x3B:
        return word;
    case 0x63:
        return 4;
    case 0x0F:
        switch (pc[1]) {
        case 0xB6: case 0xBE: return 1;
        case 0xB7: case 0xBF: return 2;
        case 0x10: case 0x11: return rep_f3 ? 4 : rep_f2 ? 8 : 16;
        case 0x28: case 0x29: case 0x2B: case 0xE7: return 16;
        case 0x6F: case 0x7F: return opsize16 || rep_f3 ? 16 : 8;
        case 0x7E: return rep_f3 ? 8 : rex_w ? 8 : 4;
        case 0x6E: return rex_w ? 8 : 4;
        case 0xD6: return 8;
        default: return 0;
        }
    default:
        return 0;
    }
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

/* The rendered frames of stack `id`, or NULL while they are not rendered. */
static const char *text_of(uint32_t id) {
    struct ebb_stack_texts *st = table ? table->stacks : 0;
    if (!st) return 0;
    int64_t count = __atomic_load_n(&st->count, __ATOMIC_ACQUIRE);
    const char *volatile *texts = __atomic_load_n(&st->texts, __ATOMIC_ACQUIRE);
    if ((int64_t)id >= count) return 0;
    return texts[id];
}

/* Frames are rendered (and symbolized) by the managed side only when a report needs them, so
 * capture stays cheap: ask its thread for the missing ones and wait for them, at most a few
 * seconds (the process is about to end anyway). That thread runs managed code while this one
 * sits in a signal handler; should it need this thread to stop for a GC, it cannot answer, and
 * the report goes out without those frames. */
static void await_texts(const struct ebb_guard_entry *e, int freed) {
    if (text_of(e->alloc_stack) && (!freed || text_of(e->free_stack))) return;
    int64_t fd = table->render_fd;
    if (fd < 0) return;
    uint64_t one = 1;
    if (write((int)fd, &one, sizeof one) != (ssize_t)sizeof one) return;
    struct timespec pause = { 0, 1000000 };
    for (int i = 0; i < 5000; i++) {
        if (text_of(e->alloc_stack) && (!freed || text_of(e->free_stack))) return;
        nanosleep(&pause, 0);
    }
}

static void put_frames(uint32_t id) {
    const char *text = text_of(id);
    put(text ? text : "    (frames not rendered: the reporter's thread did not answer in time)");
    put("\n");
}

static void report(const struct ebb_guard_entry *e, uint64_t addr, int is_write, int size) {
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
    /* The access, as AddressSanitizer's report gives it. */
    put(is_write ? "WRITE" : "READ");
    if (size > 0) { put(" of size "); put_dec((uint64_t)size); }
    put(" at ");
    put_hex(addr);
    put("; detected in process ");
    put_dec((uint64_t)getpid());
    put(" at the faulting instruction (the runtime's frames of it follow this report)\n");
    put_hex(addr);
    put(" is located ");
    if (addr < e->user) { put_dec(e->user - addr); put(" bytes to the left of "); }
    else if (addr >= e->user + e->size) { put_dec(addr - e->user - e->size); put(" bytes to the right of "); }
    else { put_dec(addr - e->user); put(" bytes inside of "); }
    put_dec(e->size);
    put("-byte region [");
    put_hex(e->user);
    put(",");
    put_hex(e->user + e->size);
    put(")\n");
    await_texts(e, freed);
    put("allocated by thread ");
    put_dec((uint64_t)e->alloc_thread);
    put(" at:\n");
    put_frames(e->alloc_stack);
    if (freed) {
        put("freed by thread ");
        put_dec((uint64_t)e->free_thread);
        put(" at:\n");
        put_frames(e->free_stack);
    }
    put("SUMMARY: Ebb: ");
    put(kind);
    put(" at the faulting instruction (process ");
    put_dec((uint64_t)getpid());
    put(")\n");
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
        int is_write = 0, size = 0;
#if defined(__x86_64__)
        /* Bit 1 of the page-fault error code: the access was a write. */
        ucontext_t *uc = (ucontext_t *)context;
        is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
        /* The faulting instruction is in executable memory the thread was running: readable. */
        size = access_size((const uint8_t *)(uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
#endif
        report(e, addr, is_write, size);
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
