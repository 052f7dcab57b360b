/*
 * libebb.so's checked and guarded modes for C programs (EBB_CHECK=1, EBB_GUARD=all|sample:N):
 * the part that needs libc. The checks themselves (block layout, redzones, quarantine, live
 * list, stack depot, guarded pages) are C# in src/Ebb.Native/Checks; this file captures stacks
 * (glibc's backtrace), prints reports (symbolized at print time: dladdr, then addr2line for
 * file:line), handles SIGSEGV in guarded modes, and runs the exit-time scan and leak report.
 * Reports follow the .NET host's shape (docs/checks.md), each line prefixed ==PID== as ASan's
 * and valgrind's are. Nothing here calls malloc while a report is printed: buffers are static
 * or on the stack, and addr2line is started with posix_spawn.
 */
#define _GNU_SOURCE
#include "ebb_check.h"
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* As src/Ebb.Native/Checks/CheckReport.cs lays it out: every field 8 bytes. */
typedef struct ebb_check_report {
    int64_t kind, when;
    uintptr_t addr, block, size;
    int64_t first, last, alloc_stack, free_stack, alloc_tid, free_tid, access;
} ebb_check_report;

typedef struct leak_group {
    int64_t stack, bytes, blocks;
    uintptr_t sample;
} leak_group;

enum { K_NONE, K_OVERFLOW, K_UNDERFLOW, K_UAF, K_DOUBLE, K_INVALID, K_FOREIGN, K_PLAIN };
enum { W_FREE, W_QUARANTINE, W_EXIT, W_REALLOC, W_FAULT };

/* The C# side (src/Ebb.Native/Checks). */
extern int ebb_check_init(uint64_t secret, size_t quarantine_bytes, int shard_locks);
extern uint32_t ebb_depot_put(uintptr_t *frames, int n);
extern int ebb_depot_get(uint32_t id, uintptr_t **frames);
extern void *ebb_check_malloc(void *heap, size_t size, size_t align, int zero, uint32_t stack, int tid);
extern int ebb_check_free(void *heap, void *p, uint32_t stack, int tid, ebb_check_report *r);
extern size_t ebb_check_size(void *p, ebb_check_report *r);
extern int ebb_check_scan(ebb_check_report *r);
extern int ebb_check_leaks(leak_group *groups, int max, int64_t *bytes, int64_t *blocks);
extern int ebb_check_mark_begin(void);
extern void ebb_check_mark_range(uintptr_t start, uintptr_t end);
extern void ebb_check_mark_finish(void);
extern int ebb_guard_init(int sample, int slots, size_t budget_bytes, size_t min_align);
extern int ebb_guard_owns(void *p);
extern void ebb_guard_region(uintptr_t *start, size_t *bytes);
extern void *ebb_guard_malloc(size_t size, size_t align, int zero, uint32_t stack, int tid);
extern int ebb_guard_free(void *p, uint32_t stack, int tid, ebb_check_report *r);
extern size_t ebb_guard_size(void *p, ebb_check_report *r);
extern int ebb_guard_describe(uintptr_t addr, ebb_check_report *r);
/* The core, for blocks the modes do not take. */
extern void *ebb_core_malloc(size_t size, void *heap);
extern void *ebb_core_calloc(void *heap, size_t size);
extern void ebb_core_free(void *p, void *heap);
extern void *ebb_core_realloc(void *heap, void *p, size_t size);
extern void *ebb_core_aligned(void *heap, size_t size, size_t alignment);
extern size_t ebb_core_usable_size(void *heap, void *p);
extern int ebb_core_owns(void *p);

int ebb_mode = -1;

static int g_stacks = 1, g_leaks, g_leak_exitcode = 23, g_sample_rate = 5000, g_slots = 64;
static long g_quarantine_mb = 16, g_guard_budget_mb = 64, g_guard_align = 16;
/* The quarantine's lock (and the guarded modes' lists), taken once a batch of frees; and one
 * lock per shard of the checked blocks' lists, by a thread's checked malloc and free (the core's
 * CheckedHeap.Shards: as many). Plain mutexes: a shard's lock is seldom contended (an adaptive
 * one's slower uncontended path cost more than its spinning saved). */
#define SHARD_LOCKS 64
static pthread_mutex_t g_check_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_shard_locks[SHARD_LOCKS] = {[0 ... SHARD_LOCKS - 1] = PTHREAD_MUTEX_INITIALIZER};
/* Inside the checks' own machinery (the unwinder, a report): allocations there are ordinary. */
static __thread int t_busy __attribute__((tls_model("initial-exec")));
__thread int ebb_t_sample_left __attribute__((tls_model("initial-exec")));
#define t_sample_left ebb_t_sample_left
static __thread uint64_t t_rand __attribute__((tls_model("initial-exec")));
/* The thread's id, cached: a system call per malloc and free was half of checked mode's cost
 * here. fork's child handler clears it (the child's thread has a new id). */
static __thread int t_tid __attribute__((tls_model("initial-exec")));
static uintptr_t g_self_lo, g_self_hi;
uintptr_t ebb_guard_lo;
size_t ebb_guard_bytes; /* the guarded region, for sampled mode's inline test */
#define g_guard_lo ebb_guard_lo
#define g_guard_bytes ebb_guard_bytes /* libebb.so's own mapping: its frames are left out of stacks */
static int g_err_fd = 2;

void ebb_shim_check_lock(void) { pthread_mutex_lock(&g_check_lock); }
void ebb_shim_check_unlock(void) { pthread_mutex_unlock(&g_check_lock); }
void ebb_shim_shard_lock(int shard) { pthread_mutex_lock(&g_shard_locks[shard]); }
void ebb_shim_shard_unlock(int shard) { pthread_mutex_unlock(&g_shard_locks[shard]); }

