/* libebb.so's checked and guarded modes, as ebb_preload.c calls them (ebb_check.c). Private. */
#ifndef EBB_CHECK_H
#define EBB_CHECK_H
#include <stddef.h>
#include <stdint.h>

/* -1 until the first allocation reads the environment; then one of these. The exports test it
 * once (0: the release path, exactly as without the checks). */
enum { EBB_MODE_RELEASE = 0, EBB_MODE_CHECK = 1, EBB_MODE_GUARD_ALL = 2, EBB_MODE_GUARD_SAMPLE = 3 };
extern int ebb_mode __attribute__((visibility("hidden")));
/* Sampled mode: allocations left before the next sampled one (this thread), and the guarded
 * region, which the exports test inline so an unsampled block costs a compare or two. */
extern __thread int ebb_t_sample_left __attribute__((visibility("hidden"), tls_model("initial-exec")));
extern uintptr_t ebb_guard_lo __attribute__((visibility("hidden")));
extern size_t ebb_guard_bytes __attribute__((visibility("hidden")));

void ebb_modes_read_env(void);   /* in init_once: the variables, the mode */
void ebb_modes_started(void);    /* once, after init_once: unwinder primed, handlers installed */
void ebb_modes_lock_fork(int phase); /* 0 prepare, 1 parent, 2 child */
void *ebb_mode_alloc(size_t size, size_t align, int zero);
void ebb_mode_free(void *p);
void *ebb_mode_realloc(void *p, size_t size);
size_t ebb_mode_usable(void *p);

/* From ebb_preload.c. */
void ebb_shim_start(void);
void *ebb_shim_thread_heap(void);
#endif
