/* The "real-world-sized" program: a deflate-like compressor and decompressor round trip.
 *
 * Compressor: LZ77 over a 32 KiB window with hash chains and lazy matching, deflate's
 * length/distance symbol alphabets with extra bits, per-block dynamic canonical Huffman codes
 * (length-limited to 15 bits), LSB-first bit packing. Decompressor: table-driven canonical Huffman
 * decoding (9-bit fast table plus a canonical slow path) and LZ copying. Plus CRC-32 and Adler-32
 * of the data. bench(n) runs n rounds over a generated ~96 KiB text, each verifying the round trip;
 * the checksum covers the compressed sizes, the CRCs and samples of the output. */
#include "bench.h"

/* ------------------------------------------------------------------ data generation */

static const char *const WORDS[] = {
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
    "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
    "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more",
    "when", "will", "would", "who", "so", "no", "virtual", "machine", "register", "memory", "program",
    "instruction", "compiler", "benchmark", "interpreter", "polkavm", "swift", "risc", "guest", "host",
    "page", "block", "jump", "table", "export", "import", "linker", "section", "gas", "metering",
};
#define WORD_COUNT (sizeof(WORDS) / sizeof(WORDS[0]))

static uint32_t generate_text(uint8_t *out, uint32_t size, uint64_t seed) {
    bench_rng rng;
    bench_rng_seed(&rng, seed);
    uint32_t pos = 0;
    uint32_t sentence = 0;
    while (pos + 32 < size) {
        uint64_t x = bench_rng_next(&rng);
        /* Zipf-ish: prefer the first words. */
        uint32_t idx = (uint32_t)((x & 0xffff) * (x & 0xffff) >> 16) % WORD_COUNT;
        const char *w = WORDS[idx];
        if (sentence == 0 && pos) { out[pos++] = '.'; out[pos++] = ' '; }
        for (uint32_t i = 0; w[i]; i++) {
            uint8_t c = (uint8_t)w[i];
            if (sentence == 0 && i == 0 && c >= 'a' && c <= 'z') c = (uint8_t)(c - 32);
            out[pos++] = c;
        }
        if ((x >> 40) % 23 == 0) {
            /* An occasional number, less compressible. */
            uint32_t v = (uint32_t)(x >> 16) % 100000;
            out[pos++] = ' ';
            do { out[pos++] = (uint8_t)('0' + v % 10); v /= 10; } while (v);
        }
        out[pos++] = ' ';
        sentence = (uint32_t)((sentence + 1) % (7 + (x >> 60)));
    }
    while (pos < size) out[pos++] = '\n';
    return pos;
}

/* ------------------------------------------------------------------ checksums */

static uint32_t crc_table[256];