void ebb_modes_lock_fork(int phase)
{
    if (ebb_mode <= 0) return;
    if (phase == 2) t_tid = 0;
    if (phase == 0) {
        for (int i = 0; i < SHARD_LOCKS; i++) pthread_mutex_lock(&g_shard_locks[i]);
        pthread_mutex_lock(&g_check_lock);
    } else if (phase == 1) {
        pthread_mutex_unlock(&g_check_lock);
        for (int i = SHARD_LOCKS - 1; i >= 0; i--) pthread_mutex_unlock(&g_shard_locks[i]);
    } else {
        g_check_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
        for (int i = 0; i < SHARD_LOCKS; i++) g_shard_locks[i] = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    }
}

static int tid(void)
{
    int t = t_tid;
    if (UNLIKELY(t == 0)) t_tid = t = (int)syscall(SYS_gettid);
    return t;
}

/* ---- settings ----------------------------------------------------------------------------- */

static void warn(const char *name, const char *v, const char *what, const char *fallback)
{
    char line[256];
    int n = snprintf(line, sizeof line, "ebb: warning: %s=%s is not valid (%s); using %s\n", name, v, what, fallback);
    if (n > 0) { ssize_t w = write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1); (void)w; }
}

static long env_long(const char *name, long fallback, long min, long max, const char *what)
{
    const char *v = getenv(name);
    if (v == NULL || *v == 0) return fallback;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end != 0 || errno != 0 || n < min || n > max) {
        char fb[32];
        snprintf(fb, sizeof fb, "%ld", fallback);
        warn(name, v, what, fb);
        return fallback;
    }
    return n;
}

static int env_bool(const char *name, int fallback)
{
    const char *v = getenv(name);
    if (v == NULL || *v == 0) return fallback;
    if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0) return 0;
    if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0) return 1;
    warn(name, v, "0 or 1", fallback ? "1" : "0");
    return fallback;
}

void ebb_modes_read_env(void)
{
    int mode = EBB_MODE_RELEASE;
    if (env_bool("EBB_CHECK", 0)) mode = EBB_MODE_CHECK;
    const char *g = getenv("EBB_GUARD");
    if (g != NULL && *g != 0 && strcmp(g, "0") != 0 && strcasecmp(g, "off") != 0) {
        int guard = 0;
        if (strcasecmp(g, "all") == 0) guard = EBB_MODE_GUARD_ALL;
        else if (strcasecmp(g, "sample") == 0) guard = EBB_MODE_GUARD_SAMPLE;
        else if (strncasecmp(g, "sample:", 7) == 0) {
            char *end;
            errno = 0;
            long n = strtol(g + 7, &end, 10);
            if (*end == 0 && errno == 0 && n >= 1 && n <= 0x7fffffff) {
                guard = EBB_MODE_GUARD_SAMPLE;
                g_sample_rate = (int)n;
            }
        }
        if (guard == 0) warn("EBB_GUARD", g, "all, sample or sample:N with N from 1", "off");
        else {
            if (mode == EBB_MODE_CHECK) warn("EBB_CHECK", "1", "EBB_GUARD is set too, and guarded mode wins", "0");
            mode = guard;
        }
    }
    if (mode != EBB_MODE_RELEASE) {
        g_stacks = env_bool("EBB_STACKS", 1);
        g_leaks = env_bool("EBB_LEAKS", 0);
        g_leak_exitcode = (int)env_long("EBB_LEAK_EXITCODE", 23, 0, 255, "0 to 255");
        g_quarantine_mb = env_long("EBB_QUARANTINE_MB", 16, 0, 1L << 20, "MiB from 0");
        g_slots = (int)env_long("EBB_GUARD_SLOTS", 64, 1, 65536, "1 to 65536");
        g_guard_budget_mb = env_long("EBB_GUARD_BUDGET_MB", 64, 0, 1L << 20, "MiB from 0");
        g_guard_align = env_long("EBB_GUARD_ALIGN", 16, 1, 16, "1, 2, 4, 8 or 16");
        if (g_guard_align & (g_guard_align - 1)) {
            char v[24];
            snprintf(v, sizeof v, "%ld", g_guard_align);
            warn("EBB_GUARD_ALIGN", v, "1, 2, 4, 8 or 16", "16");
            g_guard_align = 16;
        }
    }
    ebb_mode = mode;
}

/* ---- stacks ------------------------------------------------------------------------------- */

enum { MAX_FRAMES = 16 };

/*
 * A walk remembered: glibc's unwinder costs about 0.3 us a frame here (it interprets each
 * frame's DWARF rules), 2-3 us a capture, so each thread keeps its last few walks. A capture
 * from the same stack pointer whose every return address (the ones the stack id holds, and
 * libebb.so's own above them) still sits in the same stack slot would unwind the same way
 * (each frame's CFA follows from the slot below and the return address), so the remembered
 * id stands: the .NET host's cached frame-pointer walks, for code without frame pointers.
 */
enum { WALKS = 4, MAX_RAW = MAX_FRAMES + 8, SCAN_WORDS = 16384, SHORT_SCAN_WORDS = 512 };
/* Kept small (about 300 bytes a thread of static TLS, which a dlopen of libebb.so must find
 * room for): the slots' return addresses are kept as a 64-bit hash, not one by one. */
typedef struct walk {
    uintptr_t sp;
    uint64_t hash;              /* of the return addresses in the slots */
    uint32_t id;
    int n;                      /* slots to check; 0: empty */
    uint16_t at[MAX_RAW];       /* word offsets from sp */
} walk;

