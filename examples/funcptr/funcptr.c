/* Function pointers: a table of operations called indirectly (each address is a jump-table entry
 * in the blob), a callback-based sort and a tiny stack machine dispatching through pointers. */
#include "polkavm.h"

POLKAVM_EXPORT(int, main);

typedef int64_t (*binary_op)(int64_t, int64_t);

static int64_t op_add(int64_t a, int64_t b) { return a + b; }
static int64_t op_sub(int64_t a, int64_t b) { return a - b; }
static int64_t op_mul(int64_t a, int64_t b) { return a * b; }
static int64_t op_max(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t op_xor(int64_t a, int64_t b) { return a ^ b; }

static const struct {
    const char *name;
    binary_op fn;
} operations[] = {{"add", op_add}, {"sub", op_sub}, {"mul", op_mul}, {"max", op_max}, {"xor", op_xor}};

static int compare_ascending(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}
static int compare_descending(const void *a, const void *b) { return compare_ascending(b, a); }

/* Insertion sort with a comparison callback. */
static void sort(int32_t *items, size_t count, int (*compare)(const void *, const void *)) {
    for (size_t i = 1; i < count; i++) {
        int32_t item = items[i];
        size_t j = i;
        while (j > 0 && compare(&items[j - 1], &item) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = item;
    }
}

static void print_items(const char *label, const int32_t *items, size_t count) {
    polkavm_print(label);
    for (size_t i = 0; i < count; i++) polkavm_printf(" %d", items[i]);
    polkavm_print("\n");
}

/* `volatile` keeps clang from resolving the indirect calls at compile time. */
static binary_op volatile chosen;

int main(void) {
    for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++) {
        chosen = operations[i].fn;
        polkavm_printf("%s(1000, -7) = %lld\n", operations[i].name, (long long)chosen(1000, -7));
    }
    int64_t acc = 1;
    for (int i = 0; i < 100; i++) acc = operations[i % 5].fn(acc, i * 3 + 1);
    polkavm_printf("fold = %lld\n", (long long)acc);

    int32_t items[12] = {5, -3, 12, 0, 7, 7, -100, 42, 1, 9, -8, 3};
    int (*volatile compare)(const void *, const void *) = compare_ascending;
    sort(items, 12, compare);
    print_items("ascending:", items, 12);
    compare = compare_descending;
    sort(items, 12, compare);
    print_items("descending:", items, 12);
    return 0;
}