static void crc32_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, uint32_t n) {
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static uint32_t adler32(const uint8_t *p, uint32_t n) {
    uint32_t a = 1, b = 0;
    while (n) {
        uint32_t chunk = n < 5552 ? n : 5552;
        n -= chunk;
        while (chunk--) { a += *p++; b += a; }
        a %= 65521; b %= 65521;
    }
    return (b << 16) | a;
}

/* ------------------------------------------------------------------ deflate tables */

static const uint16_t LEN_BASE[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t DIST_BASE[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                       8193, 12289, 16385, 24577};
static const uint8_t DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                       7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

#define NUM_LITLEN 286
#define NUM_DIST 30
#define MAX_BITS 15
#define END_OF_BLOCK 256

static uint8_t len_to_code[259];      /* match length -> length code index (0..28) */
static uint8_t dist_code_small[512];  /* distance-1 < 512 -> distance code; larger via >>7 table */
static uint8_t dist_code_large[256];

static void init_tables(void) {
    for (uint32_t code = 0; code < 29; code++) {
        uint32_t lo = LEN_BASE[code];
        uint32_t hi = code == 28 ? 258 : lo + (1u << LEN_EXTRA[code]) - 1;
        if (code == 27) hi = 257;
        for (uint32_t l = lo; l <= hi && l <= 258; l++) len_to_code[l] = (uint8_t)code;
    }
    for (uint32_t code = 0; code < 30; code++) {
        uint32_t lo = DIST_BASE[code] - 1;
        uint32_t hi = lo + (1u << DIST_EXTRA[code]);
        for (uint32_t d = lo; d < hi; d++) {
            if (d < 512) dist_code_small[d] = (uint8_t)code;
            else if ((d >> 7) < 256) dist_code_large[d >> 7] = (uint8_t)code;
        }
    }
}

static inline uint32_t dist_code(uint32_t dist) {
    uint32_t d = dist - 1;
    return d < 512 ? dist_code_small[d] : dist_code_large[d >> 7];
}

/* ------------------------------------------------------------------ bit I/O */

typedef struct {
    uint8_t *out;
    uint32_t pos;
    uint32_t cap;
    uint64_t bits;
    uint32_t count;
} bit_writer;

static inline void bw_put(bit_writer *w, uint32_t value, uint32_t nbits) {
    w->bits |= (uint64_t)value << w->count;
    w->count += nbits;
    while (w->count >= 8) {
        if (w->pos < w->cap) w->out[w->pos] = (uint8_t)w->bits;
        w->pos++;
        w->bits >>= 8;
        w->count -= 8;
    }
}

static void bw_flush(bit_writer *w) {
    if (w->count) bw_put(w, 0, 8 - w->count);
}

typedef struct {
    const uint8_t *in;
    uint32_t pos;
    uint32_t size;
    uint64_t bits;
    uint32_t count;
    uint32_t overrun;
} bit_reader;

static inline void br_refill(bit_reader *r) {
    while (r->count <= 56) {
        uint8_t b = 0;
        if (r->pos < r->size) b = r->in[r->pos]; else r->overrun++;
        r->pos++;
        r->bits |= (uint64_t)b << r->count;
        r->count += 8;
    }
}

static inline uint32_t br_peek(bit_reader *r, uint32_t n) {
    if (r->count < n) br_refill(r);
    return (uint32_t)(r->bits & ((1ull << n) - 1));
}

static inline void br_skip(bit_reader *r, uint32_t n) { r->bits >>= n; r->count -= n; }

static inline uint32_t br_get(bit_reader *r, uint32_t n) {
    if (n == 0) return 0;
    uint32_t v = br_peek(r, n);
    br_skip(r, n);
    return v;
}

/* ------------------------------------------------------------------ Huffman code construction */

typedef struct { uint32_t freq; int32_t left, right; } huff_node;

/* Binary min-heap of node indices ordered by (freq, index). */
typedef struct { int32_t items[2 * NUM_LITLEN]; uint32_t size; } huff_heap;

static inline int node_less(const huff_node *nodes, int32_t a, int32_t b) {
    return nodes[a].freq < nodes[b].freq || (nodes[a].freq == nodes[b].freq && a < b);
}

static void heap_push(huff_heap *h, const huff_node *nodes, int32_t v) {
    uint32_t i = h->size++;
    h->items[i] = v;
    while (i) {
        uint32_t p = (i - 1) / 2;
        if (!node_less(nodes, h->items[i], h->items[p])) break;
        int32_t t = h->items[i]; h->items[i] = h->items[p]; h->items[p] = t;
        i = p;
    }
}

static int32_t heap_pop(huff_heap *h, const huff_node *nodes) {
    int32_t top = h->items[0];
    h->items[0] = h->items[--h->size];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->size && node_less(nodes, h->items[l], h->items[m])) m = l;
        if (r < h->size && node_less(nodes, h->items[r], h->items[m])) m = r;
        if (m == i) break;
        int32_t t = h->items[i]; h->items[i] = h->items[m]; h->items[m] = t;
        i = m;
    }
    return top;
}

