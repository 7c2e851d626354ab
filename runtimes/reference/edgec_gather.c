/* Reference Gather with run-time indices: bounds-checked row copies. */
#include "edgec_gather.h"

/* The row an index selects, or -1 when it is out of range. */
static int32_t edgec_gather_row(int64_t index, int32_t axis_size) {
    if (index < 0) index += axis_size;
    return (index >= 0 && index < axis_size) ? (int32_t)index : -1;
}

static void edgec_gather_copy_row(const uint8_t *EDGEC_RESTRICT block, int32_t row, uint8_t *EDGEC_RESTRICT dst,
                                  int32_t row_bytes) {
    if (row < 0) {
        for (int32_t b = 0; b < row_bytes; ++b) dst[b] = 0;
        return;
    }
    const uint8_t *src = block + (size_t)row * (size_t)row_bytes;
    for (int32_t b = 0; b < row_bytes; ++b) dst[b] = src[b];
}

void edgec_gather_i64(const void *EDGEC_RESTRICT data, const int64_t *EDGEC_RESTRICT indices,
                      void *EDGEC_RESTRICT out, const edgec_gather_params *p) {
    const uint8_t *in = (const uint8_t *)data;
    uint8_t *dst = (uint8_t *)out;
    for (int32_t o = 0; o < p->outer; ++o) {
        const uint8_t *block = in + (size_t)o * (size_t)p->axis_size * (size_t)p->row_bytes;
        for (int32_t k = 0; k < p->count; ++k, dst += p->row_bytes)
            edgec_gather_copy_row(block, edgec_gather_row(indices[k], p->axis_size), dst, p->row_bytes);
    }
}

void edgec_gather_i32(const void *EDGEC_RESTRICT data, const int32_t *EDGEC_RESTRICT indices,
                      void *EDGEC_RESTRICT out, const edgec_gather_params *p) {
    const uint8_t *in = (const uint8_t *)data;
    uint8_t *dst = (uint8_t *)out;
    for (int32_t o = 0; o < p->outer; ++o) {
        const uint8_t *block = in + (size_t)o * (size_t)p->axis_size * (size_t)p->row_bytes;
        for (int32_t k = 0; k < p->count; ++k, dst += p->row_bytes)
            edgec_gather_copy_row(block, edgec_gather_row(indices[k], p->axis_size), dst, p->row_bytes);
    }
}
