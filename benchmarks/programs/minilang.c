/* The "larger real-world-sized" program: a small scripting language, end to end.
 *
 * Lexer -> recursive-descent parser (AST) -> single-pass compiler to stack bytecode (scoped locals,
 * globals, constant folding, fused compare-and-branch, small-immediate and loop superinstructions,
 * per-function stack-depth accounting) -> bytecode verifier -> a switch-dispatched VM with tagged
 * values (nil, bool, 64-bit int, string, array, insertion-ordered hash map, function) on a
 * semispace copying garbage collector. The standard library (written in C) has ~45 builtins:
 * string functions, arrays and maps, a stable merge sort, printf-style formatting, a JSON encoder
 * and parser, and a regular-expression engine (parser -> NFA program -> Pike-VM simulation).
 *
 * bench(n) runs n rounds; each round lexes, parses, compiles and verifies the embedded script, runs
 * its top level, then calls main(round), which does varied work: text generation and word
 * statistics, regex scans, Caesar and run-length round trips, recursion (fib, Ackermann), binary
 * trees (GC pressure), a sieve, quicksort vs the builtin sort, matrix multiply, a JSON round trip of
 * generated records, a formatted report, a bank-ledger simulation, and an assembler plus register
 * machine interpreter written in the script. The checksum covers main's result, the printed output,
 * the verifier's opcode histogram and the VM/GC statistics.
 *
 * Everything is integer-only and uses explicit-width types; heap references are word indices, not
 * pointers, so every target (x86-64, wasm32, rv64, rv32) computes identical results. */
#include "bench.h"

/* ================================================================== limits and errors */

#define MAX_TOKENS 8192
#define MAX_NODES 6144
#define MAX_POOL (32 * 1024)
#define MAX_CODE 32768
#define MAX_CONSTS 1024
#define MAX_FUNCS 96
#define MAX_GLOBALS 192
#define MAX_LOCALS 200
#define MAX_LOOPS 24
#define MAX_PATCH 48
#define STACK_SIZE 6144
#define MAX_FRAMES 512
#define HEAP_WORDS (1u << 17)          /* per semispace: 1 MiB */
#define GC_MIN (HEAP_WORDS / 4)        /* the first collection happens at this heap size */
#define GC_MAX (HEAP_WORDS / 4 * 3)    /* the rest is headroom for one instruction's allocations */
#define MAX_STR_LEN 32768
#define MAX_ARR_LEN 8192
#define MAX_MAP_SLOTS 4096
#define MAX_OBJ_WORDS (2 * MAX_ARR_LEN + 8)

enum {
    E_OK, E_LEX, E_PARSE, E_COMPILE, E_TYPE, E_INDEX, E_DIV0, E_ARGS, E_STACK, E_OOM, E_KEY,
    E_ASSERT, E_LIMIT, E_REGEX, E_JSON, E_CALL, E_VERIFY,
};

static uint32_t err_code, err_line;

static void fail_at(uint32_t code, uint32_t line) {
    if (!err_code) { err_code = code; err_line = line; }
}
static void fail(uint32_t code) { fail_at(code, 0); }

/* ================================================================== values and the heap */

enum { T_NIL, T_BOOL, T_INT, T_FUNC, T_STR, T_ARR, T_MAP, T_TOMB = 15 };

typedef struct { uint64_t u; uint32_t t; } Value;

#define IS_REF(t) ((uint32_t)(t) - T_STR <= (uint32_t)(T_MAP - T_STR))

static inline Value mk(uint32_t t, uint64_t u) { Value v; v.t = t; v.u = u; return v; }
static inline Value vnil(void) { return mk(T_NIL, 0); }
static inline Value vint(int64_t i) { return mk(T_INT, (uint64_t)i); }
static inline Value vbool(int b) { return mk(T_BOOL, b ? 1 : 0); }

/* Objects live in a word array; a reference is a word index. Header word: type (8 bits), size in
 * words (24 bits), aux (32 bits: string length, array count, capacity...). Word 0 is a permanent
 * all-zero "null" object. After each space there is a scratch area that absorbs an allocation that
 * failed (the error is then reported at the end of the current instruction). */
enum { O_NULL, O_STR, O_ARR, O_MAP, O_VALS, O_IDX, O_FWD };

static uint64_t heap_mem[2][HEAP_WORDS + MAX_OBJ_WORDS];
static uint64_t *H;
static uint32_t heap_half, hp, gc_next;
static uint32_t stat_gcs;
static uint64_t stat_alloc, stat_copied;

#define OTYPE(h) ((uint32_t)(h)&0xffu)
#define OWORDS(h) ((uint32_t)((h) >> 8) & 0xffffffu)
#define OAUX(h) ((uint32_t)((h) >> 32))

static inline uint64_t mkhdr(uint32_t type, uint32_t words, uint32_t aux) {
    return (uint64_t)type | ((uint64_t)words << 8) | ((uint64_t)aux << 32);
}
static inline void set_aux(uint32_t r, uint32_t aux) { H[r] = (H[r] & 0xffffffffull) | ((uint64_t)aux << 32); }

static void heap_reset(void) {
    heap_half = 0;
    H = heap_mem[0];
    H[0] = 0;
    hp = 1;
    gc_next = GC_MIN;
}

static uint32_t heap_alloc(uint32_t type, uint32_t words, uint32_t aux) {
    uint32_t r;
    if (words > MAX_OBJ_WORDS) {
        fail(E_LIMIT);
        words = 1; aux = 0; r = HEAP_WORDS;
    } else if (hp + words > HEAP_WORDS) {
        fail(E_OOM);
        r = HEAP_WORDS;
    } else {
        r = hp;
        hp += words;
    }
    H[r] = mkhdr(type, words, aux);
    if (words > 1) bench_memset(&H[r + 1], 0, (size_t)(words - 1) * 8);
    stat_alloc += words;
    return r;
}

/* ---- strings: [hdr aux=len][hash][bytes..., NUL] */

static uint32_t fnv(const uint8_t *p, uint32_t n) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}

static inline uint32_t slen(uint64_t r) { return OAUX(H[(uint32_t)r]); }
static inline uint8_t *sbytes(uint64_t r) { return (uint8_t *)&H[(uint32_t)r + 2]; }
static inline uint32_t shash(uint64_t r) { return (uint32_t)H[(uint32_t)r + 1]; }

static uint32_t str_alloc(uint32_t len) {
    if (len > MAX_STR_LEN) { fail(E_LIMIT); len = 0; }
    return heap_alloc(O_STR, 2 + (len + 8) / 8, len);
}
static void str_seal(uint32_t r) { H[r + 1] = fnv(sbytes(r), slen(r)); }
static uint32_t str_new(const uint8_t *p, uint32_t len) {
    uint32_t r = str_alloc(len);
    bench_memcpy(sbytes(r), p, slen(r));
    str_seal(r);
    return r;
}
static Value vstr(uint32_t r) { return mk(T_STR, r); }
static Value vstr_c(const char *s) {
    uint32_t n = 0;
    while (s[n]) n++;
    return vstr(str_new((const uint8_t *)s, n));
}

static int str_eq(uint64_t a, uint64_t b) {
    if (a == b) return 1;
    if (slen(a) != slen(b) || shash(a) != shash(b)) return 0;
    return bench_memcmp(sbytes(a), sbytes(b), slen(a)) == 0;
}

static int32_t str_cmp(uint64_t a, uint64_t b) {
    uint32_t la = slen(a), lb = slen(b), n = la < lb ? la : lb;
    int c = bench_memcmp(sbytes(a), sbytes(b), n);
    if (c) return c;
    return la < lb ? -1 : la > lb ? 1 : 0;
}

/* ---- arrays: ARR [hdr aux=count][vals ref]; VALS [hdr aux=capacity][(tag, payload) * capacity] */

static uint32_t arr_new(uint32_t cap) {
    if (cap < 2) cap = 2;
    if (cap > MAX_ARR_LEN) { fail(E_LIMIT); cap = 2; }
    uint32_t v = heap_alloc(O_VALS, 1 + 2 * cap, cap);
    uint32_t a = heap_alloc(O_ARR, 2, 0);
    H[a + 1] = v;
    return a;
}
static inline uint32_t arr_len(uint64_t a) { return OAUX(H[(uint32_t)a]); }
static inline uint64_t *arr_slot(uint64_t a, uint32_t i) { return &H[(uint32_t)H[(uint32_t)a + 1] + 1 + 2 * i]; }
static inline Value arr_get(uint64_t a, uint32_t i) {
    uint64_t *s = arr_slot(a, i);
    return mk((uint32_t)s[0], s[1]);
}
static inline void arr_put(uint64_t a, uint32_t i, Value v) {
    uint64_t *s = arr_slot(a, i);
    s[0] = v.t;
    s[1] = v.u;
}

static int arr_reserve(uint32_t a, uint32_t need) {
    uint32_t v = (uint32_t)H[a + 1];
    uint32_t cap = OAUX(H[v]);
    if (need <= cap) return 1;
    if (need > MAX_ARR_LEN) { fail(E_LIMIT); return 0; }
    uint32_t nc = cap < 4 ? 4 : cap * 2;
    while (nc < need) nc *= 2;
    if (nc > MAX_ARR_LEN) nc = MAX_ARR_LEN;
    uint32_t nv = heap_alloc(O_VALS, 1 + 2 * nc, nc);
    if (err_code) return 0;
    bench_memcpy(&H[nv + 1], &H[v + 1], (size_t)arr_len(a) * 16);
    H[a + 1] = nv;
    return 1;
}

static void arr_push(uint32_t a, Value x) {
    uint32_t n = arr_len(a);
    if (!arr_reserve(a, n + 1)) return;
    arr_put(a, n, x);
    set_aux(a, n + 1);
}

/* ---- maps, insertion-ordered: MAP [hdr aux=live][entries VALS: (key, value) pairs][index IDX]
 * [entries used]; IDX [hdr aux=slots][u32 slot = entry + 1, 0 = empty]. Deleted entries keep their
 * slot (as a tombstone) with key tag T_TOMB until the next rebuild. */

static uint32_t map_new(uint32_t n) {
    uint32_t icap = 8;
    while (icap * 3 / 4 < n && icap < MAX_MAP_SLOTS) icap *= 2;
    uint32_t ecap = icap * 3 / 4;
    uint32_t e = heap_alloc(O_VALS, 1 + 4 * ecap, 2 * ecap);
    uint32_t ix = heap_alloc(O_IDX, 1 + icap / 2, icap);
    uint32_t m = heap_alloc(O_MAP, 4, 0);
    H[m + 1] = e;
    H[m + 2] = ix;
    H[m + 3] = 0;
    return m;
}
static inline uint32_t map_count(uint64_t m) { return OAUX(H[(uint32_t)m]); }
static inline uint32_t map_used(uint64_t m) { return (uint32_t)H[(uint32_t)m + 3]; }
static inline uint64_t *map_entry(uint64_t m, uint32_t e) { return &H[(uint32_t)H[(uint32_t)m + 1] + 1 + 4 * e]; }
static inline uint32_t *map_index(uint64_t m) { return (uint32_t *)&H[(uint32_t)H[(uint32_t)m + 2] + 1]; }
static inline uint32_t map_icap(uint64_t m) { return OAUX(H[(uint32_t)H[(uint32_t)m + 2]]); }

static uint32_t key_hash(uint32_t t, uint64_t u) {
    if (t == T_STR) return shash(u);
    uint64_t x = u * 0x9E3779B97F4A7C15ull + t;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(x ^ (x >> 32));
}
static inline int key_eq(uint32_t t, uint64_t u, Value k) {
    if (t != k.t) return 0;
    if (t == T_STR) return str_eq(u, k.u);
    return u == k.u;
}
static inline int valid_key(Value k) { return k.t == T_INT || k.t == T_STR || k.t == T_BOOL; }

/* Entry index of `k` or -1; *slot receives the index slot where it is or would go. */
static int32_t map_lookup(uint64_t m, Value k, uint32_t *slot) {
    uint32_t icap = map_icap(m);
    if (icap == 0) return -1;
    uint32_t mask = icap - 1, *ix = map_index(m);
    uint32_t i = key_hash(k.t, k.u) & mask;
    for (;;) {
        uint32_t e = ix[i];
        if (e == 0) { if (slot) *slot = i; return -1; }
        uint64_t *ent = map_entry(m, e - 1);
        if (key_eq((uint32_t)ent[0], ent[1], k)) { if (slot) *slot = i; return (int32_t)(e - 1); }
        i = (i + 1) & mask;
    }
}

static void map_rebuild(uint32_t m, uint32_t icap) {
    uint32_t ecap = icap * 3 / 4;
    uint32_t ne = heap_alloc(O_VALS, 1 + 4 * ecap, 2 * ecap);
    uint32_t nix = heap_alloc(O_IDX, 1 + icap / 2, icap);
    if (err_code) return;
    uint32_t oe = (uint32_t)H[m + 1], used = map_used(m), n = 0;
    uint32_t *ix = (uint32_t *)&H[nix + 1];
    for (uint32_t e = 0; e < used; e++) {
        uint64_t *s = &H[oe + 1 + 4 * e];
        if ((uint32_t)s[0] == T_TOMB) continue;
        uint64_t *d = &H[ne + 1 + 4 * n];
        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; d[3] = s[3];
        uint32_t i = key_hash((uint32_t)s[0], s[1]) & (icap - 1);
        while (ix[i]) i = (i + 1) & (icap - 1);
        ix[i] = n + 1;
        n++;
    }
    H[m + 1] = ne;
    H[m + 2] = nix;
    H[m + 3] = n;
    set_aux(m, n);
}

static void map_set(uint32_t m, Value k, Value v) {
    if (!valid_key(k)) { fail(E_KEY); return; }
    uint32_t slot = 0;
    int32_t e = map_lookup(m, k, &slot);
    if (e >= 0) {
        uint64_t *ent = map_entry(m, (uint32_t)e);
        ent[2] = v.t;
        ent[3] = v.u;
        return;
    }
    uint32_t used = map_used(m), icap = map_icap(m);
    if (used >= icap * 3 / 4) {
        uint32_t live = map_count(m), ncap = 8;
        while ((live + 1) * 2 > ncap) ncap *= 2;
        if (ncap > MAX_MAP_SLOTS) { fail(E_LIMIT); return; }
        map_rebuild(m, ncap);
        if (err_code) return;
        map_lookup(m, k, &slot);
        used = map_used(m);
    }
    uint64_t *ent = map_entry(m, used);
    ent[0] = k.t; ent[1] = k.u; ent[2] = v.t; ent[3] = v.u;
    map_index(m)[slot] = used + 1;
    H[m + 3] = used + 1;
    set_aux(m, map_count(m) + 1);
}

static Value map_get(uint64_t m, Value k) {
    int32_t e = map_lookup(m, k, 0);
    if (e < 0) return vnil();
    uint64_t *ent = map_entry(m, (uint32_t)e);
    return mk((uint32_t)ent[2], ent[3]);
}

static int map_del(uint64_t m, Value k) {
    int32_t e = map_lookup(m, k, 0);
    if (e < 0) return 0;
    uint64_t *ent = map_entry(m, (uint32_t)e);
    ent[0] = T_TOMB; ent[1] = 0; ent[2] = T_NIL; ent[3] = 0;
    set_aux((uint32_t)m, map_count(m) - 1);
    return 1;
}

/* ================================================================== lexer */

enum {
    TK_EOF, TK_INT, TK_STR, TK_IDENT,
    TK_LET, TK_FN, TK_IF, TK_ELSE, TK_WHILE, TK_FOR, TK_IN, TK_RETURN, TK_BREAK, TK_CONTINUE,
    TK_NIL, TK_TRUE, TK_FALSE,
    TK_LPAREN, TK_RPAREN, TK_LBRACE, TK_RBRACE, TK_LBRACK, TK_RBRACK,
    TK_COMMA, TK_SEMI, TK_COLON, TK_DOT, TK_DOTDOT, TK_QUESTION,
    TK_ASSIGN, TK_PLUSEQ, TK_MINUSEQ, TK_STAREQ, TK_SLASHEQ, TK_PERCENTEQ, TK_AMPEQ, TK_PIPEEQ,
    TK_CARETEQ, TK_SHLEQ, TK_SHREQ,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT, TK_AMP, TK_PIPE, TK_CARET, TK_TILDE, TK_BANG,
    TK_SHL, TK_SHR, TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_ANDAND, TK_OROR,
};

typedef struct { uint8_t kind; uint16_t line; uint32_t start, len; uint64_t ival; } Token;

static const uint8_t *src;
static uint32_t src_len;
static Token toks[MAX_TOKENS];
static uint32_t ntoks;
static uint8_t pool[MAX_POOL]; /* decoded string literals and identifier keys */
static uint32_t pool_len;

static const struct { const char *word; uint8_t kind; } KEYWORDS[] = {
    {"let", TK_LET}, {"fn", TK_FN}, {"if", TK_IF}, {"else", TK_ELSE}, {"while", TK_WHILE},
    {"for", TK_FOR}, {"in", TK_IN}, {"return", TK_RETURN}, {"break", TK_BREAK},
    {"continue", TK_CONTINUE}, {"nil", TK_NIL}, {"true", TK_TRUE}, {"false", TK_FALSE},
};