static inline uint64_t mix(uint64_t h, uintptr_t v) { return (h ^ v) * 0x100000001b3u; }
static __thread walk t_walks[WALKS] __attribute__((tls_model("initial-exec")));
static __thread unsigned t_walk_next __attribute__((tls_model("initial-exec")));

/* The calling thread's stack, [lo, hi): how far up the scan below may read. Found once a thread
 * (pthread_getattr_np; the main thread's reads /proc/self/maps and allocates, hence t_busy);
 * hi is 1 when it could not be found. */
static __thread uintptr_t t_stack_lo __attribute__((tls_model("initial-exec")));
static __thread uintptr_t t_stack_hi __attribute__((tls_model("initial-exec")));

static void find_stack(void)
{
    int busy = t_busy;
    t_busy = 1;
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        void *lo;
        size_t size;
        if (pthread_attr_getstack(&a, &lo, &size) == 0) {
            t_stack_lo = (uintptr_t)lo;
            t_stack_hi = (uintptr_t)lo + size;
        }
        pthread_attr_destroy(&a);
    }
    t_busy = busy;
    if (t_stack_hi == 0) t_stack_hi = 1;
}

/* The calling path's stack in the depot (0 when stacks are off): libebb.so's own frames left out. */
static __attribute__((noinline)) uint32_t capture(void)
{
    if (!g_stacks) return 0;
    uintptr_t *sp = __builtin_frame_address(0);
    for (int w = 0; w < WALKS; w++) {
        walk *c = &t_walks[w];
        if (c->sp != (uintptr_t)sp || c->n == 0) continue;
        uint64_t h = 0xcbf29ce484222325u;
        for (int k = 0; k < c->n; k++) h = mix(h, sp[c->at[k]]);
        if (h == c->hash) return c->id;
    }
    void *raw[MAX_RAW];
    int busy = t_busy;
    t_busy = 1;
    int n = backtrace(raw, MAX_RAW);
    t_busy = busy;
    int i = 0;
    while (i < n && (uintptr_t)raw[i] - g_self_lo < g_self_hi - g_self_lo) i++;
    int count = n - i > MAX_FRAMES ? MAX_FRAMES : n - i;
    uint32_t id = ebb_depot_put((uintptr_t *)raw + i, count);
    /* Remember where each return address lies (raw[0] is this function's own call of
     * backtrace, below sp); give up when one is not within SCAN_WORDS of the one before (a
     * frame may hold a large array: glibc-bench's thread loop keeps 8 KiB of pointers), and
     * never read past the end of the thread's stack. Off it (a signal stack, a coroutine's),
     * the reach is the short one it had before the stack's end was known. */
    if (t_stack_hi == 0) find_stack();
    long reach = 0x10000, gap = SHORT_SCAN_WORDS;
    if ((uintptr_t)sp >= t_stack_lo && (uintptr_t)sp < t_stack_hi) {
        gap = SCAN_WORDS;
        long words = (long)((t_stack_hi - (uintptr_t)sp) / sizeof(uintptr_t));
        if (words < reach) reach = words;
    }
    walk *c = &t_walks[t_walk_next++ % WALKS];
    c->n = 0;
    int at = -1, m = 0;
    uint64_t h = 0xcbf29ce484222325u;
    for (int k = 1; k < i + count; k++) {
        long limit = at + 1 + gap;
        if (limit > reach) limit = reach;
        long j = at + 1;
        while (j < limit && sp[j] != (uintptr_t)raw[k]) j++;
        if (j == limit || j > 0xffff) return id;
        c->at[m++] = (uint16_t)j;
        h = mix(h, (uintptr_t)raw[k]);
        at = j;
    }
    c->sp = (uintptr_t)sp;
    c->hash = h;
    c->id = id;
    c->n = m;
    return id;
}

/* libebb.so's address range, from its ELF program headers (mapped with its first segment). */
static void find_self(void)
{
    Dl_info info;
    if (dladdr((void *)find_self, &info) == 0 || info.dli_fbase == NULL) return;
    const Elf64_Ehdr *eh = info.dli_fbase;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
    uintptr_t hi = 0;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > hi) hi = ph[i].p_vaddr + ph[i].p_memsz;
    g_self_lo = (uintptr_t)info.dli_fbase;
    g_self_hi = g_self_lo + hi;
}

/* ---- symbolization (at report time only) --------------------------------------------------- */

typedef struct sym {
    uintptr_t pc;      /* the address looked up (a return address minus 1) */
    uintptr_t shown;   /* the address printed */
    int module;        /* index into g_modules, -1 when dladdr knows none */
    uintptr_t offset;  /* the address addr2line is given */
    char func[160];
    char file[256];
} sym;

enum { MAX_SYMS = 3 * MAX_FRAMES + 1, MAX_MODULES = 16 };
static sym g_syms[MAX_SYMS];
static int g_nsyms;
static char g_modules[MAX_MODULES][256];
static int g_nmodules;

static const char *find_addr2line(void)
{
    static const char *const candidates[] = {"/usr/bin/addr2line", "/bin/addr2line", "/usr/local/bin/addr2line"};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (access(candidates[i], X_OK) == 0) return candidates[i];
    return NULL;
}

