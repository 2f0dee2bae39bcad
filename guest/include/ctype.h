/* <ctype.h> for PolkaVM guests (ASCII, the "C" locale). */
#ifndef POLKAVM_CTYPE_H
#define POLKAVM_CTYPE_H

static inline __attribute__((unused)) int isdigit(int c) { return c >= '0' && c <= '9'; }
static inline __attribute__((unused)) int isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline __attribute__((unused)) int islower(int c) { return c >= 'a' && c <= 'z'; }
static inline __attribute__((unused)) int isalpha(int c) { return isupper(c) || islower(c); }
static inline __attribute__((unused)) int isalnum(int c) { return isalpha(c) || isdigit(c); }
static inline __attribute__((unused)) int isxdigit(int c) { return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static inline __attribute__((unused)) int isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static inline __attribute__((unused)) int isprint(int c) { return c >= 0x20 && c < 0x7f; }
static inline __attribute__((unused)) int isgraph(int c) { return c > 0x20 && c < 0x7f; }
static inline __attribute__((unused)) int iscntrl(int c) { return (c >= 0 && c < 0x20) || c == 0x7f; }
static inline __attribute__((unused)) int ispunct(int c) { return isgraph(c) && !isalnum(c); }
static inline __attribute__((unused)) int toupper(int c) { return islower(c) ? c - 'a' + 'A' : c; }
static inline __attribute__((unused)) int isblank(int c) { return c == ' ' || c == '\t'; }
static inline __attribute__((unused)) int tolower(int c) { return isupper(c) ? c - 'A' + 'a' : c; }

#endif
