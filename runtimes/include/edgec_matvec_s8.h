/* edgec runtime: int8 weight rows times an int8 vector on SMLAD, for the Cortex-M kernels whose weights are used
 * as stored, without compile-time packing (runtimes/cortex-m/edgec_lstm_s8.c, edgec_svdf_s8.c). As in
 * edgec_fully_connected_s8.c's fast path, the vector plus its offset is widened once into int16 pairs in the order
 * SXTB16 / SXTB16 ROR #8 take a weight word apart: per group of four inputs, (x0, x2) then (x1, x3). Each row then
 * costs one LDR, two SXTB16 and two SMLADs per four inputs, and two rows share the vector words. x + offset is
 * within [-255, 255] (a halfword lane); the sums are the reference's int32 sums, bit for bit. Without the DSP
 * extension the pk_* helpers of edgec_packed_s8.h are the same instructions in portable C. */
#ifndef EDGEC_MATVEC_S8_H
#define EDGEC_MATVEC_S8_H

#include "edgec_packed_s8.h"

/* Words of mv_widen for n inputs (never 0: a VLA must not be empty). */
#define MV_WORDS(n) (2 * ((n) >> 2) + 1)

/* The n >> 2 whole groups of x + offset as words; the n % 4 last inputs stay in x (the dot loops' tails). */
EDGEC_INLINE void mv_widen(uint32_t *dst, const int8_t *x, int32_t n, int32_t offset) {
#if EDGEC_PACKED_DSP
    const int16x2_t off2 = (int16x2_t)(((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16));
    for (int32_t g = n >> 2; g > 0; --g, x += 4, dst += 2) {
        const uint32_t x4 = pk_load_u32(x);
        dst[0] = (uint32_t)__sadd16((int16x2_t)pk_sxtb16(x4), off2);
        dst[1] = (uint32_t)__sadd16((int16x2_t)pk_sxtb16_ror8(x4), off2);
    }
#else
    const uint32_t o = (uint32_t)offset;
    for (int32_t g = n >> 2; g > 0; --g, x += 4, dst += 2) {
        dst[0] = (((uint32_t)x[0] + o) & 0xFFFFu) | (((uint32_t)x[2] + o) << 16);
        dst[1] = (((uint32_t)x[1] + o) & 0xFFFFu) | (((uint32_t)x[3] + o) << 16);
    }
#endif
}

/* acc[r] += sum over i < n of (x[i] + offset) * w[r * stride + i], r = 0, 1; xw: mv_widen(x, n, offset). Two rows
 * a pass keep the loop in registers (four spill under GCC): per four inputs one LDRD, two LDRs, four SXTB16, four
 * SMLADs. */
EDGEC_INLINE void mv_dot2(const uint32_t *xw, const int8_t *x, int32_t offset, int32_t n, const int8_t *w,
                          size_t stride, int32_t *acc) {
    const int8_t *w0 = w, *w1 = w0 + stride;
    int32_t s0 = acc[0], s1 = acc[1];
    for (const uint32_t *end = xw + 2 * (n >> 2); xw != end; xw += 2, w0 += 4, w1 += 4) {
        const uint32_t a = xw[0], b = xw[1], v0 = pk_load_u32(w0), v1 = pk_load_u32(w1);
        s0 = pk_smlad(a, pk_sxtb16(v0), s0);
        s0 = pk_smlad(b, pk_sxtb16_ror8(v0), s0);
        s1 = pk_smlad(a, pk_sxtb16(v1), s1);
        s1 = pk_smlad(b, pk_sxtb16_ror8(v1), s1);
    }
    for (int32_t i = 0, tail = n & 3; i < tail; ++i) {
        const int32_t xv = (int32_t)x[(n & ~3) + i] + offset;
        s0 += xv * (int32_t)w0[i];
        s1 += xv * (int32_t)w1[i];
    }
    acc[0] = s0;
    acc[1] = s1;
}

/* The same for four rows, as two pairs. */
EDGEC_INLINE void mv_dot4(const uint32_t *xw, const int8_t *x, int32_t offset, int32_t n, const int8_t *w,
                          size_t stride, int32_t *acc) {
    mv_dot2(xw, x, offset, n, w, stride, acc);
    mv_dot2(xw, x, offset, n, w + 2 * stride, stride, acc + 2);
}

/* One row: sum over i < n of (x[i] + offset) * w[i]. */
EDGEC_INLINE int32_t mv_dot1(const uint32_t *xw, const int8_t *x, int32_t offset, int32_t n, const int8_t *w) {
    int32_t s = 0;
    for (int32_t g = n >> 2; g > 0; --g, xw += 2, w += 4) {
        const uint32_t v = pk_load_u32(w);
        s = pk_smlad(xw[0], pk_sxtb16(v), s);
        s = pk_smlad(xw[1], pk_sxtb16_ror8(v), s);
    }
    for (int32_t i = 0, tail = n & 3; i < tail; ++i) s += ((int32_t)x[(n & ~3) + i] + offset) * (int32_t)w[i];
    return s;
}

#endif /* EDGEC_MATVEC_S8_H */