static inline int is_alpha(uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static inline int is_digit(uint32_t c) { return c >= '0' && c <= '9'; }
static inline int is_space(uint32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int32_t hex_digit(uint32_t c) {
    if (c >= '0' && c <= '9') return (int32_t)(c - '0');
    if (c >= 'a' && c <= 'f') return (int32_t)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int32_t)(c - 'A' + 10);
    return -1;
}

static int text_eq(const uint8_t *p, uint32_t n, const char *s) {
    for (uint32_t i = 0; i < n; i++)
        if (!s[i] || (uint8_t)s[i] != p[i]) return 0;
    return s[n] == 0;
}

static uint32_t pool_add(const uint8_t *p, uint32_t n) {
    if (n > MAX_POOL - pool_len) { fail(E_LIMIT); return 0; }
    uint32_t at = pool_len;
    bench_memcpy(pool + at, p, n);
    pool_len += n;
    return at;
}

static void lex(void) {
    uint32_t i = 0, line = 1;
    ntoks = 0;
    pool_len = 0;
    for (;;) {
        while (i < src_len) { /* whitespace and comments */
            uint8_t c = src[i];
            if (c == '\n') { line++; i++; }
            else if (c == ' ' || c == '\t' || c == '\r') i++;
            else if (c == '/' && src[i + 1] == '/') { while (i < src_len && src[i] != '\n') i++; }
            else if (c == '/' && src[i + 1] == '*') {
                i += 2;
                while (i < src_len && !(src[i] == '*' && src[i + 1] == '/')) { if (src[i] == '\n') line++; i++; }
                i += 2;
            } else break;
        }
        if (ntoks >= MAX_TOKENS) { fail_at(E_LIMIT, line); return; }
        Token *t = &toks[ntoks++];
        t->line = (uint16_t)line;
        t->start = i;
        t->len = 0;
        t->ival = 0;
        if (i >= src_len) { t->kind = TK_EOF; return; }
        uint8_t c = src[i];
        if (is_alpha(c)) {
            while (i < src_len && (is_alpha(src[i]) || is_digit(src[i]))) i++;
            t->kind = TK_IDENT;
            t->len = i - t->start;
            for (uint32_t k = 0; k < sizeof(KEYWORDS) / sizeof(KEYWORDS[0]); k++)
                if (text_eq(src + t->start, t->len, KEYWORDS[k].word)) { t->kind = KEYWORDS[k].kind; break; }
            continue;
        }
        if (is_digit(c)) {
            uint64_t v = 0;
            if (c == '0' && (src[i + 1] == 'x' || src[i + 1] == 'X')) {
                i += 2;
                for (;;) {
                    int32_t d = hex_digit(src[i]);
                    if (d >= 0) v = v * 16 + (uint32_t)d;
                    else if (src[i] != '_') break;
                    i++;
                }
            } else {
                while (i < src_len && (is_digit(src[i]) || src[i] == '_')) {
                    if (src[i] != '_') v = v * 10 + (uint32_t)(src[i] - '0');
                    i++;
                }
            }
            if (is_alpha(src[i])) { fail_at(E_LEX, line); return; }
            t->kind = TK_INT;
            t->ival = v;
            t->len = i - t->start;
            continue;
        }
        if (c == '"' || c == '\'') {
            uint8_t q = c;
            uint32_t start = pool_len;
            i++;
            while (i < src_len && src[i] != q) {
                uint8_t ch = src[i++];
                if (ch == '\n') line++;
                if (ch == '\\' && i < src_len) {
                    uint8_t e = src[i++];
                    switch (e) {
                    case 'n': ch = '\n'; break;
                    case 't': ch = '\t'; break;
                    case 'r': ch = '\r'; break;
                    case '0': ch = 0; break;
                    case 'x': {
                        int32_t h1 = hex_digit(src[i]), h2 = h1 >= 0 ? hex_digit(src[i + 1]) : -1;
                        if (h2 < 0) { fail_at(E_LEX, line); return; }
                        ch = (uint8_t)(h1 * 16 + h2);
                        i += 2;
                        break;
                    }
                    default: ch = e; break;
                    }
                }
                if (pool_len >= MAX_POOL) { fail_at(E_LIMIT, line); return; }
                pool[pool_len++] = ch;
            }
            if (i >= src_len) { fail_at(E_LEX, line); return; }
            i++;
            t->kind = TK_STR;
            t->start = start;
            t->len = pool_len - start;
            continue;
        }
        i++;
        uint8_t n1 = src[i]; /* src[src_len] is the NUL terminator */
        uint8_t k;
        switch (c) {
        case '(': k = TK_LPAREN; break;
        case ')': k = TK_RPAREN; break;
        case '{': k = TK_LBRACE; break;
        case '}': k = TK_RBRACE; break;
        case '[': k = TK_LBRACK; break;
        case ']': k = TK_RBRACK; break;
        case ',': k = TK_COMMA; break;
        case ';': k = TK_SEMI; break;
        case ':': k = TK_COLON; break;
        case '?': k = TK_QUESTION; break;
        case '~': k = TK_TILDE; break;
        case '.': if (n1 == '.') { i++; k = TK_DOTDOT; } else k = TK_DOT; break;
        case '+': if (n1 == '=') { i++; k = TK_PLUSEQ; } else k = TK_PLUS; break;
        case '-': if (n1 == '=') { i++; k = TK_MINUSEQ; } else k = TK_MINUS; break;
        case '*': if (n1 == '=') { i++; k = TK_STAREQ; } else k = TK_STAR; break;
        case '/': if (n1 == '=') { i++; k = TK_SLASHEQ; } else k = TK_SLASH; break;
        case '%': if (n1 == '=') { i++; k = TK_PERCENTEQ; } else k = TK_PERCENT; break;
        case '^': if (n1 == '=') { i++; k = TK_CARETEQ; } else k = TK_CARET; break;
        case '=': if (n1 == '=') { i++; k = TK_EQ; } else k = TK_ASSIGN; break;
        case '!': if (n1 == '=') { i++; k = TK_NE; } else k = TK_BANG; break;
        case '&':
            if (n1 == '&') { i++; k = TK_ANDAND; }
            else if (n1 == '=') { i++; k = TK_AMPEQ; }
            else k = TK_AMP;
            break;
        case '|':
            if (n1 == '|') { i++; k = TK_OROR; }
            else if (n1 == '=') { i++; k = TK_PIPEEQ; }
            else k = TK_PIPE;
            break;
        case '<':
            if (n1 == '<') { i++; if (src[i] == '=') { i++; k = TK_SHLEQ; } else k = TK_SHL; }
            else if (n1 == '=') { i++; k = TK_LE; }
            else k = TK_LT;
            break;
        case '>':
            if (n1 == '>') { i++; if (src[i] == '=') { i++; k = TK_SHREQ; } else k = TK_SHR; }
            else if (n1 == '=') { i++; k = TK_GE; }
            else k = TK_GT;
            break;
        default: fail_at(E_LEX, line); return;
        }
        t->kind = k;
        t->len = i - t->start;
    }
}

/* ================================================================== parser */

enum {
    N_INT, N_STR, N_NIL, N_TRUE, N_FALSE, N_NAME, N_ARRAY, N_MAP, N_BINARY, N_LOGAND, N_LOGOR,
    N_UNARY, N_CALL, N_INDEX, N_COND,
    N_LET, N_ASSIGN, N_EXPR, N_IF, N_WHILE, N_FORRANGE, N_FOREACH, N_RETURN, N_BREAK, N_CONTINUE,
    N_BLOCK, N_FN,
};

/* Names (N_NAME, N_LET, loops, N_FN) point into the source; N_STR text points into the pool. Lists
 * (block statements, arguments, elements, map key/value pairs) are chained through `next`. */
typedef struct {
    uint8_t kind, op;
    uint16_t line;
    int32_t a, b, c, next;
    uint32_t s, len;
    uint64_t ival;
} Node;

static Node nodes[MAX_NODES];
static uint32_t nnodes, tp;

static int32_t node_new(uint8_t kind) {
    if (nnodes >= MAX_NODES) { fail_at(E_LIMIT, toks[tp].line); return 0; }
    Node *n = &nodes[nnodes];
    n->kind = kind;
    n->op = 0;
    n->line = toks[tp].line;
    n->a = n->b = n->c = n->next = -1;
    n->s = n->len = 0;
    n->ival = 0;
    return (int32_t)nnodes++;
}

static inline uint8_t cur(void) { return err_code ? (uint8_t)TK_EOF : toks[tp].kind; }
static inline void advance(void) { if (toks[tp].kind != TK_EOF) tp++; }
static int accept(uint8_t k) {
    if (cur() == k) { advance(); return 1; }
    return 0;
}
static void expect(uint8_t k) {
    if (!accept(k)) fail_at(E_PARSE, toks[tp].line);
}

static int32_t parse_expr(void);
static int32_t parse_block(void);
static int32_t parse_statement(int top);

/* An identifier used as a string (map literal key, `.field`). */
static int32_t ident_string(void) {
    int32_t k = node_new(N_STR);
    nodes[k].s = pool_add(src + toks[tp].start, toks[tp].len);
    nodes[k].len = toks[tp].len;
    advance();
    return k;
}

static int32_t parse_list(int32_t *first, uint8_t close, uint32_t *count) {
    int32_t *link = first;
    *count = 0;
    while (cur() != close && cur() != TK_EOF) {
        int32_t e = parse_expr();
        *link = e;
        link = &nodes[e].next;
        (*count)++;
        if (!accept(TK_COMMA)) break;
    }
    expect(close);
    return *first;
}

static int32_t parse_primary(void) {
    Token *t = &toks[tp];
    int32_t n;
    uint32_t count;
    switch (cur()) {
    case TK_INT:
        n = node_new(N_INT);
        nodes[n].ival = t->ival;
        advance();
        return n;
    case TK_STR:
        n = node_new(N_STR);
        nodes[n].s = t->start;
        nodes[n].len = t->len;
        advance();
        return n;
    case TK_NIL: n = node_new(N_NIL); advance(); return n;
    case TK_TRUE: n = node_new(N_TRUE); advance(); return n;
    case TK_FALSE: n = node_new(N_FALSE); advance(); return n;
    case TK_IDENT:
        n = node_new(N_NAME);
        nodes[n].s = t->start;
        nodes[n].len = t->len;
        advance();
        return n;
    case TK_LPAREN:
        advance();
        n = parse_expr();
        expect(TK_RPAREN);
        return n;
    case TK_LBRACK:
        n = node_new(N_ARRAY);
        advance();
        parse_list(&nodes[n].a, TK_RBRACK, &count);
        nodes[n].ival = count;
        return n;
    case TK_LBRACE: {
        n = node_new(N_MAP);
        advance();
        int32_t *link = &nodes[n].a;
        count = 0;
        while (cur() != TK_RBRACE && cur() != TK_EOF) {
            int32_t k;
            if (cur() == TK_IDENT) k = ident_string();
            else if (cur() == TK_STR || cur() == TK_INT) k = parse_primary();
            else if (accept(TK_LBRACK)) { k = parse_expr(); expect(TK_RBRACK); }
            else { fail_at(E_PARSE, toks[tp].line); return n; }
            expect(TK_COLON);
            int32_t v = parse_expr();
            *link = k;
            nodes[k].next = v;
            link = &nodes[v].next;
            count++;
            if (!accept(TK_COMMA)) break;
        }
        expect(TK_RBRACE);
        nodes[n].ival = count;
        return n;
    }
    default:
        fail_at(E_PARSE, t->line);
        return node_new(N_NIL);
    }
}

static int32_t parse_postfix(void) {
    int32_t e = parse_primary();
    for (;;) {
        uint32_t count;
        int32_t n;
        if (cur() == TK_LPAREN) {
            n = node_new(N_CALL);
            advance();
            nodes[n].a = e;
            parse_list(&nodes[n].b, TK_RPAREN, &count);
            nodes[n].ival = count;
            e = n;
        } else if (cur() == TK_LBRACK) {
            n = node_new(N_INDEX);
            advance();
            nodes[n].a = e;
            nodes[n].b = parse_expr();
            expect(TK_RBRACK);
            e = n;
        } else if (cur() == TK_DOT) {
            advance();
            if (cur() != TK_IDENT) { fail_at(E_PARSE, toks[tp].line); return e; }
            n = node_new(N_INDEX);
            nodes[n].a = e;
            nodes[n].b = ident_string();
            e = n;
        } else {
            return e;
        }
    }
}

static int32_t parse_unary(void) {
    uint8_t k = cur();
    if (k == TK_MINUS || k == TK_BANG || k == TK_TILDE) {
        int32_t n = node_new(N_UNARY);
        advance();
        nodes[n].op = k;
        nodes[n].a = parse_unary();
        return n;
    }
    return parse_postfix();
}

static int precedence(uint8_t k) {
    switch (k) {
    case TK_OROR: return 1;
    case TK_ANDAND: return 2;
    case TK_PIPE: return 3;
    case TK_CARET: return 4;
    case TK_AMP: return 5;
    case TK_EQ: case TK_NE: return 6;
    case TK_LT: case TK_LE: case TK_GT: case TK_GE: return 7;
    case TK_SHL: case TK_SHR: return 8;
    case TK_PLUS: case TK_MINUS: return 9;
    case TK_STAR: case TK_SLASH: case TK_PERCENT: return 10;
    default: return 0;
    }
}

static int32_t parse_binary(int minp) {
    int32_t lhs = parse_unary();
    for (;;) {
        uint8_t k = cur();
        int p = precedence(k);
        if (p == 0 || p < minp) return lhs;
        int32_t n = node_new(k == TK_ANDAND ? N_LOGAND : k == TK_OROR ? N_LOGOR : N_BINARY);
        advance();
        nodes[n].op = k;
        nodes[n].a = lhs;
        nodes[n].b = parse_binary(p + 1);
        lhs = n;
    }
}

static int32_t parse_expr(void) {
    int32_t c = parse_binary(1);
    if (cur() == TK_QUESTION) {
        int32_t n = node_new(N_COND);
        advance();
        nodes[n].a = c;
        nodes[n].b = parse_expr();
        expect(TK_COLON);
        nodes[n].c = parse_expr();
        return n;
    }
    return c;
}

static int32_t parse_block(void) {
    int32_t n = node_new(N_BLOCK);
    expect(TK_LBRACE);
    int32_t *link = &nodes[n].a;
    while (cur() != TK_RBRACE && cur() != TK_EOF) {
        int32_t s = parse_statement(0);
        *link = s;
        link = &nodes[s].next;
    }
    expect(TK_RBRACE);
    return n;
}

static int32_t parse_if(void) {
    int32_t n = node_new(N_IF);
    advance();
    nodes[n].a = parse_expr();
    nodes[n].b = parse_block();
    if (accept(TK_ELSE)) nodes[n].c = cur() == TK_IF ? parse_if() : parse_block();
    return n;
}

static void take_name(int32_t n) {
    if (cur() != TK_IDENT) { fail_at(E_PARSE, toks[tp].line); return; }
    nodes[n].s = toks[tp].start;
    nodes[n].len = toks[tp].len;
    advance();
}

static int32_t parse_fn(void) {
    int32_t n = node_new(N_FN);
    advance();
    take_name(n);
    expect(TK_LPAREN);
    int32_t *link = &nodes[n].a;
    uint32_t count = 0;
    while (cur() == TK_IDENT) {
        int32_t p = node_new(N_NAME);
        take_name(p);
        *link = p;
        link = &nodes[p].next;
        count++;
        if (!accept(TK_COMMA)) break;
    }
    expect(TK_RPAREN);
    nodes[n].ival = count;
    nodes[n].b = parse_block();
    return n;
}

static int32_t parse_statement(int top) {
    int32_t n;
    switch (cur()) {
    case TK_LET:
        n = node_new(N_LET);
        advance();
        take_name(n);
        expect(TK_ASSIGN);
        nodes[n].a = parse_expr();
        expect(TK_SEMI);
        return n;
    case TK_FN:
        if (!top) { fail_at(E_PARSE, toks[tp].line); return node_new(N_NIL); }
        return parse_fn();
    case TK_IF:
        return parse_if();
    case TK_WHILE:
        n = node_new(N_WHILE);
        advance();
        nodes[n].a = parse_expr();
        nodes[n].b = parse_block();
        return n;
    case TK_FOR:
        n = node_new(N_FORRANGE);
        advance();
        take_name(n);
        expect(TK_IN);
        nodes[n].a = parse_expr();
        if (accept(TK_DOTDOT)) nodes[n].b = parse_expr();
        else nodes[n].kind = N_FOREACH;
        nodes[n].c = parse_block();
        return n;
    case TK_RETURN:
        n = node_new(N_RETURN);
        advance();
        if (cur() != TK_SEMI) nodes[n].a = parse_expr();
        expect(TK_SEMI);
        return n;
    case TK_BREAK:
    case TK_CONTINUE:
        n = node_new(cur() == TK_BREAK ? N_BREAK : N_CONTINUE);
        advance();
        expect(TK_SEMI);
        return n;
    case TK_LBRACE:
        return parse_block();
    default: {
        int32_t e = parse_expr();
        uint8_t k = cur();
        if (k >= TK_ASSIGN && k <= TK_SHREQ) {
            if (nodes[e].kind != N_NAME && nodes[e].kind != N_INDEX) fail_at(E_PARSE, toks[tp].line);
            n = node_new(N_ASSIGN);
            advance();
            nodes[n].op = k;
            nodes[n].a = e;
            nodes[n].b = parse_expr();
        } else {
            n = node_new(N_EXPR);
            nodes[n].a = e;
        }
        expect(TK_SEMI);
        return n;
    }
    }
}

static int32_t parse_program(void) {
    nnodes = 0;
    tp = 0;
    node_new(N_NIL); /* node 0: a placeholder returned when the node table overflows */
    int32_t n = node_new(N_BLOCK);
    int32_t *link = &nodes[n].a;
    while (cur() != TK_EOF) {
        int32_t s = parse_statement(1);
        *link = s;
        link = &nodes[s].next;
    }
    return n;
}

/* ================================================================== builtin names */

enum {
    B_LEN, B_PUSH, B_POP, B_INSERT, B_REMOVE, B_SLICE, B_SUBSTR, B_STR, B_INT, B_CHR, B_ORD,
    B_FIND, B_SPLIT, B_JOIN, B_UPPER, B_LOWER, B_TRIM, B_REPLACE, B_REPEAT, B_STARTS, B_ENDS,
    B_KEYS, B_VALUES, B_HAS, B_DEL, B_SORT, B_REVERSE, B_INDEX_OF, B_MIN, B_MAX, B_ABS, B_HASH,
    B_FMT, B_JSON, B_PARSE_JSON, B_RE_MATCH, B_RE_FIND, B_RE_COUNT, B_RE_REPLACE, B_ARRAY,
    B_RANGE, B_SUM, B_TYPE, B_PRINT, B_ASSERT, B_COUNT
};

static const struct { const char *name; uint8_t min, max; } BUILTINS[B_COUNT] = {
    {"len", 1, 1}, {"push", 2, 2}, {"pop", 1, 1}, {"insert", 3, 3}, {"remove", 2, 2},
    {"slice", 2, 3}, {"substr", 3, 3}, {"str", 1, 1}, {"int", 1, 1}, {"chr", 1, 1}, {"ord", 1, 2},
    {"find", 2, 3}, {"split", 2, 2}, {"join", 2, 2}, {"upper", 1, 1}, {"lower", 1, 1},
    {"trim", 1, 1}, {"replace", 3, 3}, {"repeat", 2, 2}, {"starts_with", 2, 2},
    {"ends_with", 2, 2}, {"keys", 1, 1}, {"values", 1, 1}, {"has", 2, 2}, {"del", 2, 2},
    {"sort", 1, 1}, {"reverse", 1, 1}, {"index_of", 2, 2}, {"min", 2, 2}, {"max", 2, 2},
    {"abs", 1, 1}, {"hash", 1, 1}, {"fmt", 1, 16}, {"json", 1, 1}, {"parse_json", 1, 1},
    {"re_match", 2, 2}, {"re_find", 2, 2}, {"re_count", 2, 2}, {"re_replace", 3, 3},
    {"array", 1, 2}, {"range", 1, 2}, {"sum", 1, 1}, {"type", 1, 1}, {"print", 0, 16},
    {"assert", 1, 2},
};

static int32_t builtin_find(const uint8_t *p, uint32_t n) {
    for (uint32_t i = 0; i < B_COUNT; i++)
        if (text_eq(p, n, BUILTINS[i].name)) return (int32_t)i;
    return -1;
}

/* ================================================================== bytecode compiler */

enum {
    OP_CONST, OP_INT, OP_NIL, OP_TRUE, OP_FALSE, OP_GETL, OP_SETL, OP_GETG, OP_SETG, OP_POP, OP_DUP2,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_BAND, OP_BOR, OP_BXOR, OP_SHL, OP_SHR,
    OP_NEG, OP_NOT, OP_BNOT, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_ADDI, OP_SUBI,
    OP_JMP, OP_JF, OP_JT, OP_JFK, OP_JTK, OP_LOOP,
    OP_JNLT, OP_JNLE, OP_JNGT, OP_JNGE, OP_JNEQ, OP_JNNE,
    OP_CALL, OP_CALLB, OP_RET, OP_RETNIL, OP_ARRAY, OP_MAP, OP_INDEX, OP_SETINDEX, OP_GETF,
    OP_INCL, OP_FORR, OP_ITER, OP_COUNT
};

/* Instruction sizes in bytes, opcode included. */
static const uint8_t OP_SIZE[OP_COUNT] = {
    3, 3, 1, 1, 1, 2, 2, 3, 3, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2,
    3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3,
    2, 3, 1, 1, 3, 3, 1, 1, 3,
    3, 4, 4,
};

typedef struct {
    uint32_t start, end;
    uint16_t nparams, nlocals, max_stack;
    uint32_t name_s, name_len;
} Func;

static uint8_t code[MAX_CODE];
static uint16_t code_line[MAX_CODE];
static uint32_t code_len;
static Value consts[MAX_CONSTS];
static uint32_t nconsts;
static Value globals[MAX_GLOBALS];
static struct { uint32_t s, len; } gnames[MAX_GLOBALS];
static uint32_t nglobals;
static Func funcs[MAX_FUNCS];
static uint32_t nfuncs;

/* Per-function compiler state. */
static struct { uint32_t s, len, depth; } clocals[MAX_LOCALS];
static uint32_t nclocals, max_clocals, scope, top_level;
static int32_t sdepth, sdepth_max;
static uint16_t emit_line;

typedef struct { uint32_t n; uint32_t at[MAX_PATCH]; } Patches;
typedef struct { Patches brk, cont; int32_t cont_target; } Loop;
static Loop loops[MAX_LOOPS];
static uint32_t nloops;

static void emit_byte(uint32_t b) {
    if (code_len >= MAX_CODE) { fail(E_LIMIT); return; }
    code_line[code_len] = emit_line;
    code[code_len++] = (uint8_t)b;
}
static void emit_op(uint32_t op, int32_t effect) {
    emit_byte(op);
    sdepth += effect;
    if (sdepth > sdepth_max) sdepth_max = sdepth;
}
static void emit_u16(uint32_t v) { emit_byte(v & 0xff); emit_byte((v >> 8) & 0xff); }
static uint32_t emit_jump(uint32_t op, int32_t effect) {
    emit_op(op, effect);
    uint32_t at = code_len;
    emit_u16(0);
    return at;
}
static void patch_to(uint32_t at, uint32_t target) {
    if (at + 1 < MAX_CODE) { code[at] = (uint8_t)target; code[at + 1] = (uint8_t)(target >> 8); }
}
static void patch_here(uint32_t at) { patch_to(at, code_len); }
static void patches_add(Patches *p, uint32_t at) {
    if (p->n >= MAX_PATCH) { fail(E_LIMIT); return; }
    p->at[p->n++] = at;
}
static void patches_here(Patches *p) {
    for (uint32_t i = 0; i < p->n; i++) patch_here(p->at[i]);
    p->n = 0;
}
static void emit_loop(uint32_t target) { emit_op(OP_LOOP, 0); emit_u16(target); }

static uint32_t const_add(Value v) {
    if (nconsts >= MAX_CONSTS) { fail(E_LIMIT); return 0; }
    consts[nconsts] = v;
    return nconsts++;
}
static uint32_t const_str(const uint8_t *p, uint32_t n) {
    uint32_t h = fnv(p, n);
    for (uint32_t i = 0; i < nconsts; i++)
        if (consts[i].t == T_STR && shash(consts[i].u) == h && slen(consts[i].u) == n &&
            bench_memcmp(sbytes(consts[i].u), p, n) == 0)
            return i;
    return const_add(vstr(str_new(p, n)));
}
static uint32_t const_int(uint64_t v) {
    for (uint32_t i = 0; i < nconsts; i++)
        if (consts[i].t == T_INT && consts[i].u == v) return i;
    return const_add(mk(T_INT, v));
}
static void emit_int(uint64_t v) {
    int64_t s = (int64_t)v;
    if (s >= -32768 && s <= 32767) { emit_op(OP_INT, 1); emit_u16((uint32_t)(uint16_t)(int16_t)s); }
    else { emit_op(OP_CONST, 1); emit_u16(const_int(v)); }
}

static int32_t local_find(const uint8_t *p, uint32_t n) {
    for (uint32_t i = nclocals; i-- > 0;)
        if (clocals[i].len == n && n && bench_memcmp(src + clocals[i].s, p, n) == 0) return (int32_t)i;
    return -1;
}
static int32_t local_add(uint32_t s, uint32_t len) {
    if (nclocals >= MAX_LOCALS) { fail(E_LIMIT); return 0; }
    clocals[nclocals].s = s;
    clocals[nclocals].len = len;
    clocals[nclocals].depth = scope;
    nclocals++;
    if (nclocals > max_clocals) max_clocals = nclocals;
    return (int32_t)(nclocals - 1);
}
static int32_t global_find(const uint8_t *p, uint32_t n) {
    for (uint32_t i = 0; i < nglobals; i++)
        if (gnames[i].len == n && bench_memcmp(src + gnames[i].s, p, n) == 0) return (int32_t)i;
    return -1;
}
static int32_t global_add(uint32_t s, uint32_t n) {
    int32_t g = global_find(src + s, n);
    if (g >= 0) return g;
    if (builtin_find(src + s, n) >= 0) { fail_at(E_COMPILE, emit_line); return 0; }
    if (nglobals >= MAX_GLOBALS) { fail(E_LIMIT); return 0; }
    gnames[nglobals].s = s;
    gnames[nglobals].len = n;
    globals[nglobals] = vnil();
    return (int32_t)nglobals++;
}

static void scope_begin(void) { scope++; }
static void scope_end(void) {
    while (nclocals > 0 && clocals[nclocals - 1].depth >= scope) nclocals--;
    scope--;
}

static Loop *loop_push(int32_t cont_target) {
    if (nloops >= MAX_LOOPS) { fail(E_LIMIT); nloops = MAX_LOOPS - 1; }
    Loop *lp = &loops[nloops++];
    lp->brk.n = 0;
    lp->cont.n = 0;
    lp->cont_target = cont_target;
    return lp;
}

/* Shared integer semantics: wrapping two's complement, truncating division. */
static uint64_t int_div(uint64_t a, uint64_t b) {
    if ((int64_t)b == -1) return 0 - a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t int_mod(uint64_t a, uint64_t b) {
    if ((int64_t)b == -1) return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}

/* Constant folding of integer arithmetic. */
static int fold(int32_t n, uint64_t *out) {
    Node *nd = &nodes[n];
    uint64_t a, b;
    switch (nd->kind) {
    case N_INT: *out = nd->ival; return 1;
    case N_UNARY:
        if (nd->op == TK_BANG || !fold(nd->a, &a)) return 0;
        *out = nd->op == TK_MINUS ? 0 - a : ~a;
        return 1;
    case N_BINARY:
        if (!fold(nd->a, &a) || !fold(nd->b, &b)) return 0;
        switch (nd->op) {
        case TK_PLUS: *out = a + b; return 1;
        case TK_MINUS: *out = a - b; return 1;
        case TK_STAR: *out = a * b; return 1;
        case TK_SLASH: if (!b) return 0; *out = int_div(a, b); return 1;
        case TK_PERCENT: if (!b) return 0; *out = int_mod(a, b); return 1;
        case TK_AMP: *out = a & b; return 1;
        case TK_PIPE: *out = a | b; return 1;
        case TK_CARET: *out = a ^ b; return 1;
        case TK_SHL: *out = a << (b & 63); return 1;
        case TK_SHR: *out = a >> (b & 63); return 1;
        default: return 0;
        }
    default: return 0;
    }
}

static uint32_t binop_for(uint32_t tk) {
    switch (tk) {
    case TK_PLUS: case TK_PLUSEQ: return OP_ADD;
    case TK_MINUS: case TK_MINUSEQ: return OP_SUB;
    case TK_STAR: case TK_STAREQ: return OP_MUL;
    case TK_SLASH: case TK_SLASHEQ: return OP_DIV;
    case TK_PERCENT: case TK_PERCENTEQ: return OP_MOD;
    case TK_AMP: case TK_AMPEQ: return OP_BAND;
    case TK_PIPE: case TK_PIPEEQ: return OP_BOR;
    case TK_CARET: case TK_CARETEQ: return OP_BXOR;
    case TK_SHL: case TK_SHLEQ: return OP_SHL;
    case TK_SHR: case TK_SHREQ: return OP_SHR;
    case TK_EQ: return OP_EQ;
    case TK_NE: return OP_NE;
    case TK_LT: return OP_LT;
    case TK_LE: return OP_LE;
    case TK_GT: return OP_GT;
    case TK_GE: return OP_GE;
    default: fail(E_COMPILE); return OP_ADD;
    }
}

static void compile_expr(int32_t n);

static uint32_t compile_list(int32_t first) {
    uint32_t count = 0;
    for (int32_t a = first; a >= 0 && !err_code; a = nodes[a].next) {
        compile_expr(a);
        count++;
    }
    return count;
}

static void compile_get_name(const Node *nd) {
    const uint8_t *p = src + nd->s;
    int32_t l = local_find(p, nd->len);
    if (l >= 0) { emit_op(OP_GETL, 1); emit_byte((uint32_t)l); return; }
    int32_t g = global_find(p, nd->len);
    if (g < 0) {
        if (builtin_find(p, nd->len) >= 0) { fail_at(E_COMPILE, nd->line); return; }
        g = global_add(nd->s, nd->len);
    }
    emit_op(OP_GETG, 1);
    emit_u16((uint32_t)g);
}

static void compile_set_name(const Node *nd) {
    int32_t l = local_find(src + nd->s, nd->len);
    if (l >= 0) { emit_op(OP_SETL, -1); emit_byte((uint32_t)l); return; }
    int32_t g = global_add(nd->s, nd->len);
    emit_op(OP_SETG, -1);
    emit_u16((uint32_t)g);
}

/* Conditional branch to the patch list when `n` is false, fusing comparisons and && chains. */
static void jump_if_false(int32_t n, Patches *pl) {
    Node *nd = &nodes[n];
    if (nd->kind == N_BINARY) {
        uint32_t op = 0;
        switch (nd->op) {
        case TK_LT: op = OP_JNLT; break;
        case TK_LE: op = OP_JNLE; break;
        case TK_GT: op = OP_JNGT; break;
        case TK_GE: op = OP_JNGE; break;
        case TK_EQ: op = OP_JNEQ; break;
        case TK_NE: op = OP_JNNE; break;
        default: break;
        }
        if (op) {
            compile_expr(nd->a);
            compile_expr(nd->b);
            patches_add(pl, emit_jump(op, -2));
            return;
        }
    }
    if (nd->kind == N_LOGAND) { jump_if_false(nd->a, pl); jump_if_false(nd->b, pl); return; }
    if (nd->kind == N_UNARY && nd->op == TK_BANG) {
        compile_expr(nd->a);
        patches_add(pl, emit_jump(OP_JT, -1));
        return;
    }
    if (nd->kind == N_TRUE) return;
    compile_expr(n);
    patches_add(pl, emit_jump(OP_JF, -1));
}

static void compile_expr(int32_t n) {
    if (err_code) return;
    Node *nd = &nodes[n];
    uint64_t v;
    emit_line = nd->line;
    switch (nd->kind) {
    case N_INT: emit_int(nd->ival); return;
    case N_STR: emit_op(OP_CONST, 1); emit_u16(const_str(pool + nd->s, nd->len)); return;
    case N_NIL: emit_op(OP_NIL, 1); return;
    case N_TRUE: emit_op(OP_TRUE, 1); return;
    case N_FALSE: emit_op(OP_FALSE, 1); return;
    case N_NAME: compile_get_name(nd); return;
    case N_ARRAY: {
        uint32_t c = compile_list(nd->a);
        emit_op(OP_ARRAY, 1 - (int32_t)c);
        emit_u16(c);
        return;
    }
    case N_MAP: {
        uint32_t c = compile_list(nd->a); /* keys and values alternate */
        emit_op(OP_MAP, 1 - (int32_t)c);
        emit_u16(c / 2);
        return;
    }
    case N_UNARY:
        if (fold(n, &v)) { emit_int(v); return; }
        compile_expr(nd->a);
        emit_op(nd->op == TK_MINUS ? OP_NEG : nd->op == TK_BANG ? OP_NOT : OP_BNOT, 0);
        return;
    case N_BINARY:
        if (fold(n, &v)) { emit_int(v); return; }
        if ((nd->op == TK_PLUS || nd->op == TK_MINUS) && fold(nd->b, &v) && (int64_t)v >= -128 && (int64_t)v <= 127) {
            compile_expr(nd->a);
            emit_op(nd->op == TK_PLUS ? OP_ADDI : OP_SUBI, 0);
            emit_byte((uint32_t)(uint8_t)(int8_t)(int64_t)v);
            return;
        }
        compile_expr(nd->a);
        compile_expr(nd->b);
        emit_op(binop_for(nd->op), -1);
        return;
    case N_LOGAND:
    case N_LOGOR: {
        compile_expr(nd->a);
        uint32_t j = emit_jump(nd->kind == N_LOGAND ? OP_JFK : OP_JTK, -1);
        compile_expr(nd->b);
        patch_here(j);
        return;
    }
    case N_COND: {
        Patches pl;
        pl.n = 0;
        jump_if_false(nd->a, &pl);
        compile_expr(nd->b);
        uint32_t j = emit_jump(OP_JMP, -1);
        patches_here(&pl);
        compile_expr(nd->c);
        patch_here(j);
        return;
    }
    case N_CALL: {
        const Node *callee = &nodes[nd->a];
        if (callee->kind == N_NAME && local_find(src + callee->s, callee->len) < 0 &&
            global_find(src + callee->s, callee->len) < 0) {
            int32_t b = builtin_find(src + callee->s, callee->len);
            if (b >= 0) {
                uint32_t argc = compile_list(nd->b);
                if (argc < BUILTINS[b].min || argc > BUILTINS[b].max) { fail_at(E_ARGS, nd->line); return; }
                emit_op(OP_CALLB, 1 - (int32_t)argc);
                emit_byte((uint32_t)b);
                emit_byte(argc);
                return;
            }
        }
        compile_expr(nd->a);
        uint32_t argc = compile_list(nd->b);
        emit_op(OP_CALL, -(int32_t)argc);
        emit_byte(argc);
        return;
    }
    case N_INDEX:
        compile_expr(nd->a);
        if (nodes[nd->b].kind == N_STR) {
            emit_op(OP_GETF, 0);
            emit_u16(const_str(pool + nodes[nd->b].s, nodes[nd->b].len));
            return;
        }
        compile_expr(nd->b);
        emit_op(OP_INDEX, -1);
        return;
    default:
        fail_at(E_COMPILE, nd->line);
        return;
    }
}

static void compile_stmt(int32_t n);

static void compile_block(int32_t n) {
    scope_begin();
    for (int32_t s = nodes[n].a; s >= 0 && !err_code; s = nodes[s].next) compile_stmt(s);
    scope_end();
}

static void compile_assign(const Node *nd) {
    const Node *t = &nodes[nd->a];
    uint32_t op = nd->op;
    uint32_t bop = op == TK_ASSIGN ? 0 : binop_for(op);
    uint64_t v;
    if (t->kind == N_NAME) {
        int32_t l = local_find(src + t->s, t->len);
        if (l >= 0 && (op == TK_PLUSEQ || op == TK_MINUSEQ) && fold(nd->b, &v)) {
            int64_t d = op == TK_PLUSEQ ? (int64_t)v : (int64_t)(0 - v);
            if (d >= -128 && d <= 127) {
                emit_op(OP_INCL, 0);
                emit_byte((uint32_t)l);
                emit_byte((uint32_t)(uint8_t)(int8_t)d);
                return;
            }
        }
        if (bop) {
            compile_get_name(t);
            compile_expr(nd->b);
            emit_op(bop, -1);
        } else {
            compile_expr(nd->b);
        }
        compile_set_name(t);
        return;
    }
    compile_expr(t->a);
    if (nodes[t->b].kind == N_STR) {
        emit_op(OP_CONST, 1);
        emit_u16(const_str(pool + nodes[t->b].s, nodes[t->b].len));
    } else {
        compile_expr(t->b);
    }
    if (bop) {
        emit_op(OP_DUP2, 2);
        emit_op(OP_INDEX, -1);
        compile_expr(nd->b);
        emit_op(bop, -1);
    } else {
        compile_expr(nd->b);
    }
    emit_op(OP_SETINDEX, -3);
}

static void compile_stmt(int32_t n) {
    if (err_code) return;
    const Node *nd = &nodes[n];
    emit_line = nd->line;
    switch (nd->kind) {
    case N_LET:
        compile_expr(nd->a);
        if (top_level && scope == 0) {
            int32_t g = global_add(nd->s, nd->len);
            emit_op(OP_SETG, -1);
            emit_u16((uint32_t)g);
        } else {
            int32_t l = local_add(nd->s, nd->len);
            emit_op(OP_SETL, -1);
            emit_byte((uint32_t)l);
        }
        return;
    case N_ASSIGN: compile_assign(nd); return;
    case N_EXPR: compile_expr(nd->a); emit_op(OP_POP, -1); return;
    case N_IF: {
        Patches pl;
        pl.n = 0;
        jump_if_false(nd->a, &pl);
        compile_block(nd->b);
        if (nd->c >= 0) {
            uint32_t j = emit_jump(OP_JMP, 0);
            patches_here(&pl);
            if (nodes[nd->c].kind == N_IF) compile_stmt(nd->c);
            else compile_block(nd->c);
            patch_here(j);
        } else {
            patches_here(&pl);
        }
        return;
    }
    case N_WHILE: {
        uint32_t top = code_len;
        Loop *lp = loop_push((int32_t)top);
        Patches pl;
        pl.n = 0;
        jump_if_false(nd->a, &pl);
        compile_block(nd->b);
        emit_loop(top);
        patches_here(&pl);
        patches_here(&lp->brk);
        nloops--;
        return;
    }
    case N_FORRANGE: {
        scope_begin();
        compile_expr(nd->a);
        compile_expr(nd->b);
        int32_t var = local_add(nd->s, nd->len);
        int32_t lim = local_add(0, 0);
        emit_op(OP_SETL, -1); emit_byte((uint32_t)lim);
        emit_op(OP_SETL, -1); emit_byte((uint32_t)var);
        uint32_t top = code_len;
        emit_op(OP_FORR, 0);
        emit_byte((uint32_t)var);
        uint32_t exit = code_len;
        emit_u16(0);
        Loop *lp = loop_push(-1);
        compile_block(nd->c);
        patches_here(&lp->cont);
        emit_op(OP_INCL, 0);
        emit_byte((uint32_t)var);
        emit_byte(1);
        emit_loop(top);
        patch_here(exit);
        patches_here(&lp->brk);
        nloops--;
        scope_end();
        return;
    }
    case N_FOREACH: {
        scope_begin();
        compile_expr(nd->a);
        int32_t h = local_add(0, 0);
        local_add(0, 0);
        local_add(nd->s, nd->len);
        emit_op(OP_SETL, -1); emit_byte((uint32_t)h);
        emit_int(0);
        emit_op(OP_SETL, -1); emit_byte((uint32_t)h + 1);
        uint32_t top = code_len;
        emit_op(OP_ITER, 0);
        emit_byte((uint32_t)h);
        uint32_t exit = code_len;
        emit_u16(0);
        Loop *lp = loop_push((int32_t)top);
        compile_block(nd->c);
        emit_loop(top);
        patch_here(exit);
        patches_here(&lp->brk);
        nloops--;
        scope_end();
        return;
    }
    case N_RETURN:
        if (nd->a >= 0) { compile_expr(nd->a); emit_op(OP_RET, -1); }
        else emit_op(OP_RETNIL, 0);
        return;
    case N_BREAK:
        if (!nloops) { fail_at(E_COMPILE, nd->line); return; }
        patches_add(&loops[nloops - 1].brk, emit_jump(OP_JMP, 0));
        return;
    case N_CONTINUE: {
        if (!nloops) { fail_at(E_COMPILE, nd->line); return; }
        Loop *lp = &loops[nloops - 1];
        if (lp->cont_target >= 0) emit_loop((uint32_t)lp->cont_target);
        else patches_add(&lp->cont, emit_jump(OP_JMP, 0));
        return;
    }
    case N_BLOCK: compile_block(n); return;
    default: fail_at(E_COMPILE, nd->line); return;
    }
}

static void func_begin(uint32_t fi) {
    nclocals = 0;
    max_clocals = 0;
    scope = 0;
    sdepth = 0;
    sdepth_max = 0;
    nloops = 0;
    funcs[fi].start = code_len;
}

static void func_end(uint32_t fi) {
    emit_op(OP_RETNIL, 0);
    funcs[fi].end = code_len;
    funcs[fi].nlocals = (uint16_t)max_clocals;
    funcs[fi].max_stack = (uint16_t)(sdepth_max + 1);
}

static void compile_program(int32_t prog) {
    nfuncs = 1;
    funcs[0].nparams = 0;
    funcs[0].name_s = 0;
    funcs[0].name_len = 0;
    /* Functions first, so that any code can call any function. */
    for (int32_t s = nodes[prog].a; s >= 0 && !err_code; s = nodes[s].next) {
        if (nodes[s].kind != N_FN) continue;
        if (nfuncs >= MAX_FUNCS) { fail(E_LIMIT); return; }
        uint32_t fi = nfuncs++;
        funcs[fi].nparams = (uint16_t)nodes[s].ival;
        funcs[fi].name_s = nodes[s].s;
        funcs[fi].name_len = nodes[s].len;
        emit_line = nodes[s].line;
        if (global_find(src + nodes[s].s, nodes[s].len) >= 0) { fail_at(E_COMPILE, nodes[s].line); return; }
        int32_t g = global_add(nodes[s].s, nodes[s].len);
        globals[g] = mk(T_FUNC, fi);
        nodes[s].c = (int32_t)fi;
    }
    top_level = 1;
    func_begin(0);
    for (int32_t s = nodes[prog].a; s >= 0 && !err_code; s = nodes[s].next)
        if (nodes[s].kind != N_FN) compile_stmt(s);
    func_end(0);
    top_level = 0;
    for (int32_t s = nodes[prog].a; s >= 0 && !err_code; s = nodes[s].next) {
        if (nodes[s].kind != N_FN) continue;
        uint32_t fi = (uint32_t)nodes[s].c;
        func_begin(fi);
        for (int32_t p = nodes[s].a; p >= 0; p = nodes[p].next) {
            if (local_find(src + nodes[p].s, nodes[p].len) >= 0) { fail_at(E_COMPILE, nodes[p].line); return; }
            local_add(nodes[p].s, nodes[p].len);
        }
        compile_block(nodes[s].b);
        func_end(fi);
    }
}

/* ================================================================== bytecode verifier */

static uint8_t insn_start[MAX_CODE];
static uint32_t op_histogram[OP_COUNT];

static inline uint32_t rd16(uint32_t ip) { return code[ip] | ((uint32_t)code[ip + 1] << 8); }

/* Checks every function: instructions decode and end exactly at the function's end, operands are in
 * range and every jump lands on an instruction start inside the function. Returns a digest. */
static uint64_t verify(void) {
    uint64_t digest = 0;
    for (uint32_t i = 0; i < OP_COUNT; i++) op_histogram[i] = 0;
    for (uint32_t fi = 0; fi < nfuncs && !err_code; fi++) {
        const Func *f = &funcs[fi];
        uint32_t pc = f->start;
        bench_memset(insn_start + f->start, 0, f->end - f->start);
        while (pc < f->end) {
            uint32_t op = code[pc];
            if (op >= OP_COUNT) { fail(E_VERIFY); return 0; }
            insn_start[pc] = 1;
            pc += OP_SIZE[op];
        }
        if (pc != f->end) { fail(E_VERIFY); return 0; }
        for (pc = f->start; pc < f->end; pc += OP_SIZE[code[pc]]) {
            uint32_t op = code[pc], target = 0xffffffffu, ok = 1;
            op_histogram[op]++;
            switch (op) {
            case OP_CONST: case OP_GETF: ok = rd16(pc + 1) < nconsts; break;
            case OP_GETL: case OP_SETL: case OP_INCL: ok = code[pc + 1] < f->nlocals; break;
            case OP_GETG: case OP_SETG: ok = rd16(pc + 1) < nglobals; break;
            case OP_CALLB:
                ok = code[pc + 1] < B_COUNT && code[pc + 2] >= BUILTINS[code[pc + 1]].min &&
                     code[pc + 2] <= BUILTINS[code[pc + 1]].max;
                break;
            case OP_FORR: ok = code[pc + 1] + 1u < f->nlocals; target = rd16(pc + 2); break;
            case OP_ITER: ok = code[pc + 1] + 2u < f->nlocals; target = rd16(pc + 2); break;
            case OP_JMP: case OP_JF: case OP_JT: case OP_JFK: case OP_JTK: case OP_LOOP:
            case OP_JNLT: case OP_JNLE: case OP_JNGT: case OP_JNGE: case OP_JNEQ: case OP_JNNE:
                target = rd16(pc + 1);
                break;
            default: break;
            }
            if (target != 0xffffffffu && (target < f->start || target >= f->end || !insn_start[target])) ok = 0;
            if (!ok) { fail_at(E_VERIFY, code_line[pc]); return 0; }
        }
        digest = bench_mix(digest, ((uint64_t)(f->end - f->start) << 32) | ((uint64_t)f->nlocals << 16) | f->max_stack);
    }
    for (uint32_t i = 0; i < OP_COUNT; i++) digest = bench_mix(digest, op_histogram[i]);
    return digest;
}

/* ================================================================== text building */

static uint8_t tb[MAX_STR_LEN];
static uint32_t tb_len;

static inline void tb_reset(void) { tb_len = 0; }
static void tb_putc(uint32_t c) {
    if (tb_len < MAX_STR_LEN) tb[tb_len++] = (uint8_t)c;
    else fail(E_LIMIT);
}
static void tb_put(const uint8_t *p, uint32_t n) {
    if (n > MAX_STR_LEN - tb_len) { fail(E_LIMIT); return; }
    bench_memcpy(tb + tb_len, p, n);
    tb_len += n;
}
static void tb_cstr(const char *s) { while (*s) tb_putc((uint8_t)*s++); }

static void tb_uint(uint64_t v, uint32_t base, int upper) {
    uint8_t d[64];
    uint32_t n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do { d[n++] = (uint8_t)digits[v % base]; v /= base; } while (v);
    while (n) tb_putc(d[--n]);
}
static void tb_int(int64_t v) {
    if (v < 0) { tb_putc('-'); tb_uint(0 - (uint64_t)v, 10, 0); }
    else tb_uint((uint64_t)v, 10, 0);
}

static void tb_json_str(uint64_t r) {
    const uint8_t *p = sbytes(r);
    uint32_t n = slen(r);
    tb_putc('"');
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        switch (c) {
        case '"': tb_cstr("\\\""); break;
        case '\\': tb_cstr("\\\\"); break;
        case '\n': tb_cstr("\\n"); break;
        case '\t': tb_cstr("\\t"); break;
        case '\r': tb_cstr("\\r"); break;
        default:
            if (c < 0x20) { tb_cstr("\\u00"); tb_putc("0123456789abcdef"[c >> 4]); tb_putc("0123456789abcdef"[c & 15]); }
            else tb_putc(c);
        }
    }
    tb_putc('"');
}

/* Appends a value's text: strings raw unless `quoted`; containers as JSON (nested strings quoted). */
static void tb_value(Value v, int quoted, uint32_t depth) {
    if (err_code) return;
    switch (v.t) {
    case T_NIL: tb_cstr(quoted ? "null" : "nil"); return;
    case T_BOOL: tb_cstr(v.u ? "true" : "false"); return;
    case T_INT: tb_int((int64_t)v.u); return;
    case T_FUNC:
        if (quoted) tb_putc('"');
        tb_cstr("<fn ");
        tb_put(src + funcs[v.u].name_s, funcs[v.u].name_len);
        tb_putc('>');
        if (quoted) tb_putc('"');
        return;
    case T_STR:
        if (quoted) tb_json_str(v.u);
        else tb_put(sbytes(v.u), slen(v.u));
        return;
    case T_ARR: {
        if (depth >= 48) { fail(E_LIMIT); return; }
        uint32_t n = arr_len(v.u);
        tb_putc('[');
        for (uint32_t i = 0; i < n && !err_code; i++) {
            if (i) tb_putc(',');
            tb_value(arr_get(v.u, i), 1, depth + 1);
        }
        tb_putc(']');
        return;
    }
    case T_MAP: {
        if (depth >= 48) { fail(E_LIMIT); return; }
        uint32_t used = map_used(v.u), first = 1;
        tb_putc('{');
        for (uint32_t e = 0; e < used && !err_code; e++) {
            uint64_t *ent = map_entry(v.u, e);
            if ((uint32_t)ent[0] == T_TOMB) continue;
            if (!first) tb_putc(',');
            first = 0;
            if ((uint32_t)ent[0] == T_STR) tb_json_str(ent[1]);
            else { tb_putc('"'); tb_value(mk((uint32_t)ent[0], ent[1]), 0, depth + 1); tb_putc('"'); }
            tb_putc(':');
            tb_value(mk((uint32_t)ent[2], ent[3]), 1, depth + 1);
        }
        tb_putc('}');
        return;
    }
    default: tb_cstr("?"); return;
    }
}

static Value tb_string(void) { return vstr(str_new(tb, tb_len)); }

static Value to_string(Value v) {
    if (v.t == T_STR) return v;
    tb_reset();
    tb_value(v, 0, 0);
    return tb_string();
}

static Value concat_values(Value a, Value b) {
    if (a.t == T_STR && b.t == T_STR) {
        uint32_t la = slen(a.u), lb = slen(b.u);
        if (!la) return b;
        if (!lb) return a;
        if (la + lb > MAX_STR_LEN) { fail(E_LIMIT); return vnil(); }
        uint32_t r = str_alloc(la + lb);
        bench_memcpy(sbytes(r), sbytes(a.u), la);
        bench_memcpy(sbytes(r) + la, sbytes(b.u), lb);
        str_seal(r);
        return vstr(r);
    }
    tb_reset();
    tb_value(a, 0, 0);
    tb_value(b, 0, 0);
    return tb_string();
}

/* ================================================================== values: equality and order */

static inline int truthy(Value v) {
    if (v.t == T_NIL) return 0;
    if (v.t == T_BOOL || v.t == T_INT) return v.u != 0;
    return 1;
}

static int value_eq(Value a, Value b) {
    if (a.t != b.t) return 0;
    if (a.t == T_STR) return str_eq(a.u, b.u);
    return a.u == b.u;
}

/* The order of `<` and friends: ints with ints, strings with strings; anything else is an error. */
static int32_t ordered_cmp(Value a, Value b) {
    if (a.t == T_INT && b.t == T_INT) return (int64_t)a.u < (int64_t)b.u ? -1 : a.u != b.u;
    if (a.t == T_STR && b.t == T_STR) return str_cmp(a.u, b.u);
    fail(E_TYPE);
    return 0;
}

/* A total order for sort(): by type, then by value. */
static int32_t total_cmp(Value a, Value b) {
    if (a.t != b.t) return a.t < b.t ? -1 : 1;
    if (a.t == T_INT) return (int64_t)a.u < (int64_t)b.u ? -1 : a.u != b.u;
    if (a.t == T_STR) return str_cmp(a.u, b.u);
    return a.u < b.u ? -1 : a.u != b.u;
}

/* ================================================================== regular expressions */

/* Syntax: literals, `.`, classes `[a-z0-9_]` / `[^...]`, escapes \d \w \s \D \W \S and escaped
 * metacharacters, anchors `^` `$`, groups, `|`, and the greedy quantifiers `*` `+` `?`. A pattern is
 * parsed into a tree, compiled into an NFA program and run as a Pike VM (breadth-first, no
 * backtracking), reporting the longest match from a start position. Compiled patterns are cached. */

#define RX_MAX_PAT 96
#define RX_MAX_NODES 160
#define RX_MAX_INST 256
#define RX_MAX_CLASSES 16
#define RX_CACHE 8

enum { RI_CHAR, RI_ANY, RI_CLASS, RI_SPLIT, RI_JMP, RI_BOL, RI_EOL, RI_MATCH };
enum { RN_CHAR, RN_ANY, RN_CLASS, RN_CAT, RN_ALT, RN_STAR, RN_PLUS, RN_QUEST, RN_BOL, RN_EOL, RN_EMPTY };

typedef struct { uint8_t op, arg; uint16_t x, y; } RxInst;
typedef struct { uint8_t kind, arg; int16_t a, b; } RxNode;

typedef struct {
    uint8_t pat[RX_MAX_PAT];
    uint32_t plen, valid, stamp, ninst, ncls;
    int32_t first_char;
    RxInst prog[RX_MAX_INST];
    uint8_t cls[RX_MAX_CLASSES][32];
} Regex;

static Regex rx_cache[RX_CACHE];
static uint32_t rx_clock;
static RxNode rxn[RX_MAX_NODES];
static uint32_t nrxn, rx_pos, rx_len;
static const uint8_t *rx_p;
static Regex *rx_cur;
static int rx_bad;
static uint64_t stat_rx_compiles, stat_rx_steps;

static int32_t rx_node(uint32_t kind, uint32_t arg, int32_t a, int32_t b) {
    if (nrxn >= RX_MAX_NODES) { rx_bad = 1; return 0; }
    rxn[nrxn].kind = (uint8_t)kind;
    rxn[nrxn].arg = (uint8_t)arg;
    rxn[nrxn].a = (int16_t)a;
    rxn[nrxn].b = (int16_t)b;
    return (int32_t)nrxn++;
}

static inline void bit_set(uint8_t *bits, uint32_t c) { bits[c >> 3] |= (uint8_t)(1u << (c & 7)); }

/* Adds the set named by \d \w \s (lower case) to `bits`; returns 0 for other letters. */
static int rx_named_set(uint32_t c, uint8_t *bits) {
    switch (c) {
    case 'd': for (uint32_t x = '0'; x <= '9'; x++) bit_set(bits, x); return 1;
    case 'w':
        for (uint32_t x = 0; x < 256; x++)
            if (is_alpha(x) || is_digit(x)) bit_set(bits, x);
        return 1;
    case 's': bit_set(bits, ' '); bit_set(bits, '\t'); bit_set(bits, '\n'); bit_set(bits, '\r'); return 1;
    default: return 0;
    }
}

static uint32_t rx_escape(uint32_t c) {
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return c;
    }
}

