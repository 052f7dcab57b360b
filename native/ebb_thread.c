/*
 * ebb_thread.c: the thread-exit hook of Ebb's thread heaps.
 *
 * .NET has no thread-exit callback, and a finalizer only runs when a GC does, which a program
 * that allocates natively may never cause. A pthread key does have one: its destructor runs in
 * every thread that set the key, as that thread exits. By then the runtime has torn down the
 * thread's managed state, so the destructor must not call managed code: it pushes the heap onto
 * a lock-free list that the managed side drains (a new thread takes a dead heap over whole; the
 * purge thread gives up the rest) and wakes the purge thread through an eventfd. It allocates
 * nothing, takes no lock and calls only write(2).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

static pthread_key_t key;
static void *volatile *dead_list;  /* the managed side's list head, in native memory */
static size_t link_offset;         /* where a heap keeps its link in that list */
static int wake_fd = -1;           /* the purge thread's eventfd */

static void on_thread_exit(void *heap) {
    void **link = (void **)((char *)heap + link_offset);
    void *head = __atomic_load_n(dead_list, __ATOMIC_RELAXED);
    do {
        *link = head;
    } while (!__atomic_compare_exchange_n(dead_list, &head, heap, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    if (wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(wake_fd, &one, sizeof one);
        (void)r; /* a full or closed eventfd: the purge thread's next beat drains the list anyway */
    }
}

/* Sets the hook up once: the list head, the offset of a heap's link field, the eventfd. 0 or an errno. */
int ebb_thread_exit_init(void *volatile *list, size_t link_off, int fd) {
    dead_list = list;
    link_offset = link_off;
    wake_fd = fd;
    return pthread_key_create(&key, on_thread_exit);
}

/* Makes the calling thread's exit push `heap` onto the list. 0 or an errno. */
int ebb_thread_exit_watch(void *heap) {
    return pthread_setspecific(key, heap);
}
