#include "CByteScan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int ends_run(uint8_t c) { return c == '"' || c == '\\' || c < 0x20; }

size_t mq_string_run(const uint8_t *p, size_t i, size_t n, int *high) {
    unsigned hi = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1F);
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        /* x <= 0x1F unsigned exactly when min(x, 0x1F) == x. */
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                    _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x));
        unsigned m = (unsigned)_mm_movemask_epi8(stop);
        unsigned h = (unsigned)_mm_movemask_epi8(x);
        if (m) {
            unsigned k = (unsigned)__builtin_ctz(m);
            hi |= h & ((1u << k) - 1u);
            *high = hi != 0;
            return i + k;
        }
        hi |= h;
        i += 16;
    }
#endif
    while (i < n && !ends_run(p[i])) {
        hi |= p[i] & 0x80;
        i++;
    }
    *high = hi != 0;
    return i;
}

size_t mq_ascii_run(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    while (i + 16 <= n) {
        unsigned h = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(p + i)));
        if (h) return i + (unsigned)__builtin_ctz(h);
        i += 16;
    }
#endif
    while (i < n && p[i] < 0x80) i++;
    return i;
}

size_t mq_find_either(const uint8_t *p, size_t i, size_t n, uint8_t a, uint8_t b) {
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)));
        if (m) return i + (unsigned)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < n && p[i] != a && p[i] != b) i++;
    return i;
}

size_t mq_count_byte(const uint8_t *p, size_t i, size_t end, uint8_t c) {
    size_t count = 0;
#if defined(__SSE2__)
    const __m128i vc = _mm_set1_epi8((char)c);
    while (i + 16 <= end) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        count += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vc)));
        i += 16;
    }
#endif
    for (; i < end; i++) count += p[i] == c;
    return count;
}