static int add_sym(uintptr_t addr, int exact)
{
    if (g_nsyms == MAX_SYMS) return -1;
    sym *s = &g_syms[g_nsyms];
    memset(s, 0, sizeof *s);
    s->shown = addr;
    s->pc = exact ? addr : addr - 1;
    s->module = -1;
    Dl_info info;
    if (dladdr((void *)s->pc, &info) != 0 && info.dli_fbase != NULL) {
        char path[256];
        const char *name = info.dli_fname;
        if (name == NULL || name[0] == 0 || strchr(name, '/') == NULL) {
            ssize_t k = readlink("/proc/self/exe", path, sizeof path - 1);
            path[k > 0 ? k : 0] = 0;
            name = path;
        }
        int m = 0;
        while (m < g_nmodules && strcmp(g_modules[m], name) != 0) m++;
        if (m == g_nmodules && m < MAX_MODULES) {
            snprintf(g_modules[m], sizeof g_modules[m], "%s", name);
            g_nmodules++;
        }
        if (m < g_nmodules) s->module = m;
        /* addr2line takes a link-time address: the address itself in a fixed-address program,
         * the offset from the load base in a PIE or a shared library. */
        const Elf64_Ehdr *eh = info.dli_fbase;
        s->offset = eh->e_type == ET_EXEC ? s->pc : s->pc - (uintptr_t)info.dli_fbase;
        if (info.dli_sname != NULL) snprintf(s->func, sizeof s->func, "%s", info.dli_sname);
    }
    return g_nsyms++;
}

/* One addr2line per module, every address of the report at once. */
static void symbolize_module(int m, const char *tool)
{
    extern char **environ;
    char *argv[8 + MAX_SYMS];
    char offsets[MAX_SYMS][24];
    int idx[MAX_SYMS], n = 0, a = 0;
    argv[a++] = (char *)tool;
    argv[a++] = "-f";
    argv[a++] = "-C";
    argv[a++] = "-e";
    argv[a++] = g_modules[m];
    for (int i = 0; i < g_nsyms; i++) {
        if (g_syms[i].module != m) continue;
        snprintf(offsets[n], sizeof offsets[n], "%#lx", (unsigned long)g_syms[i].offset);
        argv[a++] = offsets[n];
        idx[n++] = i;
    }
    argv[a] = NULL;
    if (n == 0) return;
    /* The child gets the environment without the preload: addr2line runs with glibc's malloc. */
    char *env[256];
    int e = 0;
    for (char **v = environ; v != NULL && *v != NULL && e < 255; v++)
        if (strncmp(*v, "LD_PRELOAD=", 11) != 0 && strncmp(*v, "EBB_", 4) != 0) env[e++] = *v;
    env[e] = NULL;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, tool, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return;
    }
    static char out[64 * 1024];
    size_t len = 0;
    for (;;) {
        ssize_t k = read(fds[0], out + len, sizeof out - 1 - len);
        if (k > 0) len += (size_t)k;
        else if (k < 0 && errno == EINTR) continue;
        else break;
        if (len == sizeof out - 1) break;
    }
    out[len] = 0;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    /* Two lines per address: the function, then file:line ("??" and "??:0" when unknown). */
    char *line = out;
    for (int i = 0; i < n && line && *line; i++) {
        char *fn = line, *nl = strchr(fn, '\n');
        if (!nl) break;
        *nl = 0;
        char *file = nl + 1;
        nl = strchr(file, '\n');
        if (nl) *nl = 0;
        line = nl ? nl + 1 : NULL;
        sym *s = &g_syms[idx[i]];
        if (strcmp(fn, "??") != 0) snprintf(s->func, sizeof s->func, "%s", fn);
        char *disc = strstr(file, " (discriminator");
        if (disc) *disc = 0;
        if (strncmp(file, "??", 2) != 0 && strstr(file, ":0") != file + strlen(file) - 2)
            snprintf(s->file, sizeof s->file, "%s", file);
    }
}

static void symbolize_all(void)
{
    const char *tool = find_addr2line();
    if (tool == NULL) return;
    for (int m = 0; m < g_nmodules; m++) symbolize_module(m, tool);
}

/* ---- printing ----------------------------------------------------------------------------- */

static char g_out[32 * 1024];
static size_t g_outlen;

static void out(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    if (g_outlen + (size_t)n + 16 >= sizeof g_out) return;
    g_outlen += (size_t)snprintf(g_out + g_outlen, sizeof g_out - g_outlen, "==%d== %s", (int)getpid(), line);
}

static void flush_out(void)
{
    size_t done = 0;
    while (done < g_outlen) {
        ssize_t w = write(g_err_fd, g_out + done, g_outlen - done);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            break;
        }
        done += (size_t)w;
    }
    g_outlen = 0;
}

typedef struct stack_syms { int first, count; } stack_syms;

static stack_syms add_stack(uint32_t id)
{
    stack_syms st = {g_nsyms, 0};
    uintptr_t *frames;
    int n = ebb_depot_get(id, &frames);
    for (int i = 0; i < n; i++)
        if (add_sym(frames[i], 0) >= 0) st.count++;
    return st;
}

static void print_stack(stack_syms st)
{
    if (st.count == 0) {
        out("    (no stack recorded%s)\n", g_stacks ? "" : ": EBB_STACKS=0");
        return;
    }
    for (int i = 0; i < st.count; i++) {
        sym *s = &g_syms[st.first + i];
        const char *mod = s->module >= 0 ? g_modules[s->module] : "?";
        const char *base = strrchr(mod, '/');
        base = base ? base + 1 : mod;
        if (s->func[0] && s->file[0]) out("    #%d %#lx in %s %s\n", i, (unsigned long)s->shown, s->func, s->file);
        else if (s->func[0]) out("    #%d %#lx in %s (%s+%#lx)\n", i, (unsigned long)s->shown, s->func, base, (unsigned long)s->offset);
        else out("    #%d %#lx (%s+%#lx)\n", i, (unsigned long)s->shown, base, (unsigned long)s->offset);
    }
}