static uint8_t *rx_new_class(void) {
    if (rx_cur->ncls >= RX_MAX_CLASSES) { rx_bad = 1; return rx_cur->cls[0]; }
    uint8_t *bits = rx_cur->cls[rx_cur->ncls++];
    bench_memset(bits, 0, 32);
    return bits;
}

static int32_t rx_class(void) {
    uint32_t idx = rx_cur->ncls;
    uint8_t *bits = rx_new_class();
    int neg = 0, first = 1;
    if (rx_pos < rx_len && rx_p[rx_pos] == '^') { neg = 1; rx_pos++; }
    while (rx_pos < rx_len && (rx_p[rx_pos] != ']' || first)) {
        first = 0;
        uint32_t c = rx_p[rx_pos++];
        if (c == '\\' && rx_pos < rx_len) {
            c = rx_p[rx_pos++];
            if (rx_named_set(c, bits)) continue;
            c = rx_escape(c);
        }
        uint32_t hi = c;
        if (rx_pos + 1 < rx_len && rx_p[rx_pos] == '-' && rx_p[rx_pos + 1] != ']') {
            hi = rx_p[rx_pos + 1];
            rx_pos += 2;
            if (hi < c) { rx_bad = 1; return 0; }
        }
        for (uint32_t x = c; x <= hi; x++) bit_set(bits, x);
    }
    if (rx_pos >= rx_len) { rx_bad = 1; return 0; }
    rx_pos++;
    if (neg)
        for (uint32_t i = 0; i < 32; i++) bits[i] = (uint8_t)~bits[i];
    return rx_node(RN_CLASS, idx, -1, -1);
}