static void assign_depths(const huff_node *nodes, int32_t root, uint8_t *lengths, uint32_t nsym) {
    int32_t stack[2 * NUM_LITLEN];
    uint8_t depth[2 * NUM_LITLEN];
    uint32_t sp = 0;
    stack[sp] = root; depth[sp] = 0; sp++;
    while (sp) {
        sp--;
        int32_t v = stack[sp];
        uint8_t d = depth[sp];
        if ((uint32_t)v < nsym) { lengths[v] = d ? d : 1; continue; }
        stack[sp] = nodes[v].left; depth[sp] = (uint8_t)(d + 1); sp++;
        stack[sp] = nodes[v].right; depth[sp] = (uint8_t)(d + 1); sp++;
    }
}

/* Computes code lengths (<= MAX_BITS) for `nsym` symbols; frequencies are halved until the tree
 * fits. At least two symbols get a code so the decoder always sees a complete-enough code. */
static void build_lengths(const uint32_t *freq_in, uint32_t nsym, uint8_t *lengths) {
    uint32_t freq[NUM_LITLEN];
    for (uint32_t i = 0; i < nsym; i++) freq[i] = freq_in[i];
    uint32_t used = 0;
    for (uint32_t i = 0; i < nsym; i++) used += freq[i] != 0;
    for (uint32_t i = 0; used < 2 && i < nsym; i++)
        if (!freq[i]) { freq[i] = 1; used++; }
    for (;;) {
        huff_node nodes[2 * NUM_LITLEN];
        huff_heap heap;
        heap.size = 0;
        for (uint32_t i = 0; i < nsym; i++) {
            nodes[i].freq = freq[i]; nodes[i].left = nodes[i].right = -1;
            lengths[i] = 0;
            if (freq[i]) heap_push(&heap, nodes, (int32_t)i);
        }
        uint32_t next = nsym;
        while (heap.size > 1) {
            int32_t a = heap_pop(&heap, nodes);
            int32_t b = heap_pop(&heap, nodes);
            nodes[next].freq = nodes[a].freq + nodes[b].freq;
            nodes[next].left = a; nodes[next].right = b;
            heap_push(&heap, nodes, (int32_t)next);
            next++;
        }
        assign_depths(nodes, heap_pop(&heap, nodes), lengths, nsym);
        uint32_t maxlen = 0;
        for (uint32_t i = 0; i < nsym; i++) if (lengths[i] > maxlen) maxlen = lengths[i];
        if (maxlen <= MAX_BITS) return;
        for (uint32_t i = 0; i < nsym; i++) if (freq[i]) freq[i] = (freq[i] + 1) / 2;
    }
}

static uint32_t reverse_bits(uint32_t code, uint32_t len) {
    uint32_t r = 0;
    for (uint32_t i = 0; i < len; i++) { r = (r << 1) | (code & 1); code >>= 1; }
    return r;
}

/* Canonical codes, bit-reversed for LSB-first output. */
static void build_codes(const uint8_t *lengths, uint32_t nsym, uint16_t *codes) {
    uint32_t bl_count[MAX_BITS + 1] = {0};
    for (uint32_t i = 0; i < nsym; i++) bl_count[lengths[i]]++;
    bl_count[0] = 0;
    uint32_t next_code[MAX_BITS + 1];
    uint32_t code = 0;
    for (uint32_t bits = 1; bits <= MAX_BITS; bits++) {
        code = (code + bl_count[bits - 1]) << 1;
        next_code[bits] = code;
    }
    for (uint32_t i = 0; i < nsym; i++) {
        uint32_t len = lengths[i];
        codes[i] = len ? (uint16_t)reverse_bits(next_code[len]++, len) : 0;
    }
}

/* ------------------------------------------------------------------ LZ77 matcher */

#define WINDOW_BITS 15
#define WINDOW (1u << WINDOW_BITS)
#define HASH_BITS 14
#define HASH_SIZE (1u << HASH_BITS)
#define MIN_MATCH 3
#define MAX_MATCH 258
#define MAX_CHAIN 48

static int32_t head[HASH_SIZE];
static int32_t prev_link[1 << 17];    /* indexed by position (input is at most 128 KiB) */