static const char *kind_name(int64_t k)
{
    switch (k) {
    case K_OVERFLOW: return "heap-buffer-overflow";
    case K_UNDERFLOW: return "heap-buffer-underflow";
    case K_UAF: return "heap-use-after-free";
    case K_DOUBLE: return "double-free";
    case K_INVALID: case K_FOREIGN: return "invalid-free";
    default: return "heap-corruption";
    }
}

static const char *when_text(int64_t w)
{
    switch (w) {
    case W_FREE: return ", found at free";
    case W_QUARANTINE: return ", found when it left quarantine";
    case W_EXIT: return ", found at exit";
    case W_REALLOC: return ", found at realloc";
    default: return "";
    }
}

static const char *plural(long n) { return n == 1 ? "" : "s"; }

/* What kind of memory a pointer Ebb never handed out is, for an invalid free. */
static const char *foreign_what(uintptr_t a, char *buf, size_t len)
{
    char here;
    uintptr_t sp = (uintptr_t)&here;
    if (a >= sp - 65536 && a < sp + (8u << 20)) return "on the stack";
    Dl_info info;
    if (dladdr((void *)a, &info) != 0 && info.dli_fname != NULL) {
        const char *base = strrchr(info.dli_fname, '/');
        snprintf(buf, len, "in the data of %s", base ? base + 1 : info.dli_fname[0] ? info.dli_fname : "the program");
        return buf;
    }
    return NULL;
}

/* Prints the report of r (detected_by: the detecting stack, exact_pc: a fault's instruction, or 0). */
static void report(const ebb_check_report *r, uint32_t detected_by, uintptr_t exact_pc, const char *verb, const char *foreign)
{
    t_busy = 1;
    g_nsyms = 0;
    g_nmodules = 0;
    stack_syms det = {0, 0};
    if (exact_pc) {
        det.first = g_nsyms;
        if (add_sym(exact_pc, 1) >= 0) det.count = 1;
        stack_syms rest = add_stack(detected_by);
        det.count += rest.count;
    } else det = add_stack(detected_by);
    stack_syms alloc = add_stack((uint32_t)r->alloc_stack);
    stack_syms freed = add_stack((uint32_t)r->free_stack);
    symbolize_all();

    const char *kind = kind_name(r->kind);
    long bytes = r->last - r->first + 1;
    uintptr_t b = r->block;
    size_t size = r->size;
    switch (r->kind) {
    case K_OVERFLOW:
        if (r->when == W_FAULT) out("ebb: ERROR: %s: %s %ld bytes after the %zu-byte block at %#lx\n", kind, verb, (long)(r->first - (int64_t)size), size, (unsigned long)b);
        else out("ebb: ERROR: %s: %ld byte%s written %ld bytes after the %zu-byte block at %#lx%s\n", kind, bytes, plural(bytes), (long)(r->first - (int64_t)size), size, (unsigned long)b, when_text(r->when));
        break;
    case K_UNDERFLOW:
        if (r->when == W_FAULT) out("ebb: ERROR: %s: %s %ld bytes before the %zu-byte block at %#lx\n", kind, verb, (long)-r->first, size, (unsigned long)b);
        else out("ebb: ERROR: %s: %ld byte%s written %ld bytes before the %zu-byte block at %#lx%s\n", kind, bytes, plural(bytes), (long)-r->first, size, (unsigned long)b, when_text(r->when));
        break;
    case K_UAF:
        if (r->when == W_FAULT) out("ebb: ERROR: %s: %s %ld bytes inside the freed %zu-byte block at %#lx\n", kind, verb, (long)r->first, size, (unsigned long)b);
        else out("ebb: ERROR: %s: %ld byte%s written %ld bytes inside the freed %zu-byte block at %#lx%s\n", kind, bytes, plural(bytes), (long)r->first, size, (unsigned long)b, when_text(r->when));
        break;
    case K_DOUBLE:
        if (b) out("ebb: ERROR: double-free: %s%#lx, the %zu-byte block at %#lx is free already\n", r->when == W_REALLOC ? "realloc of " : "", (unsigned long)r->addr, size, (unsigned long)b);
        else out("ebb: ERROR: double-free: %s%#lx, whose memory is free already\n", r->when == W_REALLOC ? "realloc of " : "", (unsigned long)r->addr);
        break;
    default:
        if (b) out("ebb: ERROR: invalid-free: %#lx is %ld bytes inside the %zu-byte block at %#lx, not its start\n", (unsigned long)r->addr, (long)(r->addr - b), size, (unsigned long)b);
        else if (foreign) out("ebb: ERROR: invalid-free: %#lx was not allocated by malloc (%s)\n", (unsigned long)r->addr, foreign);
        else out("ebb: ERROR: invalid-free: %#lx was not allocated by malloc\n", (unsigned long)r->addr);
        break;
    }
    if (r->kind == K_OVERFLOW || r->kind == K_UNDERFLOW || r->kind == K_UAF) {
        if (r->when == W_FAULT) out("%s at %#lx; detected by thread %d of process %d at:\n", verb, (unsigned long)r->addr, tid(), (int)getpid());
        else out("WRITE of size %ld at %#lx; detected by thread %d of process %d at:\n", bytes, (unsigned long)r->addr, tid(), (int)getpid());
    } else out("detected by thread %d of process %d at:\n", tid(), (int)getpid());
    print_stack(det);
    if (b) {
        uintptr_t a = r->addr;
        if (a >= b + size) out("%#lx is located %lu bytes to the right of %zu-byte region [%#lx,%#lx)\n", (unsigned long)a, (unsigned long)(a - b - size), size, (unsigned long)b, (unsigned long)(b + size));
        else if (a < b) out("%#lx is located %lu bytes to the left of %zu-byte region [%#lx,%#lx)\n", (unsigned long)a, (unsigned long)(b - a), size, (unsigned long)b, (unsigned long)(b + size));
        else out("%#lx is located %lu bytes inside of %zu-byte region [%#lx,%#lx)\n", (unsigned long)a, (unsigned long)(a - b), size, (unsigned long)b, (unsigned long)(b + size));
        out("allocated by thread %d at:\n", (int)r->alloc_tid);
        print_stack(alloc);
        if (r->free_stack || r->free_tid) {
            out("freed by thread %d at:\n", (int)r->free_tid);
            print_stack(freed);
        }
    }
    /* The summary names the first frame of the detecting stack outside the C library. */
    const sym *top = NULL;
    for (int i = 0; i < det.count && top == NULL; i++) {
        const sym *s = &g_syms[det.first + i];
        if (s->file[0]) top = s;
    }
    if (top == NULL && det.count > 0) top = &g_syms[det.first];
    if (top && top->file[0]) out("SUMMARY: Ebb: %s %s in %s (process %d)\n", kind, top->file, top->func, (int)getpid());
    else if (top && top->func[0]) out("SUMMARY: Ebb: %s in %s (process %d)\n", kind, top->func, (int)getpid());
    else out("SUMMARY: Ebb: %s (process %d)\n", kind, (int)getpid());
    flush_out();
}

