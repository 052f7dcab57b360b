/* inpreload LIBRARY: proves that LIBRARY is this process's malloc, not merely present. Two
 * checks: LIBRARY's file is mapped (a line of /proc/self/maps names a file with its device and
 * inode), and the malloc and free this program calls resolve into it (dladdr of their addresses).
 * Files are compared by device and inode, so a symlink (libmimalloc.so.2 -> .so.2.0) matches.
 * Prints what it found; exit 0 when both hold, 1 otherwise. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int same_file(const char *a, const struct stat *b)
{
    struct stat s;
    return stat(a, &s) == 0 && s.st_dev == b->st_dev && s.st_ino == b->st_ino;
}

static int resolves_into(const char *name, void *fn, const struct stat *lib)
{
    Dl_info info;
    int ok = dladdr(fn, &info) != 0 && info.dli_fname != NULL && same_file(info.dli_fname, lib);
    printf("%s resolves into %s%s\n", name, info.dli_fname ? info.dli_fname : "(unknown)", ok ? "" : " (not the library)");
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: inpreload LIBRARY\n"); return 2; }
    struct stat lib;
    if (stat(argv[1], &lib) != 0) { printf("cannot stat %s\n", argv[1]); return 1; }
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) { printf("cannot read /proc/self/maps\n"); return 1; }
    char line[4096];
    int mapped = 0;
    while (fgets(line, sizeof line, maps)) {
        char *path = strchr(line, '/');
        if (!path) continue;
        path[strcspn(path, "\n")] = 0;
        if (same_file(path, &lib)) {
            if (!mapped) printf("mapped: %s\n", path);
            mapped = 1;
        }
    }
    fclose(maps);
    if (!mapped) printf("%s is not mapped into this process\n", argv[1]);
    /* Through volatile pointers: the addresses the dynamic linker bound, not a constant-folded guess. */
    void *volatile m = (void *)malloc, *volatile f = (void *)free;
    int ok = resolves_into("malloc", m, &lib) & resolves_into("free", f, &lib);
    void *p = malloc(100);
    free(p);
    return mapped && ok ? 0 : 1;
}