static int32_t rx_alt(uint32_t depth);

static int32_t rx_atom(uint32_t depth) {
    uint32_t c = rx_p[rx_pos++];
    switch (c) {
    case '(': {
        if (depth > 12) { rx_bad = 1; return 0; }
        int32_t n = rx_alt(depth + 1);
        if (rx_pos >= rx_len || rx_p[rx_pos] != ')') { rx_bad = 1; return 0; }
        rx_pos++;
        return n;
    }
    case '.': return rx_node(RN_ANY, 0, -1, -1);
    case '[': return rx_class();
    case '^': return rx_node(RN_BOL, 0, -1, -1);
    case '$': return rx_node(RN_EOL, 0, -1, -1);
    case '\\': {
        if (rx_pos >= rx_len) { rx_bad = 1; return 0; }
        uint32_t e = rx_p[rx_pos++];
        uint32_t lower = e | 0x20;
        if ((e == 'D' || e == 'W' || e == 'S' || e == 'd' || e == 'w' || e == 's')) {
            uint32_t idx = rx_cur->ncls;
            uint8_t *bits = rx_new_class();
            rx_named_set(lower, bits);
            if (e != lower)
                for (uint32_t i = 0; i < 32; i++) bits[i] = (uint8_t)~bits[i];
            return rx_node(RN_CLASS, idx, -1, -1);
        }
        return rx_node(RN_CHAR, rx_escape(e), -1, -1);
    }
    case '*': case '+': case '?': case ')': case '|':
        rx_bad = 1;
        return 0;
    default:
        return rx_node(RN_CHAR, c, -1, -1);
    }
}