static __attribute__((noreturn)) void report_and_abort(const ebb_check_report *r, uint32_t detected_by)
{
    char buf[300];
    const char *foreign = r->kind == K_FOREIGN ? foreign_what(r->addr, buf, sizeof buf) : NULL;
    report(r, detected_by, 0, "", foreign);
    abort();
}

/* ---- the modes' allocation paths ------------------------------------------------------------ */

static void *plain_alloc(size_t size, size_t align, int zero)
{
    void *h = ebb_shim_thread_heap();
    void *p;
    if (align <= 16) p = zero ? ebb_core_calloc(h, size) : ebb_core_malloc(size, h);
    else {
        p = ebb_core_aligned(h, size, align);
        if (p && zero) memset(p, 0, size);
    }
    return p;
}

/* Sampled mode's budget, with no thread of its own: the time spent in sampled allocations and
 * frees (their mprotect, fills and stacks) may be a twentieth of the wall time since start (plus
 * a grace of 50 ms, so a short program or a test gets every block it asks for). Over it, a
 * countdown that runs out is not sampled; the test runs once per countdown, so in one
 * allocation in N. A program that allocates faster than the budget follows gets fewer guarded
 * blocks, never a slower fast path (as the .NET host's guard thread). */
static int64_t g_sample_t0_ns, g_sample_spent_ns;
enum { SAMPLE_BUDGET_SHARE = 20 };
static const int64_t SAMPLE_GRACE_NS = 50 * 1000 * 1000;

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int sample_over_budget(void)
{
    int64_t spent = __atomic_load_n(&g_sample_spent_ns, __ATOMIC_RELAXED);
    return spent * SAMPLE_BUDGET_SHARE > mono_ns() - g_sample_t0_ns + SAMPLE_GRACE_NS;
}

/* The start of sampled work (0 in the other modes, which have no budget), then its end. */
static int64_t sample_clock(void) { return ebb_mode == EBB_MODE_GUARD_SAMPLE ? mono_ns() : 0; }

static void sample_spent(int64_t since)
{
    if (since != 0) __atomic_add_fetch(&g_sample_spent_ns, mono_ns() - since, __ATOMIC_RELAXED);
}

static int sampled_now(void)
{
    if (t_sample_left > 0) return 0; /* (decremented by ebb_mode_alloc) */
    /* The next countdown: uniform in 1 .. 2N-1 (mean N), a xorshift per thread. */
    uint64_t x = t_rand;
    int first = x == 0;
    if (first) x = ((uint64_t)tid() << 32) ^ (uint64_t)(uintptr_t)&x ^ 0x9E3779B97F4A7C15u;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t_rand = x;
    t_sample_left = 1 + (int)(x % (uint64_t)(2 * (int64_t)g_sample_rate - 1));
    /* A thread's first countdown starts at a random phase: its first allocation is not special. */
    return (!first || g_sample_rate == 1) && !sample_over_budget();
}

void *ebb_mode_alloc(size_t size, size_t align, int zero)
{
    /* Sampled mode's common case: not this one, straight to the core. */
    if (ebb_mode == EBB_MODE_GUARD_SAMPLE && --t_sample_left > 0 && align <= 16) {
        void *h = ebb_shim_thread_heap();
        return zero ? ebb_core_calloc(h, size) : ebb_core_malloc(size, h);
    }
    if (ebb_mode < 0) {
        ebb_shim_start();
        if (ebb_mode <= 0) return plain_alloc(size, align, zero);
    }
    if (t_busy) return plain_alloc(size, align, zero);
    void *p = NULL;
    if (ebb_mode == EBB_MODE_CHECK) {
        uint32_t st = capture();
        p = ebb_check_malloc(ebb_shim_thread_heap(), size, align, zero, st, tid());
    } else if (ebb_mode == EBB_MODE_GUARD_ALL || sampled_now()) {
        int64_t t0 = sample_clock();
        uint32_t st = capture();
        p = ebb_guard_malloc(size, align, zero, st, tid());
        sample_spent(t0);
        if (p == NULL) p = plain_alloc(size, align, zero);
    } else return plain_alloc(size, align, zero);
    if (p == NULL) errno = ENOMEM;
    return p;
}

