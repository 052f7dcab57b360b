/*
 * libebb.so: Ebb, the allocator written in C#, compiled with no runtime into a plain shared
 * library. Preload it to make it the malloc of any program:
 *
 *     LD_PRELOAD=/path/to/libebb.so  program
 *
 * or link against it. It exports the C and POSIX allocation functions (malloc, free, calloc,
 * realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc,
 * malloc_usable_size, cfree, malloc_trim) and the ebb_* functions below.
 *
 * Settings come from the environment, read once at the first allocation:
 *   EBB_PURGE_DELAY_MS   ms a free 64 KiB slice stays resident before it is purged (default 100;
 *                        0 = at once; -1 = never, only malloc_trim/ebb_trim)
 *   EBB_PURGE            dontneed (default) | free      the madvise used to purge
 *   EBB_PAGE_SOURCE      mmap (default) | brk
 *   EBB_BACKGROUND_PURGE 1: a thread of Ebb's own purges on time (default: later calls do it)
 *   EBB_SHOW_STATS       1: print Ebb's figures to stderr at exit
 *   EBB_VERBOSE          1: a line on stderr for each region reserved or released
 * Checked and guarded modes (docs/libebb.md, "Checked modes"):
 *   EBB_CHECK            1: redzones checked at free, a quarantine, double/invalid frees reported
 *   EBB_QUARANTINE_MB    freed bytes held back in checked mode (default 16)
 *   EBB_LEAKS            1: a leak report at exit (exit code EBB_LEAK_EXITCODE, default 23)
 *   EBB_STACKS           0: no allocation/free stacks
 *   EBB_GUARD            all | sample | sample:N   blocks against PROT_NONE guard pages
 *   EBB_GUARD_SLOTS, EBB_GUARD_BUDGET_MB, EBB_GUARD_ALIGN
 * A bad value gives one warning line on stderr and the default.
 */
#ifndef EBB_H
#define EBB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ebb's figures at one moment (bytes). */
typedef struct ebb_stats {
    int64_t committed;       /* in spans in use (chunk headers included) and huge blocks */
    int64_t peak_committed;  /* the highest committed seen */
    int64_t pending_purge;   /* free, resident, waiting for the purge delay */
    int64_t purged;          /* given back with madvise so far */
    int64_t reserved;        /* address space held */
} ebb_stats;

/* Fills *stats. */
void ebb_get_stats(ebb_stats *stats);

/* Prints the figures to stderr, one per line. */
void ebb_print_stats(void);

/* Gives back to the OS everything free now (also what malloc_trim does). */
void ebb_trim(void);

/* "libebb <version>". */
const char *ebb_version(void);

#ifdef __cplusplus
}
#endif

#endif