static inline uint32_t hash3(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static inline void insert_pos(const uint8_t *data, uint32_t pos) {
    uint32_t h = hash3(data + pos);
    prev_link[pos] = head[h];
    head[h] = (int32_t)pos;
}

static uint32_t longest_match(const uint8_t *data, uint32_t size, uint32_t pos, uint32_t *dist_out) {
    uint32_t best = 0, best_dist = 0;
    uint32_t limit = size - pos < MAX_MATCH ? size - pos : MAX_MATCH;
    if (limit < MIN_MATCH) return 0;
    int32_t cand = head[hash3(data + pos)];
    uint32_t chain = MAX_CHAIN;
    while (cand >= 0 && chain--) {
        uint32_t c = (uint32_t)cand;
        if (pos - c > WINDOW - 1) break;
        if (data[c + best] == data[pos + best] && data[c] == data[pos]) {
            uint32_t l = 0;
            while (l < limit && data[c + l] == data[pos + l]) l++;
            if (l > best) { best = l; best_dist = pos - c; if (l == limit) break; }
        }
        cand = prev_link[c];
    }
    *dist_out = best_dist;
    return best >= MIN_MATCH ? best : 0;
}

/* Tokens: literal (dist == 0) or match. */
typedef struct { uint16_t len_or_lit; uint16_t dist; } token;

#define BLOCK_TOKENS 16384
static token tokens[BLOCK_TOKENS];

/* ------------------------------------------------------------------ compressor */

static void write_block(bit_writer *w, const token *toks, uint32_t ntok, int last) {
    uint32_t lit_freq[NUM_LITLEN] = {0};
    uint32_t dist_freq[NUM_DIST] = {0};
    for (uint32_t i = 0; i < ntok; i++) {
        if (toks[i].dist == 0) lit_freq[toks[i].len_or_lit]++;
        else { lit_freq[257 + len_to_code[toks[i].len_or_lit]]++; dist_freq[dist_code(toks[i].dist)]++; }
    }
    lit_freq[END_OF_BLOCK]++;
    uint8_t lit_len[NUM_LITLEN], dist_len[NUM_DIST];
    uint16_t lit_code[NUM_LITLEN], dist_codes[NUM_DIST];
    build_lengths(lit_freq, NUM_LITLEN, lit_len);
    build_lengths(dist_freq, NUM_DIST, dist_len);
    build_codes(lit_len, NUM_LITLEN, lit_code);
    build_codes(dist_len, NUM_DIST, dist_codes);

    /* Header: last flag, then code lengths as 4-bit values with a run-length escape for zeros. */
    bw_put(w, (uint32_t)last, 1);
    uint8_t all[NUM_LITLEN + NUM_DIST];
    for (uint32_t i = 0; i < NUM_LITLEN; i++) all[i] = lit_len[i];
    for (uint32_t i = 0; i < NUM_DIST; i++) all[NUM_LITLEN + i] = dist_len[i];
    for (uint32_t i = 0; i < NUM_LITLEN + NUM_DIST;) {
        if (all[i] == 0) {
            uint32_t run = 1;
            while (i + run < NUM_LITLEN + NUM_DIST && all[i + run] == 0 && run < 64) run++;
            if (run >= 3) { bw_put(w, 0, 4); bw_put(w, run - 1, 6); i += run; continue; }
        }
        bw_put(w, all[i] ? all[i] : 0, 4);
        if (all[i] == 0) bw_put(w, 0, 6);
        i++;
    }

    for (uint32_t i = 0; i < ntok; i++) {
        if (toks[i].dist == 0) {
            uint32_t s = toks[i].len_or_lit;
            bw_put(w, lit_code[s], lit_len[s]);
        } else {
            uint32_t len = toks[i].len_or_lit;
            uint32_t lc = len_to_code[len];
            bw_put(w, lit_code[257 + lc], lit_len[257 + lc]);
            if (LEN_EXTRA[lc]) bw_put(w, len - LEN_BASE[lc], LEN_EXTRA[lc]);
            uint32_t dc = dist_code(toks[i].dist);
            bw_put(w, dist_codes[dc], dist_len[dc]);
            if (DIST_EXTRA[dc]) bw_put(w, toks[i].dist - DIST_BASE[dc], DIST_EXTRA[dc]);
        }
    }
    bw_put(w, lit_code[END_OF_BLOCK], lit_len[END_OF_BLOCK]);
}

static uint32_t compress(const uint8_t *data, uint32_t size, uint8_t *out, uint32_t cap) {
    for (uint32_t i = 0; i < HASH_SIZE; i++) head[i] = -1;
    bit_writer w = {out, 0, cap, 0, 0};
    /* Store the size up front. */
    bw_put(&w, size & 0xffff, 16);
    bw_put(&w, size >> 16, 16);
    uint32_t ntok = 0;
    uint32_t pos = 0;
    while (pos < size) {
        uint32_t dist = 0, len = 0;
        if (pos + MIN_MATCH <= size) {
            len = longest_match(data, size, pos, &dist);
            insert_pos(data, pos);
            /* Lazy matching: prefer a longer match starting at the next byte. */
            if (len && len < 32 && pos + 1 + MIN_MATCH <= size) {
                uint32_t dist2 = 0;
                uint32_t len2 = longest_match(data, size, pos + 1, &dist2);
                if (len2 > len + 1) { len = 0; }
            }
        }
        if (len) {
            tokens[ntok].len_or_lit = (uint16_t)len; tokens[ntok].dist = (uint16_t)dist; ntok++;
            for (uint32_t k = 1; k < len; k++)
                if (pos + k + MIN_MATCH <= size) insert_pos(data, pos + k);
            pos += len;
        } else {
            tokens[ntok].len_or_lit = data[pos]; tokens[ntok].dist = 0; ntok++;
            pos++;
        }
        if (ntok == BLOCK_TOKENS) { write_block(&w, tokens, ntok, 0); ntok = 0; }
    }
    write_block(&w, tokens, ntok, 1);
    bw_flush(&w);
    return w.pos;
}

/* ------------------------------------------------------------------ decompressor */

#define FAST_BITS 9

typedef struct {
    /* Fast table: (symbol << 4) | length for codes of at most FAST_BITS bits, 0 otherwise. */
    uint16_t fast[1 << FAST_BITS];
    /* Canonical slow path. */
    uint16_t count[MAX_BITS + 1];
    uint16_t first_code[MAX_BITS + 1];
    uint16_t first_index[MAX_BITS + 1];
    uint16_t sorted[NUM_LITLEN];
} huff_decoder;

static void build_decoder(huff_decoder *d, const uint8_t *lengths, uint32_t nsym) {
    for (uint32_t i = 0; i <= MAX_BITS; i++) d->count[i] = 0;
    for (uint32_t i = 0; i < nsym; i++) d->count[lengths[i]]++;
    d->count[0] = 0;
    uint32_t code = 0, index = 0;
    uint16_t offs[MAX_BITS + 1];
    for (uint32_t len = 1; len <= MAX_BITS; len++) {
        d->first_code[len] = (uint16_t)code;
        d->first_index[len] = (uint16_t)index;
        offs[len] = (uint16_t)index;
        code = (code + d->count[len]) << 1;
        index += d->count[len];
    }
    for (uint32_t i = 0; i < nsym; i++)
        if (lengths[i]) d->sorted[offs[lengths[i]]++] = (uint16_t)i;
    for (uint32_t i = 0; i < (1u << FAST_BITS); i++) d->fast[i] = 0;
    uint16_t codes[NUM_LITLEN];
    build_codes(lengths, nsym, codes);
    for (uint32_t i = 0; i < nsym; i++) {
        uint32_t len = lengths[i];
        if (!len || len > FAST_BITS) continue;
        for (uint32_t fill = codes[i]; fill < (1u << FAST_BITS); fill += 1u << len)
            d->fast[fill] = (uint16_t)((i << 4) | len);
    }
}

static int32_t decode_symbol(bit_reader *r, const huff_decoder *d) {
    uint32_t peek = br_peek(r, MAX_BITS);
    uint16_t e = d->fast[peek & ((1u << FAST_BITS) - 1)];
    if (e) { br_skip(r, e & 15); return e >> 4; }
    /* Slow path: walk code lengths MSB-first. */
    uint32_t code = 0;
    for (uint32_t len = 1; len <= MAX_BITS; len++) {
        code |= (peek >> (len - 1)) & 1;
        uint32_t offset = code - d->first_code[len];
        if (offset < d->count[len]) { br_skip(r, len); return d->sorted[d->first_index[len] + offset]; }
        code <<= 1;
    }
    return -1;
}

static huff_decoder lit_dec, dist_dec;

static int32_t decompress(const uint8_t *in, uint32_t size, uint8_t *out, uint32_t cap) {
    bit_reader r = {in, 0, size, 0, 0, 0};
    uint32_t total = br_get(&r, 16);
    total |= br_get(&r, 16) << 16;
    if (total > cap) return -1;
    uint32_t pos = 0;
    int last = 0;
    while (!last) {
        last = (int)br_get(&r, 1);
        uint8_t all[NUM_LITLEN + NUM_DIST];
        for (uint32_t i = 0; i < NUM_LITLEN + NUM_DIST;) {
            uint32_t v = br_get(&r, 4);
            if (v) { all[i++] = (uint8_t)v; continue; }
            uint32_t run = br_get(&r, 6) + 1;
            if (run == 1) { all[i++] = 0; continue; }
            while (run-- && i < NUM_LITLEN + NUM_DIST) all[i++] = 0;
        }
        build_decoder(&lit_dec, all, NUM_LITLEN);
        build_decoder(&dist_dec, all + NUM_LITLEN, NUM_DIST);
        for (;;) {
            int32_t sym = decode_symbol(&r, &lit_dec);
            if (sym < 0 || r.overrun > 8) return -2;
            if (sym < 256) {
                if (pos >= cap) return -3;
                out[pos++] = (uint8_t)sym;
                continue;
            }
            if (sym == END_OF_BLOCK) break;
            uint32_t lc = (uint32_t)sym - 257;
            if (lc >= 29) return -4;
            uint32_t len = LEN_BASE[lc] + br_get(&r, LEN_EXTRA[lc]);
            int32_t dc = decode_symbol(&r, &dist_dec);
            if (dc < 0 || dc >= 30) return -5;
            uint32_t dist = DIST_BASE[dc] + br_get(&r, DIST_EXTRA[dc]);
            if (dist > pos || pos + len > cap) return -6;
            const uint8_t *src = out + pos - dist;
            uint8_t *dst = out + pos;
            if (dist >= len) bench_memcpy(dst, src, len);
            else for (uint32_t k = 0; k < len; k++) dst[k] = src[k];
            pos += len;
        }
    }
    return pos == total ? (int32_t)pos : -7;
}

/* ------------------------------------------------------------------ benchmark */

#define INPUT_SIZE (96 * 1024)
static uint8_t input[INPUT_SIZE];
static uint8_t packed[INPUT_SIZE + INPUT_SIZE / 2];
static uint8_t unpacked[INPUT_SIZE];

uint64_t bench(uint64_t n) {
    init_tables();
    crc32_init();
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        uint32_t size = generate_text(input, INPUT_SIZE - (uint32_t)(r % 4096), r + 1);
        uint32_t csize = compress(input, size, packed, sizeof(packed));
        int32_t dsize = decompress(packed, csize, unpacked, sizeof(unpacked));
        uint64_t ok = dsize == (int32_t)size && bench_memcmp(input, unpacked, size) == 0;
        h = bench_mix(h, ok);
        h = bench_mix(h, csize);
        h = bench_mix(h, crc32(packed, csize));
        h = bench_mix(h, adler32(unpacked, size));
        h = bench_mix(h, (uint64_t)(uint32_t)dsize);
    }
    return h;
}
BENCH_EXPORT(bench)