static void handle_error(ebb_check_report *r, uint32_t st)
{
    if (r->kind == K_FOREIGN) {
        /* Memory Ebb never owned: the loader's, from before Ebb was bound, is left alone (as in
         * release mode); the stack or a module's data is an invalid free. */
        char buf[300];
        if (foreign_what(r->addr, buf, sizeof buf) == NULL) return;
    }
    if (st == 0 && g_stacks) st = capture();
    report_and_abort(r, st);
}

void ebb_mode_free(void *p)
{
    if (p == NULL) return;
    ebb_check_report r;
    if (ebb_mode == EBB_MODE_GUARD_SAMPLE && (uintptr_t)p - g_guard_lo >= g_guard_bytes) {
        /* Not a sampled block: release mode's free (which leaves memory Ebb never owned alone). */
        ebb_core_free(p, ebb_shim_thread_heap());
        return;
    }
    if (ebb_mode == EBB_MODE_CHECK) {
        uint32_t st = t_busy ? 0 : capture();
        int k = ebb_check_free(ebb_shim_thread_heap(), p, st, tid(), &r);
        if (k != K_NONE && k != K_PLAIN) handle_error(&r, st);
        return;
    }
    if (ebb_guard_owns(p)) {
        int64_t t0 = sample_clock();
        uint32_t st = t_busy ? 0 : capture();
        if (ebb_guard_free(p, st, tid(), &r) != K_NONE) handle_error(&r, st);
        sample_spent(t0);
        return;
    }
    if (UNLIKELY(!ebb_core_owns(p))) {
        /* As checked mode: the stack or a module's data is an invalid free, the loader's memory is left alone. */
        memset(&r, 0, sizeof r);
        r.kind = K_FOREIGN;
        r.addr = (uintptr_t)p;
        handle_error(&r, 0);
        return;
    }
    ebb_core_free(p, ebb_shim_thread_heap());
}

/* The size of a block of the mode's own, 0 when it is an ordinary block (*plain set), or a report
 * and abort. (malloc_usable_size asks with W_FREE: memory Ebb never owned is 0 there, as in release mode.) */
static size_t mode_size(void *p, int *plain, int when)
{
    ebb_check_report r;
    size_t n;
    *plain = 0;
    if (ebb_mode == EBB_MODE_CHECK) {
        n = ebb_check_size(p, &r);
        if (r.kind == K_PLAIN) { *plain = 1; return 0; }
    } else {
        if (!ebb_guard_owns(p)) { *plain = 1; return 0; }
        n = ebb_guard_size(p, &r);
    }
    if (r.kind == K_FOREIGN && when == W_FREE) return 0;
    if (r.kind != K_NONE) {
        r.when = when;
        if (r.kind == K_FOREIGN) r.kind = K_INVALID;
        report_and_abort(&r, capture());
    }
    return n;
}

void *ebb_mode_realloc(void *p, size_t size)
{
    int plain;
    size_t old = mode_size(p, &plain, W_REALLOC);
    if (plain) return ebb_core_realloc(ebb_shim_thread_heap(), p, size);
    void *q = ebb_mode_alloc(size, 0, 0);
    if (q == NULL) return NULL;
    memcpy(q, p, old < size ? old : size);
    ebb_mode_free(p);
    return q;
}

size_t ebb_mode_usable(void *p)
{
    int plain;
    size_t n = mode_size(p, &plain, W_FREE);
    if (!plain) return n;
    return ebb_core_usable_size(ebb_shim_thread_heap(), p); /* 0 for a pointer Ebb does not own */
}

/* ---- guard faults --------------------------------------------------------------------------- */

static struct sigaction g_old_segv, g_old_bus;
static volatile int g_faulting;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ebb_check_report r;
    struct sigaction *old = sig == SIGBUS ? &g_old_bus : &g_old_segv;
    if (!__sync_lock_test_and_set(&g_faulting, 1) && ebb_guard_describe((uintptr_t)si->si_addr, &r)) {
        ucontext_t *uc = ctx;
        uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
        /* Bit 1 of the page-fault error code: the access was a write. */
        const char *verb = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? "WRITE" : "READ";
        if (r.kind == K_FOREIGN) {
            out("ebb: ERROR: SEGV on unknown address %#lx in Ebb's guarded region (%s); no block there\n", (unsigned long)r.addr, verb);
            flush_out();
        } else {
            /* The faulting frame, then its callers (the unwinder steps through the signal frame). */
            void *raw[MAX_FRAMES + 8];
            int n = backtrace(raw, MAX_FRAMES + 8), i = 0;
            while (i < n && (uintptr_t)raw[i] != pc) i++;
            uint32_t st = i + 1 < n ? ebb_depot_put((uintptr_t *)raw + i + 1, n - i - 1 > MAX_FRAMES - 1 ? MAX_FRAMES - 1 : n - i - 1) : 0;
            report(&r, st, pc, verb, NULL);
        }
    }
    /* Hand the fault on: the previous handler, or the default action when the access runs again. */
    if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction != NULL) {
        old->sa_sigaction(sig, si, ctx);
        return;
    }
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler != NULL) {
        old->sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
}

static void install_fault_handler(void)
{
    /* Its own stack: an overflow into a guard page may come from a thread with little left. */
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
    sigaction(SIGBUS, &sa, &g_old_bus);
}

/* ---- exit ----------------------------------------------------------------------------------- */

static leak_group g_groups[1024];

/* The roots of the leak scan: every readable, writable mapping of the process (modules' data and
 * bss, thread stacks, the program's own mmaps, a pool allocator's arenas) but devices; the
 * registers of this thread are on its stack (spilled by the call). Other threads keep running:
 * a block they link or unlink meanwhile may be misjudged (LeakSanitizer stops them). */
