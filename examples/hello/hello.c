/* Hello world: prints a greeting (and the program's arguments, if any) through the `polkavm run`
 * host calls (docs/HOSTCALLS.md).
 *
 *   polkavm build examples/hello/hello.c -o hello.polkavm
 *   polkavm run hello.polkavm --call main -- Alice Bob
 */
#include "polkavm.h"

POLKAVM_EXPORT(int, main);

int main(void) {
    polkavm_print("Hello, world!\n");
    intptr_t count = polkavm_arg_count();
    for (intptr_t i = 0; i < count; i++) {
        char name[64];
        intptr_t length = polkavm_arg_read((size_t)i, name, sizeof name);
        if (length > (intptr_t)sizeof name) length = sizeof name;
        polkavm_print("Hello, ");
        polkavm_write(POLKAVM_STDOUT, name, (size_t)length);
        polkavm_print("!\n");
    }
    return 0;
}