static int32_t rx_repeat(uint32_t depth) {
    int32_t a = rx_atom(depth);
    while (rx_pos < rx_len && !rx_bad) {
        uint32_t c = rx_p[rx_pos];
        if (c == '*') a = rx_node(RN_STAR, 0, a, -1);
        else if (c == '+') a = rx_node(RN_PLUS, 0, a, -1);
        else if (c == '?') a = rx_node(RN_QUEST, 0, a, -1);
        else break;
        rx_pos++;
    }
    return a;
}

static int32_t rx_concat(uint32_t depth) {
    int32_t t = -1;
    while (rx_pos < rx_len && rx_p[rx_pos] != '|' && rx_p[rx_pos] != ')' && !rx_bad) {
        int32_t a = rx_repeat(depth);
        t = t < 0 ? a : rx_node(RN_CAT, 0, t, a);
    }
    return t < 0 ? rx_node(RN_EMPTY, 0, -1, -1) : t;
}

static int32_t rx_alt(uint32_t depth) {
    int32_t t = rx_concat(depth);
    while (rx_pos < rx_len && rx_p[rx_pos] == '|' && !rx_bad) {
        rx_pos++;
        t = rx_node(RN_ALT, 0, t, rx_concat(depth));
    }
    return t;
}

static uint32_t rx_emit(uint32_t op, uint32_t arg) {
    if (rx_cur->ninst >= RX_MAX_INST) { rx_bad = 1; return 0; }
    RxInst *in = &rx_cur->prog[rx_cur->ninst];
    in->op = (uint8_t)op;
    in->arg = (uint8_t)arg;
    in->x = in->y = 0;
    return rx_cur->ninst++;
}

static void rx_gen(int32_t n) {
    if (rx_bad) return;
    const RxNode *nd = &rxn[n];
    RxInst *prog = rx_cur->prog;
    uint32_t s, j;
    switch (nd->kind) {
    case RN_CHAR: rx_emit(RI_CHAR, nd->arg); break;
    case RN_ANY: rx_emit(RI_ANY, 0); break;
    case RN_CLASS: rx_emit(RI_CLASS, nd->arg); break;
    case RN_BOL: rx_emit(RI_BOL, 0); break;
    case RN_EOL: rx_emit(RI_EOL, 0); break;
    case RN_EMPTY: break;
    case RN_CAT: rx_gen(nd->a); rx_gen(nd->b); break;
    case RN_ALT:
        s = rx_emit(RI_SPLIT, 0);
        prog[s].x = (uint16_t)rx_cur->ninst;
        rx_gen(nd->a);
        j = rx_emit(RI_JMP, 0);
        prog[s].y = (uint16_t)rx_cur->ninst;
        rx_gen(nd->b);
        prog[j].x = (uint16_t)rx_cur->ninst;
        break;
    case RN_STAR:
        s = rx_emit(RI_SPLIT, 0);
        prog[s].x = (uint16_t)rx_cur->ninst;
        rx_gen(nd->a);
        j = rx_emit(RI_JMP, 0);
        prog[j].x = (uint16_t)s;
        prog[s].y = (uint16_t)rx_cur->ninst;
        break;
    case RN_PLUS: {
        uint32_t start = rx_cur->ninst;
        rx_gen(nd->a);
        s = rx_emit(RI_SPLIT, 0);
        prog[s].x = (uint16_t)start;
        prog[s].y = (uint16_t)(s + 1);
        break;
    }
    case RN_QUEST:
        s = rx_emit(RI_SPLIT, 0);
        prog[s].x = (uint16_t)rx_cur->ninst;
        rx_gen(nd->a);
        prog[s].y = (uint16_t)rx_cur->ninst;
        break;
    default: rx_bad = 1; break;
    }
}

static Regex *rx_get(uint64_t pr) {
    const uint8_t *p = sbytes(pr);
    uint32_t n = slen(pr);
    if (n > RX_MAX_PAT) { fail(E_REGEX); return 0; }
    Regex *victim = 0; /* an unused entry, else the least recently used one */
    for (uint32_t i = 0; i < RX_CACHE; i++) {
        Regex *re = &rx_cache[i];
        if (re->valid && re->plen == n && bench_memcmp(re->pat, p, n) == 0) {
            re->stamp = ++rx_clock;
            return re;
        }
        if (!victim || (victim->valid && (!re->valid || re->stamp < victim->stamp))) victim = re;
    }
    Regex *re = victim;
    stat_rx_compiles++;
    re->valid = 0;
    bench_memcpy(re->pat, p, n);
    re->plen = n;
    re->ninst = 0;
    re->ncls = 0;
    nrxn = 0;
    rx_bad = 0;
    rx_p = re->pat;
    rx_len = n;
    rx_pos = 0;
    rx_cur = re;
    int32_t root = rx_alt(0);
    if (rx_pos != n) rx_bad = 1;
    if (!rx_bad) { rx_gen(root); rx_emit(RI_MATCH, 0); }
    if (rx_bad) { fail(E_REGEX); return 0; }
    re->first_char = re->prog[0].op == RI_CHAR ? re->prog[0].arg : -1;
    re->valid = 1;
    re->stamp = ++rx_clock;
    return re;
}

static uint16_t rx_list_a[RX_MAX_INST], rx_list_b[RX_MAX_INST];
static uint16_t rx_stack[2 * RX_MAX_INST + 2];
static uint32_t rx_mark[RX_MAX_INST];
static uint32_t rx_generation;

/* Adds `pc` and everything reachable through empty transitions at position `pos`. */
static uint32_t rx_add(const Regex *re, uint16_t *list, uint32_t n, uint32_t pc, uint32_t pos, uint32_t len) {
    uint32_t sp = 0;
    rx_stack[sp++] = (uint16_t)pc;
    while (sp) {
        pc = rx_stack[--sp];
        if (rx_mark[pc] == rx_generation) continue;
        rx_mark[pc] = rx_generation;
        const RxInst *in = &re->prog[pc];
        switch (in->op) {
        case RI_JMP: rx_stack[sp++] = in->x; break;
        case RI_SPLIT: rx_stack[sp++] = in->y; rx_stack[sp++] = in->x; break;
        case RI_BOL: if (pos == 0) rx_stack[sp++] = (uint16_t)(pc + 1); break;
        case RI_EOL: if (pos == len) rx_stack[sp++] = (uint16_t)(pc + 1); break;
        default: list[n++] = (uint16_t)pc; break;
        }
    }
    return n;
}

/* End of the longest match starting at `start`, or -1. */
static int32_t rx_longest(const Regex *re, const uint8_t *s, uint32_t len, uint32_t start) {
    uint16_t *cl = rx_list_a, *nl = rx_list_b;
    rx_generation++;
    uint32_t nc = rx_add(re, cl, 0, 0, start, len);
    int32_t last = -1;
    for (uint32_t pos = start;; pos++) {
        for (uint32_t i = 0; i < nc; i++)
            if (re->prog[cl[i]].op == RI_MATCH) { last = (int32_t)pos; break; }
        if (pos >= len || nc == 0) break;
        uint32_t c = s[pos], nn = 0;
        rx_generation++;
        stat_rx_steps += nc;
        for (uint32_t i = 0; i < nc; i++) {
            const RxInst *in = &re->prog[cl[i]];
            int ok;
            switch (in->op) {
            case RI_CHAR: ok = c == in->arg; break;
            case RI_ANY: ok = c != '\n'; break;
            case RI_CLASS: ok = (re->cls[in->arg][c >> 3] >> (c & 7)) & 1; break;
            default: ok = 0; break;
            }
            if (ok) nn = rx_add(re, nl, nn, cl[i] + 1u, pos + 1, len);
        }
        uint16_t *t = cl; cl = nl; nl = t;
        nc = nn;
    }
    return last;
}

/* Start of the first match at or after `from` (its end in *end), or -1. */
static int32_t rx_search(const Regex *re, const uint8_t *s, uint32_t len, uint32_t from, int32_t *end) {
    for (uint32_t i = from; i <= len; i++) {
        if (re->first_char >= 0 && (i == len || s[i] != (uint32_t)re->first_char)) continue;
        int32_t e = rx_longest(re, s, len, i);
        if (e >= 0) { *end = e; return (int32_t)i; }
    }
    return -1;
}

/* ================================================================== JSON */

static const uint8_t *jp;
static uint32_t jn, ji;
static uint8_t jbuf[MAX_STR_LEN];

static void json_ws(void) { while (ji < jn && is_space(jp[ji])) ji++; }

static int json_lit(const char *w) {
    uint32_t i = 0;
    for (; w[i]; i++)
        if (ji + i >= jn || jp[ji + i] != (uint8_t)w[i]) return 0;
    ji += i;
    return 1;
}

static Value json_string(void) {
    uint32_t n = 0;
    ji++;
    while (ji < jn && jp[ji] != '"') {
        uint32_t c = jp[ji++];
        if (c == '\\') {
            if (ji >= jn) break;
            c = jp[ji++];
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = 8; break;
            case 'f': c = 12; break;
            case 'u': {
                uint32_t cp = 0;
                for (uint32_t k = 0; k < 4; k++) {
                    int32_t d = ji < jn ? hex_digit(jp[ji]) : -1;
                    if (d < 0) { fail(E_JSON); return vnil(); }
                    cp = cp * 16 + (uint32_t)d;
                    ji++;
                }
                /* UTF-8 encode (no surrogate pairing). */
                if (cp >= 0x80) {
                    if (n + 3 > MAX_STR_LEN) { fail(E_LIMIT); return vnil(); }
                    if (cp < 0x800) {
                        jbuf[n++] = (uint8_t)(0xC0 | (cp >> 6));
                    } else {
                        jbuf[n++] = (uint8_t)(0xE0 | (cp >> 12));
                        jbuf[n++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                    }
                    c = 0x80 | (cp & 0x3F);
                } else {
                    c = cp;
                }
                break;
            }
            default: break; /* \" \\ \/ */
            }
        }
        if (n >= MAX_STR_LEN) { fail(E_LIMIT); return vnil(); }
        jbuf[n++] = (uint8_t)c;
    }
    if (ji >= jn) { fail(E_JSON); return vnil(); }
    ji++;
    return vstr(str_new(jbuf, n));
}

static Value json_value(uint32_t depth) {
    json_ws();
    if (ji >= jn || depth > 40 || err_code) { fail(E_JSON); return vnil(); }
    uint32_t c = jp[ji];
    if (c == '{') {
        uint32_t m = map_new(0);
        ji++;
        json_ws();
        if (ji < jn && jp[ji] == '}') { ji++; return mk(T_MAP, m); }
        for (;;) {
            json_ws();
            if (ji >= jn || jp[ji] != '"') { fail(E_JSON); return vnil(); }
            Value k = json_string();
            json_ws();
            if (ji >= jn || jp[ji] != ':') { fail(E_JSON); return vnil(); }
            ji++;
            Value v = json_value(depth + 1);
            if (err_code) return vnil();
            map_set(m, k, v);
            json_ws();
            if (ji < jn && jp[ji] == ',') { ji++; continue; }
            if (ji < jn && jp[ji] == '}') { ji++; break; }
            fail(E_JSON);
            return vnil();
        }
        return mk(T_MAP, m);
    }
    if (c == '[') {
        uint32_t a = arr_new(0);
        ji++;
        json_ws();
        if (ji < jn && jp[ji] == ']') { ji++; return mk(T_ARR, a); }
        for (;;) {
            Value v = json_value(depth + 1);
            if (err_code) return vnil();
            arr_push(a, v);
            json_ws();
            if (ji < jn && jp[ji] == ',') { ji++; continue; }
            if (ji < jn && jp[ji] == ']') { ji++; break; }
            fail(E_JSON);
            return vnil();
        }
        return mk(T_ARR, a);
    }
    if (c == '"') return json_string();
    if (json_lit("true")) return vbool(1);
    if (json_lit("false")) return vbool(0);
    if (json_lit("null")) return vnil();
    if (c == '-' || is_digit(c)) {
        int neg = c == '-';
        if (neg) ji++;
        if (ji >= jn || !is_digit(jp[ji])) { fail(E_JSON); return vnil(); }
        uint64_t v = 0;
        while (ji < jn && is_digit(jp[ji])) v = v * 10 + (uint32_t)(jp[ji++] - '0');
        if (ji < jn && (jp[ji] == '.' || jp[ji] == 'e' || jp[ji] == 'E')) { fail(E_JSON); return vnil(); }
        return mk(T_INT, neg ? 0 - v : v);
    }
    fail(E_JSON);
    return vnil();
}

static Value json_parse(uint64_t s) {
    jp = sbytes(s);
    jn = slen(s);
    ji = 0;
    Value v = json_value(0);
    json_ws();
    if (!err_code && ji != jn) fail(E_JSON);
    return v;
}

/* ================================================================== builtins */

static Value sort_buf[MAX_ARR_LEN], sort_tmp[MAX_ARR_LEN];
static uint64_t out_hash;
static uint32_t out_bytes, out_lines;
static uint8_t out_last[256];
static uint32_t out_last_len;

static int want(Value v, uint32_t t) {
    if (v.t != t) { fail(E_TYPE); return 0; }
    return 1;
}

/* Python-style slice bounds: negative counts from the end, clamped to [0, n]. */
static uint32_t clamp_index(Value v, uint32_t n) {
    int64_t i = (int64_t)v.u;
    if (i < 0) i += n;
    if (i < 0) i = 0;
    if (i > (int64_t)n) i = n;
    return (uint32_t)i;
}

static int32_t find_bytes(const uint8_t *h, uint32_t hn, const uint8_t *nd, uint32_t nn, uint32_t from) {
    if (nn == 0) return from <= hn ? (int32_t)from : -1;
    if (nn > hn) return -1;
    uint8_t first = nd[0];
    for (uint32_t i = from; i + nn <= hn; i++)
        if (h[i] == first && bench_memcmp(h + i + 1, nd + 1, nn - 1) == 0) return (int32_t)i;
    return -1;
}

static void sort_array(uint32_t a) {
    uint32_t n = arr_len(a);
    Value *s = sort_buf, *d = sort_tmp;
    for (uint32_t i = 0; i < n; i++) s[i] = arr_get(a, i);
    /* Insertion-sorted runs of 8, then bottom-up merges (stable). */
    for (uint32_t lo = 0; lo < n; lo += 8) {
        uint32_t hi = lo + 8 < n ? lo + 8 : n;
        for (uint32_t i = lo + 1; i < hi; i++) {
            Value x = s[i];
            uint32_t j = i;
            while (j > lo && total_cmp(s[j - 1], x) > 0) { s[j] = s[j - 1]; j--; }
            s[j] = x;
        }
    }
    for (uint32_t w = 8; w < n; w *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * w) {
            uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) d[k++] = total_cmp(s[j], s[i]) < 0 ? s[j++] : s[i++];
            while (i < mid) d[k++] = s[i++];
            while (j < hi) d[k++] = s[j++];
        }
        Value *t = s; s = d; d = t;
    }
    for (uint32_t i = 0; i < n; i++) arr_put(a, i, s[i]);
}

static Value bi_fmt(const Value *a, uint32_t argc) {
    if (!want(a[0], T_STR)) return vnil();
    const uint8_t *f = sbytes(a[0].u);
    uint32_t n = slen(a[0].u), ai = 1;
    tb_reset();
    for (uint32_t i = 0; i < n && !err_code; i++) {
        uint32_t c = f[i];
        if (c != '%') { tb_putc(c); continue; }
        if (++i >= n) break;
        int left = 0, zero = 0;
        uint32_t width = 0;
        while (i < n && (f[i] == '-' || f[i] == '0')) { if (f[i] == '-') left = 1; else zero = 1; i++; }
        while (i < n && is_digit(f[i])) { width = width * 10 + (f[i] - '0'); if (width > 64) width = 64; i++; }
        if (i >= n) break;
        uint32_t conv = f[i];
        if (conv == '%') { tb_putc('%'); continue; }
        if (ai >= argc) { fail(E_ARGS); return vnil(); }
        Value v = a[ai++];
        uint32_t mark = tb_len;
        switch (conv) {
        case 'd': if (!want(v, T_INT)) return vnil(); tb_int((int64_t)v.u); break;
        case 'x': if (!want(v, T_INT)) return vnil(); tb_uint(v.u, 16, 0); break;
        case 'X': if (!want(v, T_INT)) return vnil(); tb_uint(v.u, 16, 1); break;
        case 'b': if (!want(v, T_INT)) return vnil(); tb_uint(v.u, 2, 0); break;
        case 'c': if (!want(v, T_INT)) return vnil(); tb_putc((uint8_t)v.u); break;
        case 's': tb_value(v, 0, 0); break;
        case 'j': tb_value(v, 1, 0); break;
        default: fail(E_ARGS); return vnil();
        }
        uint32_t produced = tb_len - mark;
        if (produced >= width || err_code) continue;
        uint32_t pad = width - produced;
        if (pad > MAX_STR_LEN - tb_len) { fail(E_LIMIT); return vnil(); }
        if (left) {
            for (uint32_t k = 0; k < pad; k++) tb_putc(' ');
        } else {
            uint32_t at = mark;
            uint8_t fill = ' ';
            if (zero && conv != 's' && conv != 'c' && conv != 'j') {
                fill = '0';
                if (tb[mark] == '-') at++;
            }
            bench_memmove(tb + at + pad, tb + at, tb_len - at);
            bench_memset(tb + at, fill, pad);
            tb_len += pad;
        }
    }
    return err_code ? vnil() : tb_string();
}

