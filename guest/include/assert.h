/* <assert.h> for PolkaVM guests: a failed assertion prints the expression and its location to stderr
 * and stops the program with a trap. With NDEBUG defined, assert does nothing. */
#undef assert
#ifdef NDEBUG
#define assert(condition) ((void)0)
#else
#include "../polkavm.h"
__attribute__((noreturn)) void polkavm__assert_fail(const char *expression, const char *file, int line);
#define assert(condition) ((condition) ? (void)0 : polkavm__assert_fail(#condition, __FILE__, __LINE__))
#endif
