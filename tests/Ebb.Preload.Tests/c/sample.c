/* The program the gcc test compiles (with the allocator preloaded into gcc, cc1, as and ld, and
 * without), then runs without any preload: both builds must print the same. Enough C that the
 * compiler's passes allocate a lot at -O2: structs, macros, qsort with a comparator, recursion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 5000
struct item { char name[24]; unsigned key; double weight; };

static int by_key(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return strcmp(x->name, y->name);
}

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void)
{
    static struct item items[N];
    unsigned s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        items[i].key = (s >> 8) % 1000;
        snprintf(items[i].name, sizeof items[i].name, "item-%05d", i);
        items[i].weight = items[i].key * 0.25;
    }
    qsort(items, N, sizeof items[0], by_key);
    double total = 0;
    for (int i = 0; i < N; i++) total += items[i].weight;
    int primes = 0;
    for (int n = 2; n < 100000; n++) {
        int p = 1;
        for (int d = 2; d * d <= n && p; d++) p = n % d != 0;
        primes += p;
    }
    printf("first %s %u, last %s %u, total %.2f, primes %d, fib(25) %lu\n", items[0].name, items[0].key,
           items[N - 1].name, items[N - 1].key, total, primes, fib(25));
    return 0;
}