static Value bi_split(Value s, Value sep) {
    if (!want(s, T_STR) || !want(sep, T_STR)) return vnil();
    uint32_t out = arr_new(8);
    uint32_t n = slen(s.u), m = slen(sep.u);
    if (m == 0) {
        for (uint32_t i = 0; i < n && !err_code; i++) arr_push(out, vstr(str_new(sbytes(s.u) + i, 1)));
        return mk(T_ARR, out);
    }
    uint32_t from = 0;
    for (;;) {
        int32_t at = find_bytes(sbytes(s.u), n, sbytes(sep.u), m, from);
        uint32_t end = at < 0 ? n : (uint32_t)at;
        arr_push(out, vstr(str_new(sbytes(s.u) + from, end - from)));
        if (at < 0 || err_code) break;
        from = end + m;
    }
    return mk(T_ARR, out);
}

static Value bi_join(Value a, Value sep) {
    if (!want(a, T_ARR) || !want(sep, T_STR)) return vnil();
    uint32_t n = arr_len(a.u);
    tb_reset();
    for (uint32_t i = 0; i < n && !err_code; i++) {
        if (i) tb_put(sbytes(sep.u), slen(sep.u));
        tb_value(arr_get(a.u, i), 0, 0);
    }
    return err_code ? vnil() : tb_string();
}

static Value bi_replace(Value s, Value from, Value to) {
    if (!want(s, T_STR) || !want(from, T_STR) || !want(to, T_STR)) return vnil();
    uint32_t n = slen(s.u), m = slen(from.u), pos = 0;
    if (m == 0) return s;
    tb_reset();
    for (;;) {
        int32_t at = find_bytes(sbytes(s.u), n, sbytes(from.u), m, pos);
        if (at < 0) break;
        tb_put(sbytes(s.u) + pos, (uint32_t)at - pos);
        tb_put(sbytes(to.u), slen(to.u));
        pos = (uint32_t)at + m;
    }
    tb_put(sbytes(s.u) + pos, n - pos);
    return err_code ? vnil() : tb_string();
}

static Value bi_case(Value s, int up) {
    if (!want(s, T_STR)) return vnil();
    uint32_t n = slen(s.u), r = str_alloc(n);
    const uint8_t *p = sbytes(s.u);
    uint8_t *d = sbytes(r);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (up && c >= 'a' && c <= 'z') c = (uint8_t)(c - 32);
        else if (!up && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
        d[i] = c;
    }
    str_seal(r);
    return vstr(r);
}

static Value bi_slice(const Value *a, uint32_t argc) {
    Value x = a[0];
    uint32_t n;
    if (x.t == T_STR) n = slen(x.u);
    else if (x.t == T_ARR) n = arr_len(x.u);
    else { fail(E_TYPE); return vnil(); }
    if (!want(a[1], T_INT)) return vnil();
    uint32_t i = clamp_index(a[1], n), j = n;
    if (argc > 2) {
        if (!want(a[2], T_INT)) return vnil();
        j = clamp_index(a[2], n);
    }
    if (j < i) j = i;
    if (x.t == T_STR) return vstr(str_new(sbytes(x.u) + i, j - i));
    uint32_t r = arr_new(j - i);
    for (uint32_t k = i; k < j; k++) arr_put(r, k - i, arr_get(x.u, k));
    set_aux(r, j - i);
    return mk(T_ARR, r);
}

static Value bi_parse_int(Value v) {
    if (v.t == T_INT) return v;
    if (v.t == T_BOOL) return vint((int64_t)v.u);
    if (!want(v, T_STR)) return vnil();
    const uint8_t *p = sbytes(v.u);
    uint32_t n = slen(v.u), i = 0;
    while (i < n && is_space(p[i])) i++;
    int neg = 0;
    if (i < n && (p[i] == '-' || p[i] == '+')) { neg = p[i] == '-'; i++; }
    if (i >= n || !is_digit(p[i])) return vnil();
    uint64_t x = 0;
    while (i < n && is_digit(p[i])) x = x * 10 + (uint32_t)(p[i++] - '0');
    while (i < n && is_space(p[i])) i++;
    if (i != n) return vnil();
    return mk(T_INT, neg ? 0 - x : x);
}

static uint32_t value_hash(Value v) {
    if (v.t == T_STR) return shash(v.u);
    if (v.t == T_INT || v.t == T_BOOL || v.t == T_NIL) return key_hash(v.t, v.u);
    tb_reset();
    tb_value(v, 1, 0);
    return fnv(tb, tb_len);
}

static Value bi_print(const Value *a, uint32_t argc) {
    tb_reset();
    for (uint32_t i = 0; i < argc; i++) {
        if (i) tb_putc(' ');
        tb_value(a[i], 0, 0);
    }
    tb_putc('\n');
    for (uint32_t i = 0; i < tb_len; i++) out_hash = (out_hash ^ tb[i]) * 0x100000001B3ull;
    out_bytes += tb_len;
    out_lines++;
    out_last_len = tb_len < sizeof(out_last) ? tb_len : (uint32_t)sizeof(out_last);
    bench_memcpy(out_last, tb, out_last_len);
    return vnil();
}

static Value call_builtin(uint32_t id, Value *a, uint32_t argc) {
    switch (id) {
    case B_LEN:
        if (a[0].t == T_STR) return vint(slen(a[0].u));
        if (a[0].t == T_ARR) return vint(arr_len(a[0].u));
        if (a[0].t == T_MAP) return vint(map_count(a[0].u));
        fail(E_TYPE);
        return vnil();
    case B_PUSH:
        if (want(a[0], T_ARR)) arr_push((uint32_t)a[0].u, a[1]);
        return vnil();
    case B_POP: {
        if (!want(a[0], T_ARR)) return vnil();
        uint32_t n = arr_len(a[0].u);
        if (!n) { fail(E_INDEX); return vnil(); }
        Value v = arr_get(a[0].u, n - 1);
        arr_put(a[0].u, n - 1, vnil());
        set_aux((uint32_t)a[0].u, n - 1);
        return v;
    }
    case B_INSERT: {
        if (!want(a[0], T_ARR) || !want(a[1], T_INT)) return vnil();
        uint32_t arr = (uint32_t)a[0].u, n = arr_len(arr);
        if (a[1].u > n) { fail(E_INDEX); return vnil(); }
        if (!arr_reserve(arr, n + 1)) return vnil();
        uint32_t at = (uint32_t)a[1].u;
        bench_memmove(arr_slot(arr, at + 1), arr_slot(arr, at), (size_t)(n - at) * 16);
        arr_put(arr, at, a[2]);
        set_aux(arr, n + 1);
        return vnil();
    }
    case B_REMOVE: {
        if (!want(a[0], T_ARR) || !want(a[1], T_INT)) return vnil();
        uint32_t arr = (uint32_t)a[0].u, n = arr_len(arr);
        if (a[1].u >= n) { fail(E_INDEX); return vnil(); }
        uint32_t at = (uint32_t)a[1].u;
        Value v = arr_get(arr, at);
        bench_memmove(arr_slot(arr, at), arr_slot(arr, at + 1), (size_t)(n - at - 1) * 16);
        arr_put(arr, n - 1, vnil());
        set_aux(arr, n - 1);
        return v;
    }
    case B_SLICE: return bi_slice(a, argc);
    case B_SUBSTR: {
        if (!want(a[0], T_STR) || !want(a[1], T_INT) || !want(a[2], T_INT)) return vnil();
        uint32_t n = slen(a[0].u), i = clamp_index(a[1], n);
        uint64_t cnt = (int64_t)a[2].u < 0 ? 0 : a[2].u;
        if (cnt > n - i) cnt = n - i;
        return vstr(str_new(sbytes(a[0].u) + i, (uint32_t)cnt));
    }
    case B_STR: return to_string(a[0]);
    case B_INT: return bi_parse_int(a[0]);
    case B_CHR: {
        if (!want(a[0], T_INT)) return vnil();
        uint8_t c = (uint8_t)a[0].u;
        return vstr(str_new(&c, 1));
    }
    case B_ORD: {
        if (!want(a[0], T_STR)) return vnil();
        uint64_t i = 0;
        if (argc > 1) { if (!want(a[1], T_INT)) return vnil(); i = a[1].u; }
        if (i >= slen(a[0].u)) { fail(E_INDEX); return vnil(); }
        return vint(sbytes(a[0].u)[i]);
    }
    case B_FIND: {
        if (!want(a[0], T_STR) || !want(a[1], T_STR)) return vnil();
        uint32_t from = 0;
        if (argc > 2) { if (!want(a[2], T_INT)) return vnil(); from = clamp_index(a[2], slen(a[0].u)); }
        return vint(find_bytes(sbytes(a[0].u), slen(a[0].u), sbytes(a[1].u), slen(a[1].u), from));
    }
    case B_SPLIT: return bi_split(a[0], a[1]);
    case B_JOIN: return bi_join(a[0], a[1]);
    case B_UPPER: return bi_case(a[0], 1);
    case B_LOWER: return bi_case(a[0], 0);
    case B_TRIM: {
        if (!want(a[0], T_STR)) return vnil();
        const uint8_t *p = sbytes(a[0].u);
        uint32_t i = 0, j = slen(a[0].u);
        while (i < j && is_space(p[i])) i++;
        while (j > i && is_space(p[j - 1])) j--;
        if (i == 0 && j == slen(a[0].u)) return a[0];
        return vstr(str_new(p + i, j - i));
    }
    case B_REPLACE: return bi_replace(a[0], a[1], a[2]);
    case B_REPEAT: {
        if (!want(a[0], T_STR) || !want(a[1], T_INT)) return vnil();
        uint32_t n = slen(a[0].u);
        int64_t k = (int64_t)a[1].u;
        if (k < 0) k = 0;
        if (n && (uint64_t)k > MAX_STR_LEN / n) { fail(E_LIMIT); return vnil(); }
        uint32_t r = str_alloc(n * (uint32_t)k);
        for (uint32_t i = 0; i < (uint32_t)k; i++) bench_memcpy(sbytes(r) + i * n, sbytes(a[0].u), n);
        str_seal(r);
        return vstr(r);
    }
    case B_STARTS:
    case B_ENDS: {
        if (!want(a[0], T_STR) || !want(a[1], T_STR)) return vnil();
        uint32_t n = slen(a[0].u), m = slen(a[1].u);
        if (m > n) return vbool(0);
        uint32_t at = id == B_STARTS ? 0 : n - m;
        return vbool(bench_memcmp(sbytes(a[0].u) + at, sbytes(a[1].u), m) == 0);
    }
    case B_KEYS:
    case B_VALUES: {
        if (!want(a[0], T_MAP)) return vnil();
        uint64_t m = a[0].u;
        uint32_t r = arr_new(map_count(m)), used = map_used(m), k = 0;
        if (err_code) return vnil();
        for (uint32_t e = 0; e < used; e++) {
            uint64_t *ent = map_entry(m, e);
            if ((uint32_t)ent[0] == T_TOMB) continue;
            arr_put(r, k++, id == B_KEYS ? mk((uint32_t)ent[0], ent[1]) : mk((uint32_t)ent[2], ent[3]));
        }
        set_aux(r, k);
        return mk(T_ARR, r);
    }
    case B_HAS:
        if (!want(a[0], T_MAP)) return vnil();
        return vbool(map_lookup(a[0].u, a[1], 0) >= 0);
    case B_DEL:
        if (!want(a[0], T_MAP)) return vnil();
        return vbool(map_del(a[0].u, a[1]));
    case B_SORT:
        if (want(a[0], T_ARR)) sort_array((uint32_t)a[0].u);
        return a[0];
    case B_REVERSE: {
        if (a[0].t == T_STR) {
            uint32_t n = slen(a[0].u), r = str_alloc(n);
            for (uint32_t i = 0; i < n; i++) sbytes(r)[i] = sbytes(a[0].u)[n - 1 - i];
            str_seal(r);
            return vstr(r);
        }
        if (!want(a[0], T_ARR)) return vnil();
        uint32_t n = arr_len(a[0].u);
        for (uint32_t i = 0; i < n / 2; i++) {
            Value x = arr_get(a[0].u, i);
            arr_put(a[0].u, i, arr_get(a[0].u, n - 1 - i));
            arr_put(a[0].u, n - 1 - i, x);
        }
        return a[0];
    }
    case B_INDEX_OF: {
        if (a[0].t == T_STR && a[1].t == T_STR)
            return vint(find_bytes(sbytes(a[0].u), slen(a[0].u), sbytes(a[1].u), slen(a[1].u), 0));
        if (!want(a[0], T_ARR)) return vnil();
        uint32_t n = arr_len(a[0].u);
        for (uint32_t i = 0; i < n; i++)
            if (value_eq(arr_get(a[0].u, i), a[1])) return vint(i);
        return vint(-1);
    }
    case B_MIN:
    case B_MAX: {
        int32_t c = ordered_cmp(a[0], a[1]);
        if (err_code) return vnil();
        return (id == B_MIN) == (c <= 0) ? a[0] : a[1];
    }
    case B_ABS:
        if (!want(a[0], T_INT)) return vnil();
        return (int64_t)a[0].u < 0 ? mk(T_INT, 0 - a[0].u) : a[0];
    case B_HASH: return vint(value_hash(a[0]));
    case B_FMT: return bi_fmt(a, argc);
    case B_JSON:
        tb_reset();
        tb_value(a[0], 1, 0);
        return err_code ? vnil() : tb_string();
    case B_PARSE_JSON:
        if (!want(a[0], T_STR)) return vnil();
        return json_parse(a[0].u);
    case B_RE_MATCH:
    case B_RE_FIND:
    case B_RE_COUNT:
    case B_RE_REPLACE: {
        if (!want(a[0], T_STR) || !want(a[1], T_STR)) return vnil();
        Regex *re = rx_get(a[0].u);
        if (!re) return vnil();
        const uint8_t *s = sbytes(a[1].u);
        uint32_t n = slen(a[1].u);
        int32_t end = 0;
        if (id == B_RE_MATCH) return vbool(rx_longest(re, s, n, 0) == (int32_t)n);
        if (id == B_RE_FIND) return vint(rx_search(re, s, n, 0, &end));
        if (id == B_RE_REPLACE) {
            if (!want(a[2], T_STR)) return vnil();
            tb_reset();
        }
        uint32_t pos = 0, count = 0;
        while (pos <= n && !err_code) {
            int32_t at = rx_search(re, s, n, pos, &end);
            if (at < 0) break;
            count++;
            if (id == B_RE_REPLACE) {
                tb_put(s + pos, (uint32_t)at - pos);
                tb_put(sbytes(a[2].u), slen(a[2].u));
            }
            if ((uint32_t)end > (uint32_t)at) {
                pos = (uint32_t)end;
            } else {
                if (id == B_RE_REPLACE && (uint32_t)at < n) tb_putc(s[at]);
                pos = (uint32_t)at + 1;
            }
        }
        if (id == B_RE_COUNT) return vint(count);
        if (pos < n) tb_put(s + pos, n - pos);
        return err_code ? vnil() : tb_string();
    }
    case B_ARRAY: {
        if (!want(a[0], T_INT)) return vnil();
        if (a[0].u > MAX_ARR_LEN) { fail(E_LIMIT); return vnil(); }
        uint32_t n = (uint32_t)a[0].u, r = arr_new(n);
        Value fill = argc > 1 ? a[1] : vnil();
        if (err_code) return vnil();
        for (uint32_t i = 0; i < n; i++) arr_put(r, i, fill);
        set_aux(r, n);
        return mk(T_ARR, r);
    }
    case B_RANGE: {
        int64_t lo = 0, hi;
        if (argc > 1) {
            if (!want(a[0], T_INT) || !want(a[1], T_INT)) return vnil();
            lo = (int64_t)a[0].u;
            hi = (int64_t)a[1].u;
        } else {
            if (!want(a[0], T_INT)) return vnil();
            hi = (int64_t)a[0].u;
        }
        if (hi < lo) hi = lo;
        if (hi - lo > MAX_ARR_LEN) { fail(E_LIMIT); return vnil(); }
        uint32_t n = (uint32_t)(hi - lo), r = arr_new(n);
        if (err_code) return vnil();
        for (uint32_t i = 0; i < n; i++) arr_put(r, i, vint(lo + i));
        set_aux(r, n);
        return mk(T_ARR, r);
    }
    case B_SUM: {
        if (!want(a[0], T_ARR)) return vnil();
        uint64_t s = 0;
        uint32_t n = arr_len(a[0].u);
        for (uint32_t i = 0; i < n; i++) {
            Value x = arr_get(a[0].u, i);
            if (!want(x, T_INT)) return vnil();
            s += x.u;
        }
        return mk(T_INT, s);
    }
    case B_TYPE: {
        static const char *const NAMES[] = {"nil", "bool", "int", "fn", "str", "array", "map"};
        return vstr_c(a[0].t <= T_MAP ? NAMES[a[0].t] : "?");
    }
    case B_PRINT: return bi_print(a, argc);
    case B_ASSERT:
        if (!truthy(a[0])) fail(E_ASSERT);
        return vnil();
    default:
        fail(E_CALL);
        return vnil();
    }
}

/* ================================================================== garbage collector */

static Value stack[STACK_SIZE];
static uint64_t *gc_from, *gc_to;
static uint32_t gc_top;

