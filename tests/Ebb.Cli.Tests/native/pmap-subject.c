/* pmap-subject: a process whose address space holds every kind of mapping pmap has
 * to name, then stops itself (SIGSTOP) so that /proc can be read at leisure.
 *
 *   pmap-subject DIR [N]
 *
 * DIR is a scratch directory for the files it maps and unlinks; N (default 2000) is the
 * number of small anonymous mappings with alternating protections, which the kernel
 * cannot merge. Prints its pid on stdout, then stops. Killed by the caller. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

static void die(const char *what) { perror(what); exit(1); }

static void *map_file(const char *path, int prot, int flags)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) die(path);
    if (ftruncate(fd, 8192)) die("ftruncate");
    void *p = mmap(NULL, 8192, prot, flags, fd, 0);
    if (p == MAP_FAILED) die("mmap file");
    if (prot & PROT_WRITE) ((volatile char *)p)[0] = 1; /* make one page resident */
    else (void)((volatile char *)p)[0];
    close(fd);
    return p;
}

static void *thread_main(void *arg) { (void)arg; for (;;) pause(); return NULL; }

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: %s DIR [N]\n", argv[0]); return 2; }
    const char *dir = argv[1];
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
    long page = sysconf(_SC_PAGESIZE);
    char path[4096];

    /* A deleted file whose name holds spaces, a tab, and bytes that are not UTF-8. */
    snprintf(path, sizeof path, "%s/my file\twith \xff\xfe bytes", dir);
    map_file(path, PROT_READ | PROT_WRITE, MAP_SHARED);
    unlink(path);
    /* A file that stays, with a space in its name. */
    snprintf(path, sizeof path, "%s/kept file.bin", dir);
    map_file(path, PROT_READ, MAP_PRIVATE);

    /* A memfd. */
    int mfd = memfd_create("ebb test memfd", 0);
    if (mfd < 0) die("memfd_create");
    if (ftruncate(mfd, 3 * page)) die("ftruncate memfd");
    char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    if (m == MAP_FAILED) die("mmap memfd");
    m[0] = 1;

    /* SysV shared memory, removed at once so nothing outlives us. */
    int shmid = shmget(IPC_PRIVATE, 5 * page, IPC_CREAT | 0600);
    if (shmid < 0) die("shmget");
    char *s = shmat(shmid, NULL, 0);
    if (s == (void *)-1) die("shmat");
    s[0] = 1;
    shmctl(shmid, IPC_RMID, NULL);

    /* A shared mapping of /dev/zero (shows as "/dev/zero (deleted)"). */
    int zfd = open("/dev/zero", O_RDWR);
    if (zfd < 0) die("/dev/zero");
    char *z = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, zfd, 0);
    if (z == MAP_FAILED) die("mmap /dev/zero");
    z[0] = 1;

    /* PROT_NONE and rwx regions, and a named anonymous region where the kernel allows it. */
    if (mmap(NULL, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) die("mmap none");
    char *rwx = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED) die("mmap rwx");
    rwx[0] = 1;
    char *named = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (named == MAP_FAILED) die("mmap named");
    prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)named, 3 * page, (unsigned long)"ebb test");
    named[0] = 1;

    /* N unmergeable mappings: one region, protections alternating page by page. */
    if (n > 0) {
        char *many = mmap(NULL, (size_t)n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (many == MAP_FAILED) die("mmap many");
        for (long i = 0; i < n; i++) {
            if (i % 3 == 0) many[i * page] = 1; /* some resident, some not */
            if (i % 2) mprotect(many + i * page, page, PROT_READ);
        }
    }

    /* A thread, whose stack is an anonymous mapping below a guard page. */
    pthread_t t;
    if (pthread_create(&t, NULL, thread_main, NULL)) die("pthread_create");

    printf("%d\n", (int)getpid());
    fflush(stdout);
    raise(SIGSTOP);
    for (;;) pause();
}