static __attribute__((noinline)) void mark_roots(void)
{
    __builtin_unwind_init();
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    static char buf[256 * 1024];
    size_t len = 0;
    for (;;) {
        ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
        if (k > 0) len += (size_t)k;
        else if (k < 0 && errno == EINTR) continue;
        else break;
        if (len == sizeof buf - 1) break;
    }
    close(fd);
    buf[len] = 0;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        unsigned long lo, hi;
        char perms[8] = "";
        int path = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path) >= 3) {
            const char *name = path > 0 ? line + path : "";
            if (perms[0] == 'r' && perms[1] == 'w' && strncmp(name, "/dev/", 5) != 0 && strcmp(name, "[vvar]") != 0)
                ebb_check_mark_range(lo, hi);
        }
        line = nl ? nl + 1 : NULL;
    }
}

static void at_exit(int status, void *arg)
{
    (void)arg;
    if (ebb_mode != EBB_MODE_CHECK) return;
    t_busy = 1;
    ebb_check_report r;
    if (ebb_check_scan(&r) != K_NONE) report_and_abort(&r, capture());
    if (!g_leaks) return;
    int64_t bytes, blocks;
    if (ebb_check_mark_begin()) {
        mark_roots();
        ebb_check_mark_finish();
    }
    int n = ebb_check_leaks(g_groups, (int)(sizeof g_groups / sizeof *g_groups), &bytes, &blocks);
    /* stdio's buffers (allocated by _IO_file_doallocate, held by the FILE until the flush after
     * the exit handlers) are the C library's, not the program's leaks: valgrind frees them before
     * its report (__libc_freeres), which cannot run here, before stdio's last flush. */
    int kept = 0;
    for (int i = 0; i < n; i++) {
        uintptr_t *frames;
        Dl_info info;
        if (ebb_depot_get((uint32_t)g_groups[i].stack, &frames) > 0 && dladdr((void *)(frames[0] - 1), &info) != 0 &&
            info.dli_sname != NULL && strcmp(info.dli_sname, "_IO_file_doallocate") == 0) {
            bytes -= g_groups[i].bytes;
            blocks -= g_groups[i].blocks;
            continue;
        }
        g_groups[kept++] = g_groups[i];
    }
    n = kept;
    if (blocks == 0) return;
    out("ebb: ERROR: memory-leak: %lld byte%s in %lld block%s\n", (long long)bytes, plural((long)bytes), (long long)blocks, plural((long)blocks));
    flush_out();
    int shown = n < 20 ? n : 20;
    for (int i = 0; i < shown; i++) {
        g_nsyms = 0;
        g_nmodules = 0;
        stack_syms st = add_stack((uint32_t)g_groups[i].stack);
        symbolize_all();
        out("%lld byte%s in %lld block%s allocated at:\n", (long long)g_groups[i].bytes, plural((long)g_groups[i].bytes),
            (long long)g_groups[i].blocks, plural((long)g_groups[i].blocks));
        print_stack(st);
        flush_out();
    }
    if (n > shown) out("... and %d more allocation stacks\n", n - shown);
    out("SUMMARY: Ebb: %lld byte(s) leaked in %lld allocation(s) (process %d)\n", (long long)bytes, (long long)blocks, (int)getpid());
    flush_out();
    /* LeakSanitizer's exit code when the program's own was 0; stdio is flushed first, as exit would. */
    if (status == 0 && g_leak_exitcode != 0) {
        fflush(NULL);
        _exit(g_leak_exitcode);
    }
}

void ebb_modes_started(void)
{
    if (ebb_mode <= 0) return;
    t_busy = 1;
    find_self();
    /* Reports go to a copy of stderr: programs close stderr in their own exit handlers. */
    int fd = fcntl(2, F_DUPFD_CLOEXEC, 10);
    if (fd >= 0) g_err_fd = fd;
    uint64_t secret = (uint64_t)(uintptr_t)&secret ^ ((uint64_t)getpid() << 40);
    unsigned lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    secret ^= ((uint64_t)hi << 32 | lo) * 0x9E3779B97F4A7C15u;
    if (!ebb_check_init(secret, (size_t)g_quarantine_mb << 20, SHARD_LOCKS)) {
        char line[] = "ebb: warning: the checks could not start (no memory for their lists); blocks are not checked\n";
        ssize_t w = write(2, line, sizeof line - 1);
        (void)w;
        ebb_mode = EBB_MODE_RELEASE;
        t_busy = 0;
        return;
    }
    g_sample_t0_ns = mono_ns();
    /* glibc's first backtrace loads libgcc_s (dlopen, which allocates): done now, with t_busy
     * set, so those allocations are ordinary blocks and no capture runs inside a capture. */
    void *prime[2];
    backtrace(prime, 2);
    if (ebb_mode == EBB_MODE_GUARD_ALL || ebb_mode == EBB_MODE_GUARD_SAMPLE) {
        int sample = ebb_mode == EBB_MODE_GUARD_SAMPLE;
        if (!ebb_guard_init(sample, g_slots, (size_t)g_guard_budget_mb << 20, (size_t)g_guard_align)) {
            char line[] = "ebb: warning: EBB_GUARD: the guarded region could not be reserved; blocks are not guarded\n";
            ssize_t w = write(2, line, sizeof line - 1);
            (void)w;
        }
        ebb_guard_region(&g_guard_lo, &g_guard_bytes);
        install_fault_handler();
    }
    on_exit(at_exit, NULL);
    t_busy = 0;
}