static uint32_t gc_copy(uint32_t r) {
    if (r == 0) return 0;
    uint64_t h = gc_from[r];
    if (OTYPE(h) == O_FWD) return OAUX(h);
    uint32_t n = OWORDS(h), nr = gc_top;
    bench_memcpy(&gc_to[nr], &gc_from[r], (size_t)n * 8);
    gc_top += n;
    gc_from[r] = mkhdr(O_FWD, n, nr);
    return nr;
}

static void gc_root(Value *v) {
    if (IS_REF(v->t)) v->u = gc_copy((uint32_t)v->u);
}

/* Cheney-style semispace copy. Only called at safepoints (calls and backward jumps), where every
 * live reference is in the VM stack below `sp`, the globals or the constants. */
static void gc_collect(uint32_t sp) {
    gc_from = H;
    gc_to = heap_mem[heap_half ^ 1];
    gc_to[0] = 0;
    gc_top = 1;
    for (uint32_t i = 0; i < sp; i++) gc_root(&stack[i]);
    for (uint32_t i = 0; i < nglobals; i++) gc_root(&globals[i]);
    for (uint32_t i = 0; i < nconsts; i++) gc_root(&consts[i]);
    uint32_t scan = 1;
    while (scan < gc_top) {
        uint64_t h = gc_to[scan];
        switch (OTYPE(h)) {
        case O_ARR:
            gc_to[scan + 1] = gc_copy((uint32_t)gc_to[scan + 1]);
            break;
        case O_MAP:
            gc_to[scan + 1] = gc_copy((uint32_t)gc_to[scan + 1]);
            gc_to[scan + 2] = gc_copy((uint32_t)gc_to[scan + 2]);
            break;
        case O_VALS: {
            uint32_t n = OAUX(h);
            uint64_t *v = &gc_to[scan + 1];
            for (uint32_t i = 0; i < n; i++, v += 2)
                if (IS_REF(v[0])) v[1] = gc_copy((uint32_t)v[1]);
            break;
        }
        default: break;
        }
        scan += OWORDS(h);
    }
    heap_half ^= 1;
    H = gc_to;
    hp = gc_top;
    stat_gcs++;
    stat_copied += gc_top;
    /* The next collection when the heap has doubled (within bounds). */
    gc_next = hp * 2 < GC_MIN ? GC_MIN : hp * 2 > GC_MAX ? GC_MAX : hp * 2;
    if (hp >= GC_MAX) fail(E_OOM);
}

/* ================================================================== virtual machine */

typedef struct { uint32_t func, ret_ip, base; } Frame;

static Frame frames[MAX_FRAMES];
static uint64_t stat_calls, stat_loops, stat_builtins;

static int index_get(Value o, Value k, Value *out) {
    if (o.t == T_ARR) {
        if (k.t != T_INT) { fail(E_TYPE); return 0; }
        int64_t i = (int64_t)k.u, n = arr_len(o.u);
        if (i < 0) i += n;
        if (i < 0 || i >= n) { fail(E_INDEX); return 0; }
        *out = arr_get(o.u, (uint32_t)i);
        return 1;
    }
    if (o.t == T_MAP) { *out = map_get(o.u, k); return 1; }
    if (o.t == T_STR) {
        if (k.t != T_INT) { fail(E_TYPE); return 0; }
        int64_t i = (int64_t)k.u, n = slen(o.u);
        if (i < 0) i += n;
        if (i < 0 || i >= n) { fail(E_INDEX); return 0; }
        *out = vint(sbytes(o.u)[i]);
        return 1;
    }
    fail(E_TYPE);
    return 0;
}

static int index_set(Value o, Value k, Value v) {
    if (o.t == T_ARR) {
        if (k.t != T_INT) { fail(E_TYPE); return 0; }
        int64_t i = (int64_t)k.u, n = arr_len(o.u);
        if (i < 0) i += n;
        if (i < 0 || i >= n) { fail(E_INDEX); return 0; }
        arr_put(o.u, (uint32_t)i, v);
        return 1;
    }
    if (o.t == T_MAP) {
        map_set((uint32_t)o.u, k, v);
        return !err_code;
    }
    fail(E_TYPE);
    return 0;
}

#define INT_BINOP(OPC, EXPR)                                                                      \
    case OPC: {                                                                                   \
        Value *a = &st[sp - 2], *b = &st[sp - 1];                                                 \
        if (a->t != T_INT || b->t != T_INT) goto type_error;                                      \
        a->u = (EXPR);                                                                            \
        sp--;                                                                                     \
        break;                                                                                    \
    }

#define CMP_OP(OPC, REL)                                                                          \
    case OPC: {                                                                                   \
        Value *a = &st[sp - 2], *b = &st[sp - 1];                                                 \
        int32_t c;                                                                                \
        if (a->t == T_INT && b->t == T_INT) c = (int64_t)a->u < (int64_t)b->u ? -1 : a->u != b->u; \
        else { c = ordered_cmp(*a, *b); if (err_code) goto error; }                               \
        *a = vbool(c REL 0);                                                                      \
        sp--;                                                                                     \
        break;                                                                                    \
    }

#define CMP_JUMP(OPC, REL)                                                                        \
    case OPC: {                                                                                   \
        Value *a = &st[sp - 2], *b = &st[sp - 1];                                                 \
        int32_t c;                                                                                \
        if (a->t == T_INT && b->t == T_INT) c = (int64_t)a->u < (int64_t)b->u ? -1 : a->u != b->u; \
        else { c = ordered_cmp(*a, *b); if (err_code) goto error; }                               \
        sp -= 2;                                                                                  \
        ip = (c REL 0) ? ip + 2 : rd16(ip);                                                       \
        break;                                                                                    \
    }

/* Runs function `fi` whose callee slot is stack[base - 1] and whose arguments are already at
 * stack[base...]; returns its result. */
static Value vm_execute(uint32_t fi, uint32_t base) {
    Value *st = stack;
    uint32_t fp = 0;
    const Func *f = &funcs[fi];
    frames[0].func = fi;
    frames[0].base = base;
    frames[0].ret_ip = 0;
    uint32_t sp = base + f->nparams;
    while (sp < base + f->nlocals) st[sp++] = vnil();
    uint32_t ip = f->start;
    for (;;) {
        uint32_t op = code[ip++];
        switch (op) {
        case OP_CONST: st[sp++] = consts[rd16(ip)]; ip += 2; break;
        case OP_INT: st[sp++] = mk(T_INT, (uint64_t)(int64_t)(int16_t)rd16(ip)); ip += 2; break;
        case OP_NIL: st[sp++] = vnil(); break;
        case OP_TRUE: st[sp++] = vbool(1); break;
        case OP_FALSE: st[sp++] = vbool(0); break;
        case OP_GETL: st[sp++] = st[base + code[ip++]]; break;
        case OP_SETL: st[base + code[ip++]] = st[--sp]; break;
        case OP_GETG: st[sp++] = globals[rd16(ip)]; ip += 2; break;
        case OP_SETG: globals[rd16(ip)] = st[--sp]; ip += 2; break;
        case OP_POP: sp--; break;
        case OP_DUP2: st[sp] = st[sp - 2]; st[sp + 1] = st[sp - 1]; sp += 2; break;
        case OP_ADD: {
            Value *a = &st[sp - 2], *b = &st[sp - 1];
            if (a->t == T_INT && b->t == T_INT) a->u += b->u;
            else if (a->t == T_STR || b->t == T_STR) { *a = concat_values(*a, *b); if (err_code) goto error; }
            else goto type_error;
            sp--;
            break;
        }
        INT_BINOP(OP_SUB, a->u - b->u)
        INT_BINOP(OP_MUL, a->u * b->u)
        INT_BINOP(OP_BAND, a->u & b->u)
        INT_BINOP(OP_BOR, a->u | b->u)
        INT_BINOP(OP_BXOR, a->u ^ b->u)
        INT_BINOP(OP_SHL, a->u << (b->u & 63))
        INT_BINOP(OP_SHR, a->u >> (b->u & 63))
        case OP_DIV:
        case OP_MOD: {
            Value *a = &st[sp - 2], *b = &st[sp - 1];
            if (a->t != T_INT || b->t != T_INT) goto type_error;
            if (b->u == 0) { fail(E_DIV0); goto error; }
            a->u = op == OP_DIV ? int_div(a->u, b->u) : int_mod(a->u, b->u);
            sp--;
            break;
        }
        case OP_NEG:
            if (st[sp - 1].t != T_INT) goto type_error;
            st[sp - 1].u = 0 - st[sp - 1].u;
            break;
        case OP_NOT: st[sp - 1] = vbool(!truthy(st[sp - 1])); break;
        case OP_BNOT:
            if (st[sp - 1].t != T_INT) goto type_error;
            st[sp - 1].u = ~st[sp - 1].u;
            break;
        case OP_EQ:
        case OP_NE: {
            Value *a = &st[sp - 2], *b = &st[sp - 1];
            int r = (a->t == T_INT && b->t == T_INT) ? a->u == b->u : value_eq(*a, *b);
            *a = vbool(op == OP_EQ ? r : !r);
            sp--;
            break;
        }
        CMP_OP(OP_LT, <)
        CMP_OP(OP_LE, <=)
        CMP_OP(OP_GT, >)
        CMP_OP(OP_GE, >=)
        case OP_ADDI: {
            Value *a = &st[sp - 1];
            int64_t imm = (int8_t)code[ip++];
            if (a->t == T_INT) a->u += (uint64_t)imm;
            else if (a->t == T_STR) { *a = concat_values(*a, vint(imm)); if (err_code) goto error; }
            else goto type_error;
            break;
        }
        case OP_SUBI: {
            Value *a = &st[sp - 1];
            if (a->t != T_INT) goto type_error;
            a->u -= (uint64_t)(int64_t)(int8_t)code[ip++];
            break;
        }
        case OP_JMP: ip = rd16(ip); break;
        case OP_JF: ip = truthy(st[--sp]) ? ip + 2 : rd16(ip); break;
        case OP_JT: ip = truthy(st[--sp]) ? rd16(ip) : ip + 2; break;
        case OP_JFK:
            if (!truthy(st[sp - 1])) ip = rd16(ip);
            else { sp--; ip += 2; }
            break;
        case OP_JTK:
            if (truthy(st[sp - 1])) ip = rd16(ip);
            else { sp--; ip += 2; }
            break;
        case OP_LOOP:
            ip = rd16(ip);
            stat_loops++;
            if (hp > gc_next) { gc_collect(sp); if (err_code) goto error; }
            break;
        CMP_JUMP(OP_JNLT, <)
        CMP_JUMP(OP_JNLE, <=)
        CMP_JUMP(OP_JNGT, >)
        CMP_JUMP(OP_JNGE, >=)
        case OP_JNEQ:
        case OP_JNNE: {
            Value *a = &st[sp - 2], *b = &st[sp - 1];
            int r = (a->t == T_INT && b->t == T_INT) ? a->u == b->u : value_eq(*a, *b);
            if (op == OP_JNNE) r = !r;
            sp -= 2;
            ip = r ? ip + 2 : rd16(ip);
            break;
        }
        case OP_CALL: {
            uint32_t argc = code[ip++];
            const Value *callee = &st[sp - argc - 1];
            if (callee->t != T_FUNC) { fail(E_CALL); goto error; }
            uint32_t nf = (uint32_t)callee->u;
            const Func *g = &funcs[nf];
            if (argc != g->nparams) { fail(E_ARGS); goto error; }
            if (fp + 1 >= MAX_FRAMES || sp + g->nlocals + g->max_stack + 4 >= STACK_SIZE) { fail(E_STACK); goto error; }
            frames[fp].ret_ip = ip;
            fp++;
            base = sp - argc;
            frames[fp].func = nf;
            frames[fp].base = base;
            while (sp < base + g->nlocals) st[sp++] = vnil();
            ip = g->start;
            stat_calls++;
            if (hp > gc_next) { gc_collect(sp); if (err_code) goto error; }
            break;
        }
        case OP_CALLB: {
            uint32_t id = code[ip], argc = code[ip + 1];
            ip += 2;
            Value r = call_builtin(id, &st[sp - argc], argc);
            if (err_code) goto error;
            sp -= argc;
            st[sp++] = r;
            stat_builtins++;
            break;
        }
        case OP_RET:
        case OP_RETNIL: {
            Value r = op == OP_RET ? st[sp - 1] : vnil();
            if (fp == 0) return r;
            sp = base - 1;
            st[sp++] = r;
            fp--;
            base = frames[fp].base;
            ip = frames[fp].ret_ip;
            break;
        }
        case OP_ARRAY: {
            uint32_t n = rd16(ip);
            ip += 2;
            uint32_t a = arr_new(n);
            if (err_code) goto error;
            for (uint32_t i = 0; i < n; i++) arr_put(a, i, st[sp - n + i]);
            set_aux(a, n);
            sp -= n;
            st[sp++] = mk(T_ARR, a);
            break;
        }
        case OP_MAP: {
            uint32_t n = rd16(ip);
            ip += 2;
            uint32_t m = map_new(n);
            for (uint32_t i = 0; i < n && !err_code; i++) map_set(m, st[sp - 2 * n + 2 * i], st[sp - 2 * n + 2 * i + 1]);
            if (err_code) goto error;
            sp -= 2 * n;
            st[sp++] = mk(T_MAP, m);
            break;
        }
        case OP_INDEX: {
            Value o = st[sp - 2];
            if (o.t == T_ARR && st[sp - 1].t == T_INT && st[sp - 1].u < arr_len(o.u)) {
                st[sp - 2] = arr_get(o.u, (uint32_t)st[sp - 1].u);
            } else if (!index_get(o, st[sp - 1], &st[sp - 2])) {
                goto error;
            }
            sp--;
            break;
        }
        case OP_GETF: {
            Value k = consts[rd16(ip)];
            ip += 2;
            if (!index_get(st[sp - 1], k, &st[sp - 1])) goto error;
            break;
        }
        case OP_SETINDEX:
            if (!index_set(st[sp - 3], st[sp - 2], st[sp - 1])) goto error;
            sp -= 3;
            break;
        case OP_INCL: {
            Value *l = &st[base + code[ip]];
            if (l->t != T_INT) goto type_error;
            l->u += (uint64_t)(int64_t)(int8_t)code[ip + 1];
            ip += 2;
            break;
        }
        case OP_FORR: {
            const Value *v = &st[base + code[ip]];
            if (v[0].t != T_INT || v[1].t != T_INT) goto type_error;
            ip = (int64_t)v[0].u < (int64_t)v[1].u ? ip + 3 : rd16(ip + 1);
            break;
        }
        case OP_ITER: {
            Value *h = &st[base + code[ip]];
            uint32_t i = (uint32_t)h[1].u;
            int more = 0;
            switch (h[0].t) {
            case T_ARR:
                if (i < arr_len(h[0].u)) { h[2] = arr_get(h[0].u, i); more = 1; }
                break;
            case T_STR:
                if (i < slen(h[0].u)) { h[2] = vint(sbytes(h[0].u)[i]); more = 1; }
                break;
            case T_MAP: {
                uint32_t used = map_used(h[0].u);
                while (i < used && (uint32_t)map_entry(h[0].u, i)[0] == T_TOMB) i++;
                if (i < used) {
                    const uint64_t *e = map_entry(h[0].u, i);
                    h[2] = mk((uint32_t)e[0], e[1]);
                    more = 1;
                }
                break;
            }
            default: goto type_error;
            }
            h[1].u = i + 1;
            ip = more ? ip + 3 : rd16(ip + 1);
            break;
        }
        default:
            fail(E_VERIFY);
            goto error;
        }
    }
type_error:
    fail(E_TYPE);
error:
    err_line = code_line[ip - 1];
    return vnil();
}

/* ================================================================== the embedded script */

