#pragma once
/*
 * Byte scans that Swift cannot vectorise by itself: sixteen bytes a step with SSE2 (part
 * of every x86-64), a plain loop elsewhere. MQCore's ByteScan is the only caller.
 */
#include <stddef.h>
#include <stdint.h>

/*
 * The index of the first byte of p[start..<n] that ends a JSON string's plain run: '"',
 * '\\' or a control character (below 0x20); n if there is none. *high is set to 1 when a
 * byte of p[start..<result] is 0x80 or above (the run is not plain ASCII), else to 0.
 */
size_t mq_string_run(const uint8_t *p, size_t start, size_t n, int *high);

/* The index of the first byte of p[start..<n] that is 0x80 or above; n if there is none. */
size_t mq_ascii_run(const uint8_t *p, size_t start, size_t n);

/* The index of the first byte of p[start..<n] that is a or b; n if there is none. */
size_t mq_find_either(const uint8_t *p, size_t start, size_t n, uint8_t a, uint8_t b);

/* How many bytes of p[start..<end] are c. */
size_t mq_count_byte(const uint8_t *p, size_t start, size_t end, uint8_t c);