static const char SCRIPT[] =
    "// The benchmark script. main(round) runs a grab bag of small, realistic tasks and returns a hash.\n"
    "\n"
    "let WORDS = split('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat', ' ');\n"
    "let NW = len(WORDS);\n"
    "let DOT = ord('.');\n"
    "let COMMA = ord(',');\n"
    "let seed = 1;\n"
    "\n"
    "fn srand(s) {\n"
    "    seed = s * 6364136223846793005 + 1442695040888963407;\n"
    "    if seed == 0 { seed = 1; }\n"
    "}\n"
    "\n"
    "// xorshift64; `>>` is a logical shift\n"
    "fn rand() {\n"
    "    seed = seed ^ (seed << 13);\n"
    "    seed = seed ^ (seed >> 7);\n"
    "    seed = seed ^ (seed << 17);\n"
    "    return seed >> 33;\n"
    "}\n"
    "\n"
    "fn below(n) { return rand() % n; }\n"
    "\n"
    "fn mix(h, v) { return ((h ^ v) * 1099511628211) ^ (h >> 31); }\n"
    "\n"
    "// ---- text generation and word statistics\n"
    "\n"
    "fn capitalize(w) { return upper(slice(w, 0, 1)) + slice(w, 1); }\n"
    "\n"
    "fn make_text(nwords) {\n"
    "    let parts = [];\n"
    "    let sentence = 0;\n"
    "    for i in 0..nwords {\n"
    "        let w = WORDS[below(NW)];\n"
    "        if sentence == 0 { w = capitalize(w); }\n"
    "        if below(17) == 0 { w += str(below(5000)); }\n"
    "        sentence += 1;\n"
    "        if sentence > 5 + below(9) {\n"
    "            w += '.';\n"
    "            sentence = 0;\n"
    "        } else if below(11) == 0 {\n"
    "            w += ',';\n"
    "        }\n"
    "        push(parts, w);\n"
    "    }\n"
    "    return join(parts, ' ');\n"
    "}\n"
    "\n"
    "fn strip_word(w) {\n"
    "    let e = len(w);\n"
    "    while e > 0 && (w[e - 1] == DOT || w[e - 1] == COMMA) { e -= 1; }\n"
    "    while e > 0 && w[e - 1] >= 48 && w[e - 1] <= 57 { e -= 1; }\n"
    "    return lower(slice(w, 0, e));\n"
    "}\n"
    "\n"
    "fn word_stats(text) {\n"
    "    let counts = {};\n"
    "    let longest = '';\n"
    "    for w in split(text, ' ') {\n"
    "        let k = strip_word(w);\n"
    "        if k == '' { continue; }\n"
    "        if has(counts, k) { counts[k] += 1; } else { counts[k] = 1; }\n"
    "        if len(k) > len(longest) || (len(k) == len(longest) && k < longest) { longest = k; }\n"
    "    }\n"
    "    let ks = keys(counts);\n"
    "    sort(ks);\n"
    "    let h = len(ks);\n"
    "    for k in ks { h = mix(h, hash(k) + counts[k]); }\n"
    "    // the most frequent words, ties broken alphabetically\n"
    "    let ranked = [];\n"
    "    for k in ks { push(ranked, fmt('%06d %s', 1000000 - counts[k], k)); }\n"
    "    sort(ranked);\n"
    "    for i in 0..min(5, len(ranked)) { h = mix(h, hash(ranked[i])); }\n"
    "    return mix(h, hash(longest));\n"
    "}\n"
    "\n"
    "// ---- recursion\n"
    "\n"
    "fn fib(n) {\n"
    "    if n < 2 { return n; }\n"
    "    return fib(n - 1) + fib(n - 2);\n"
    "}\n"
    "\n"
    "fn ack(m, n) {\n"
    "    if m == 0 { return n + 1; }\n"
    "    if n == 0 { return ack(m - 1, 1); }\n"
    "    return ack(m - 1, ack(m, n - 1));\n"
    "}\n"
    "\n"
    "// ---- allocation heavy: binary trees (keeps the collector busy)\n"
    "\n"
    "fn tree(d) {\n"
    "    if d == 0 { return [nil, nil]; }\n"
    "    return [tree(d - 1), tree(d - 1)];\n"
    "}\n"
    "\n"
    "fn tree_count(t) {\n"
    "    if t[0] == nil { return 1; }\n"
    "    return 1 + tree_count(t[0]) + tree_count(t[1]);\n"
    "}\n"
    "\n"
    "fn trees(maxd) {\n"
    "    let keep = tree(maxd);\n"
    "    let total = 0;\n"
    "    let d = 4;\n"
    "    while d <= maxd {\n"
    "        let iters = 1 << (maxd - d + 2);\n"
    "        for i in 0..iters { total += tree_count(tree(d)); }\n"
    "        d += 2;\n"
    "    }\n"
    "    return total * 3 + tree_count(keep);\n"
    "}\n"
    "\n"
    "// ---- arrays\n"
    "\n"
    "fn sieve(limit) {\n"
    "    let flags = array(limit + 1, true);\n"
    "    let count = 0;\n"
    "    let total = 0;\n"
    "    for i in 2..limit + 1 {\n"
    "        if flags[i] {\n"
    "            count += 1;\n"
    "            total += i;\n"
    "            let j = i * i;\n"
    "            while j <= limit {\n"
    "                flags[j] = false;\n"
    "                j += i;\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "    return mix(count, total);\n"
    "}\n"
    "\n"
    "fn qsort(a, lo, hi) {\n"
    "    while lo < hi {\n"
    "        let p = a[(lo + hi) >> 1];\n"
    "        let i = lo;\n"
    "        let j = hi;\n"
    "        while i <= j {\n"
    "            while a[i] < p { i += 1; }\n"
    "            while a[j] > p { j -= 1; }\n"
    "            if i <= j {\n"
    "                let t = a[i];\n"
    "                a[i] = a[j];\n"
    "                a[j] = t;\n"
    "                i += 1;\n"
    "                j -= 1;\n"
    "            }\n"
    "        }\n"
    "        if j - lo < hi - i {\n"
    "            qsort(a, lo, j);\n"
    "            lo = i;\n"
    "        } else {\n"
    "            qsort(a, i, hi);\n"
    "            hi = j;\n"
    "        }\n"
    "    }\n"
    "}\n"
    "\n"
    "fn sorting(n) {\n"
    "    let a = [];\n"
    "    for i in 0..n { push(a, below(100000)); }\n"
    "    let b = slice(a, 0);\n"
    "    qsort(a, 0, len(a) - 1);\n"
    "    sort(b);\n"
    "    let h = 0;\n"
    "    for i in 0..n {\n"
    "        assert(a[i] == b[i], 'sort mismatch');\n"
    "        h = mix(h, a[i]);\n"
    "    }\n"
    "    let words = [];\n"
    "    for i in 0..n / 4 { push(words, WORDS[below(NW)] + str(below(50))); }\n"
    "    sort(words);\n"
    "    reverse(words);\n"
    "    return mix(h, hash(join(words, ',')));\n"
    "}\n"
    "\n"
    "fn matmul(n) {\n"
    "    let a = [];\n"
    "    let b = [];\n"
    "    for i in 0..n {\n"
    "        let ra = [];\n"
    "        let rb = [];\n"
    "        for j in 0..n {\n"
    "            push(ra, (i * j + 1) % 7 - 3);\n"
    "            push(rb, (i + 2 * j) % 5 - 2);\n"
    "        }\n"
    "        push(a, ra);\n"
    "        push(b, rb);\n"
    "    }\n"
    "    let h = 0;\n"
    "    for i in 0..n {\n"
    "        let ai = a[i];\n"
    "        for j in 0..n {\n"
    "            let s = 0;\n"
    "            for k in 0..n { s += ai[k] * b[k][j]; }\n"
    "            h = mix(h, s);\n"
    "        }\n"
    "    }\n"
    "    return h;\n"
    "}\n"
    "\n"
    "// ---- JSON round trip\n"
    "\n"
    "fn make_records(n) {\n"
    "    let out = [];\n"
    "    for i in 0..n {\n"
    "        let tags = [];\n"
    "        for t in 0..below(4) { push(tags, WORDS[below(NW)]); }\n"
    "        push(out, {\n"
    "            id: i,\n"
    "            name: WORDS[below(NW)] + '_' + str(i),\n"
    "            score: below(2001) - 1000,\n"
    "            active: below(3) != 0,\n"
    "            tags: tags,\n"
    "            pos: {x: below(640), y: below(480)},\n"
    "            note: 'tab\\there \"quoted\" back\\\\slash'\n"
    "        });\n"
    "    }\n"
    "    return out;\n"
    "}\n"
    "\n"
    "fn json_work(n) {\n"
    "    let recs = make_records(n);\n"
    "    let text = json(recs);\n"
    "    let back = parse_json(text);\n"
    "    assert(json(back) == text, 'json round trip');\n"
    "    let total = 0;\n"
    "    for r in back {\n"
    "        if r.active { total += r.score * (r.id + 1); }\n"
    "        total += len(r.tags) * 7 + r.pos.x - r.pos.y;\n"
    "    }\n"
    "    return mix(hash(text), total);\n"
    "}\n"
    "\n"
    "// ---- string processing\n"
    "\n"
    "fn caesar(s, k) {\n"
    "    let out = [];\n"
    "    for c in s {\n"
    "        if c >= 97 && c <= 122 {\n"
    "            c = (c - 97 + k) % 26 + 97;\n"
    "        } else if c >= 65 && c <= 90 {\n"
    "            c = (c - 65 + k) % 26 + 65;\n"
    "        }\n"
    "        push(out, chr(c));\n"
    "    }\n"
    "    return join(out, '');\n"
    "}\n"
    "\n"
    "// run-length encoding: a count digit (1-9) before every byte\n"
    "fn rle(s) {\n"
    "    let out = [];\n"
    "    let i = 0;\n"
    "    let n = len(s);\n"
    "    while i < n {\n"
    "        let c = s[i];\n"
    "        let j = i + 1;\n"
    "        while j < n && s[j] == c && j - i < 9 { j += 1; }\n"
    "        push(out, str(j - i));\n"
    "        push(out, chr(c));\n"
    "        i = j;\n"
    "    }\n"
    "    return join(out, '');\n"
    "}\n"
    "\n"
    "fn unrle(s) {\n"
    "    let out = [];\n"
    "    let i = 0;\n"
    "    while i < len(s) {\n"
    "        push(out, repeat(chr(s[i + 1]), s[i] - 48));\n"
    "        i += 2;\n"
    "    }\n"
    "    return join(out, '');\n"
    "}\n"
    "\n"
    "fn report(n) {\n"
    "    let lines = [];\n"
    "    for i in 0..n {\n"
    "        let w = WORDS[i % NW];\n"
    "        push(lines, fmt('%4d | %-12s | %08x | %5s | %c', i * 37 - 500, w, (i * 2654435761) & 0xffffffff, str(i * i % 977), 65 + i % 26));\n"
    "    }\n"
    "    let text = join(lines, '\\n');\n"
    "    let t2 = replace(replace(text, ' | ', ';'), 'o', '0');\n"
    "    let fields = 0;\n"
    "    for line in split(t2, '\\n') { fields += len(split(line, ';')); }\n"
    "    return mix(mix(hash(text), hash(t2)), fields + len(t2));\n"
    "}\n"
    "\n"
    "// ---- regular expressions\n"
    "\n"
    "fn regex_work(text) {\n"
    "    let h = 0;\n"
    "    h = mix(h, re_count('[A-Z][a-z]+', text));\n"
    "    h = mix(h, re_count('[0-9]+', text));\n"
    "    h = mix(h, re_count('(lor|ips|dol)[a-z]*', text));\n"
    "    h = mix(h, re_count('[aeiou][aeiou]', text));\n"
    "    h = mix(h, re_find('ex(ercitation|ea) ', text));\n"
    "    h = mix(h, len(re_replace('[aeiou]+', text, '*')));\n"
    "    let m = 0;\n"
    "    for s in split(text, '.') {\n"
    "        if re_match(' ?[A-Z][a-z]+[0-9]*(,? [a-z]+[0-9]*)*,?', s) { m += 1; }\n"
    "    }\n"
    "    return mix(h, m);\n"
    "}\n"
    "\n"
    "// ---- a bank ledger: maps of records, bounded histories, a formatted ranking\n"
    "\n"
    "fn ledger(ntx) {\n"
    "    let accounts = {};\n"
    "    let names = [];\n"
    "    for i in 0..32 {\n"
    "        let nm = WORDS[i % NW] + '-' + str(i);\n"
    "        push(names, nm);\n"
    "        accounts[nm] = {balance: 1000, history: [], count: 0};\n"
    "    }\n"
    "    for t in 0..ntx {\n"
    "        let a = names[below(32)];\n"
    "        let b = names[below(32)];\n"
    "        let amt = below(400);\n"
    "        let fa = accounts[a];\n"
    "        if a != b && fa.balance >= amt {\n"
    "            fa.balance -= amt;\n"
    "            accounts[b].balance += amt;\n"
    "            push(fa.history, -amt);\n"
    "            push(accounts[b].history, amt);\n"
    "            fa.count += 1;\n"
    "            if len(fa.history) > 16 { remove(fa.history, 0); }\n"
    "        }\n"
    "    }\n"
    "    let ranked = [];\n"
    "    for nm in names {\n"
    "        let acc = accounts[nm];\n"
    "        push(ranked, fmt('%08d:%s:%d', acc.balance, nm, sum(acc.history)));\n"
    "    }\n"
    "    sort(ranked);\n"
    "    let h = 0;\n"
    "    for r in ranked { h = mix(h, hash(r)); }\n"
    "    let closed = 0;\n"
    "    for nm in names {\n"
    "        if accounts[nm].balance < 500 {\n"
    "            del(accounts, nm);\n"
    "            closed += 1;\n"
    "        }\n"
    "    }\n"
    "    return mix(h, closed * 1000 + len(accounts));\n"
    "}\n"
    "\n"
    "// ---- a tiny register machine: assemble a program from text, then interpret it\n"
    "\n"
    "let ASM = '\n"
    "    set r0 0\n"
    "    set r1 1\n"
    "outer:\n"
    "    set r2 1\n"
    "inner:\n"
    "    mov r3 r1\n"
    "    mov r4 r2\n"
    "gcd:\n"
    "    jz r4 done\n"
    "    mod r5 r3 r4\n"
    "    mov r3 r4\n"
    "    mov r4 r5\n"
    "    jmp gcd\n"
    "done:\n"
    "    add r0 r0 r3\n"
    "    addi r2 r2 1\n"
    "    jle r2 r9 inner\n"
    "    addi r1 r1 1\n"
    "    jle r1 r9 outer\n"
    "    halt\n"
    "';\n"
    "\n"
    "let OPNAMES = ['halt', 'set', 'mov', 'add', 'addi', 'mod', 'jz', 'jmp', 'jle'];\n"
    "\n"
    "fn assemble(text) {\n"
    "    let opcodes = {};\n"
    "    for i in 0..len(OPNAMES) { opcodes[OPNAMES[i]] = i; }\n"
    "    let labels = {};\n"
    "    let lines = [];\n"
    "    for raw in split(text, '\\n') {\n"
    "        let l = trim(raw);\n"
    "        if l == '' { continue; }\n"
    "        if ends_with(l, ':') {\n"
    "            labels[slice(l, 0, -1)] = len(lines);\n"
    "            continue;\n"
    "        }\n"
    "        push(lines, split(l, ' '));\n"
    "    }\n"
    "    let code = [];\n"
    "    for parts in lines {\n"
    "        assert(has(opcodes, parts[0]), 'unknown op');\n"
    "        push(code, opcodes[parts[0]]);\n"
    "        for k in 1..4 {\n"
    "            let v = 0;\n"
    "            if k < len(parts) {\n"
    "                let x = parts[k];\n"
    "                if has(labels, x) {\n"
    "                    v = labels[x] * 4;\n"
    "                } else if x[0] == 114 {\n"
    "                    v = int(slice(x, 1));\n"
    "                } else {\n"
    "                    v = int(x);\n"
    "                }\n"
    "            }\n"
    "            push(code, v);\n"
    "        }\n"
    "    }\n"
    "    return code;\n"
    "}\n"
    "\n"
    "fn execute(code, limit) {\n"
    "    let r = array(10, 0);\n"
    "    r[9] = limit;\n"
    "    let pc = 0;\n"
    "    let steps = 0;\n"
    "    while true {\n"
    "        let op = code[pc];\n"
    "        let a = code[pc + 1];\n"
    "        let b = code[pc + 2];\n"
    "        let c = code[pc + 3];\n"
    "        pc += 4;\n"
    "        steps += 1;\n"
    "        if op == 0 {\n"
    "            break;\n"
    "        } else if op == 1 {\n"
    "            r[a] = b;\n"
    "        } else if op == 2 {\n"
    "            r[a] = r[b];\n"
    "        } else if op == 3 {\n"
    "            r[a] = r[b] + r[c];\n"
    "        } else if op == 4 {\n"
    "            r[a] = r[b] + c;\n"
    "        } else if op == 5 {\n"
    "            r[a] = r[b] % r[c];\n"
    "        } else if op == 6 {\n"
    "            if r[a] == 0 { pc = b; }\n"
    "        } else if op == 7 {\n"
    "            pc = a;\n"
    "        } else if op == 8 {\n"
    "            if r[a] <= r[b] { pc = c; }\n"
    "        }\n"
    "    }\n"
    "    return mix(r[0], steps);\n"
    "}\n"
    "\n"
    "fn main(round) {\n"
    "    srand(round * 7919 + 17);\n"
    "    let h = round;\n"
    "    let text = make_text(350 + round % 7 * 10);\n"
    "    h = mix(h, word_stats(text));\n"
    "    h = mix(h, regex_work(text));\n"
    "    let k = 3 + round % 5;\n"
    "    let enc = caesar(text, k);\n"
    "    assert(caesar(enc, 26 - k) == text, 'caesar');\n"
    "    h = mix(h, hash(enc));\n"
    "    let packed = rle(text);\n"
    "    assert(unrle(packed) == text, 'rle');\n"
    "    h = mix(h, len(packed));\n"
    "    h = mix(h, fib(15 + round % 3));\n"
    "    h = mix(h, ack(2, 30 + round % 9));\n"
    "    h = mix(h, trees(8));\n"
    "    h = mix(h, sieve(3000 + round % 101));\n"
    "    h = mix(h, sorting(500));\n"
    "    h = mix(h, matmul(12));\n"
    "    h = mix(h, json_work(24));\n"
    "    h = mix(h, report(40));\n"
    "    h = mix(h, ledger(400));\n"
    "    h = mix(h, execute(assemble(ASM), 24 + round % 4));\n"
    "    print('round', round, 'hash', h, 'text', len(text));\n"
    "    return h;\n"
    "}\n";

/* ================================================================== driver */

static uint64_t run_round(uint64_t round) {
    err_code = 0;
    err_line = 0;
    heap_reset();
    nconsts = 0;
    nglobals = 0;
    nfuncs = 0;
    code_len = 0;
    for (uint32_t i = 0; i < RX_CACHE; i++) rx_cache[i].valid = 0;
    src = (const uint8_t *)SCRIPT;
    src_len = (uint32_t)(sizeof(SCRIPT) - 1);

    uint64_t h = 0;
    lex();
    int32_t prog = err_code ? 0 : parse_program();
    if (!err_code) compile_program(prog);
    uint64_t digest = err_code ? 0 : verify();
    h = bench_mix(h, digest);
    h = bench_mix(h, ((uint64_t)ntoks << 40) ^ ((uint64_t)nnodes << 20) ^ code_len);
    if (!err_code) {
        stack[0] = mk(T_FUNC, 0);
        vm_execute(0, 1);
    }
    Value r = vnil();
    if (!err_code) {
        int32_t g = global_find((const uint8_t *)"main", 4);
        if (g < 0 || globals[g].t != T_FUNC || funcs[globals[g].u].nparams != 1) {
            fail(E_CALL);
        } else {
            stack[0] = globals[g];
            stack[1] = vint((int64_t)round);
            r = vm_execute((uint32_t)globals[g].u, 1);
        }
    }
    h = bench_mix(h, r.u);
    h = bench_mix(h, ((uint64_t)err_code << 32) | err_line);
    h = bench_mix(h, out_hash);
    h = bench_mix(h, ((uint64_t)out_bytes << 32) | out_lines);
    h = bench_mix(h, ((uint64_t)stat_gcs << 32) ^ stat_copied);
    h = bench_mix(h, stat_alloc);
    h = bench_mix(h, stat_calls ^ (stat_loops << 24) ^ (stat_builtins << 44));
    h = bench_mix(h, stat_rx_compiles ^ (stat_rx_steps << 16));
    return h;
}

uint64_t bench(uint64_t n) {
    /* Every call starts from the same state (the runners may call bench more than once). */
    stat_gcs = 0;
    stat_alloc = stat_copied = stat_calls = stat_loops = stat_builtins = 0;
    stat_rx_compiles = stat_rx_steps = 0;
    out_hash = 0;
    out_bytes = out_lines = out_last_len = 0;
    rx_clock = rx_generation = 0;
    bench_memset(rx_mark, 0, sizeof(rx_mark));
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) h = bench_mix(h, run_round(r));
    return h;
}
BENCH_EXPORT(bench)
