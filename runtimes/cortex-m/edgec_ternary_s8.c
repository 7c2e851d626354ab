/* Cortex-M twin of reference/edgec_ternary_s8.c, bit-identical to it. Two methods (p->method, chosen per layer
 * by compiler/edgec/passes/ternary_kernels.py with the cost model stated there):
 *
 * EDGEC_TERNARY_ADDSUB: per group of 4 weights, the byte masks of its minus and nonzero weights turn the column
 * word into u (plus), ~u = 255 - u (minus) or 0, and one USADA8 adds the four bytes: (u ^ minus) & nonzero.
 *
 * EDGEC_TERNARY_LUT (T-MAC style): per pixel, for each packed byte position g, a table of the 256 (2-bit) or 243
 * (base 3) partial sums over that byte's 4 or 5 column values is built with additions only; then every channel's
 * sum is one extract, one table load and one addition per packed byte. Tables are built four bytes at a time
 * (the channel sums kept in scratch), so scratch stays small: the column, 4 B per channel and 2 KiB.
 *
 * The functions named edgec_ternary_*_loop hold the inner accumulation loops: tests/test_ternary.py disassembles
 * them (arm-none-eabi-gcc -O2, Cortex-M7) and checks that they contain no multiply instruction. */
#include "edgec_ternary_s8.h"

#if defined(__GNUC__) || defined(__clang__)
#define EDGEC_NOINLINE __attribute__((noinline))
#else
#define EDGEC_NOINLINE
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define EDGEC_USADA8(acc, a) __usada8((a), 0u, (acc))
#else
EDGEC_INLINE uint32_t edgec_usada8(uint32_t acc, uint32_t a) {
    return acc + (a & 0xFFu) + ((a >> 8) & 0xFFu) + ((a >> 16) & 0xFFu) + (a >> 24);
}
#define EDGEC_USADA8(acc, a) edgec_usada8((acc), (a))
#endif

/* A nibble's bits as byte masks, for the 2-bit byte (plus | minus << 4): its minus mask and its nonzero mask
 * (two tables, so that each is one LDR with the byte as a scaled index). */
#define BM(n) (((n) & 1u ? 0xFFu : 0u) | ((n) & 2u ? 0xFF00u : 0u) | ((n) & 4u ? 0xFF0000u : 0u) | \
               ((n) & 8u ? 0xFF000000u : 0u))
#define MINUS(b) BM((unsigned)(b) >> 4)
#define NONZERO(b) BM(((unsigned)(b) | ((unsigned)(b) >> 4)) & 15u)
#define T4(f, b) f(b), f((b) + 1), f((b) + 2), f((b) + 3)
#define T16(f, b) T4(f, b), T4(f, (b) + 4), T4(f, (b) + 8), T4(f, (b) + 12)
#define T64(f, b) T16(f, b), T16(f, (b) + 16), T16(f, (b) + 32), T16(f, (b) + 48)
static const uint32_t masks_minus[256] = {T64(MINUS, 0), T64(MINUS, 64), T64(MINUS, 128), T64(MINUS, 192)};
static const uint32_t masks_nonzero[256] = {T64(NONZERO, 0), T64(NONZERO, 64), T64(NONZERO, 128),
                                            T64(NONZERO, 192)};

/* A base-3 byte as the 2-bit byte of its first four trits, then the fifth trit's plus (bit 8) and minus (bit 9)
 * bits: all constant expressions, no division at run time. */
#define D3(b, i) (((unsigned)(b) / (i)) % 3u)
#define P4(b) ((D3(b, 1) == 2u) | (D3(b, 3) == 2u) << 1 | (D3(b, 9) == 2u) << 2 | (D3(b, 27) == 2u) << 3)
#define M4(b) ((D3(b, 1) == 0u) | (D3(b, 3) == 0u) << 1 | (D3(b, 9) == 0u) << 2 | (D3(b, 27) == 0u) << 3)
#define DEC(b) (uint16_t)(P4(b) | M4(b) << 4 | (D3(b, 81) == 2u) << 8 | (D3(b, 81) == 0u) << 9)
static const uint16_t decode_base3[256] = {T64(DEC, 0), T64(DEC, 64), T64(DEC, 128), T64(DEC, 192)};

EDGEC_INLINE uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

/* One 2-bit byte's four weights against the column word at u: (u ^ minus) & nonzero, summed by USADA8. */
#define ADDSUB4(acc, code, u) \
    do { \
        const uint32_t c_ = (code); \
        (acc) = EDGEC_USADA8((acc), (load_u32(u) ^ masks_minus[c_]) & masks_nonzero[c_]); \
    } while (0)

/* sum over the row of (plus: u, minus: 255 - u), 2-bit row of n bytes: four bytes (16 weights) per loop. */
static EDGEC_NOINLINE uint32_t edgec_ternary_addsub_2bit_loop(const uint8_t *EDGEC_RESTRICT u,
                                                              const uint8_t *EDGEC_RESTRICT row, int32_t n) {
    uint32_t acc = 0;
    int32_t j = 0;
    for (; j + 4 <= n; j += 4, u += 16) {
        const uint32_t w = load_u32(row + j);
        ADDSUB4(acc, w & 0xFFu, u);
        ADDSUB4(acc, (w >> 8) & 0xFFu, u + 4);
        ADDSUB4(acc, (w >> 16) & 0xFFu, u + 8);
        ADDSUB4(acc, w >> 24, u + 12);
    }
    for (; j < n; ++j, u += 4) ADDSUB4(acc, row[j], u);
    return acc;
}

/* The same over a base-3 row: the first four trits of a byte through the 2-bit masks, the fifth alone. */
static EDGEC_NOINLINE uint32_t edgec_ternary_addsub_base3_loop(const uint8_t *EDGEC_RESTRICT u,
                                                               const uint8_t *EDGEC_RESTRICT row, int32_t n) {
    uint32_t acc = 0;
    for (int32_t j = 0; j < n; ++j, u += 5) {
        const uint32_t d = decode_base3[row[j]];
        ADDSUB4(acc, d & 0xFFu, u);
        const uint32_t u4 = u[4];
        acc += (d & 0x100u ? u4 : 0u) + (d & 0x200u ? 255u - u4 : 0u);
    }
    return acc;
}

/* Two int16 lanes: a + b per lane (SADD16 on the DSP; the portable twin adds the lanes apart). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define ADD16X2(a, b) ((uint32_t)__sadd16((int16x2_t)(a), (int16x2_t)(b)))
#else
EDGEC_INLINE uint32_t add16x2(uint32_t a, uint32_t b) {
    return ((a + b) & 0xFFFFu) | (((a >> 16) + (b >> 16)) << 16);
}
#define ADD16X2(a, b) add16x2((a), (b))
#endif
EDGEC_INLINE uint32_t dup16(int32_t v) { return ((uint32_t)v & 0xFFFFu) * 0x10001u; }
EDGEC_INLINE uint32_t load_pair(const int16_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
EDGEC_INLINE void store_pair(int16_t *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

/* The table of one base-3 byte's five column values x: entry sum_i (d_i = 0: 255 - x_i, 1: 0, 2: x_i) for the
 * byte sum_i d_i 3^i. Digit by digit, additions only: the entries with digit i = 1 are those below 3^i plus
 * (x_i - 255), with digit i = 2 those plus x_i again; two entries per SADD16 (word stores, unaligned where 3^i is
 * odd: Cortex-M3 and later allow them). */
static void ternary_lut_build_base3(const uint8_t *EDGEC_RESTRICT x, int16_t *EDGEC_RESTRICT t) {
    t[0] = (int16_t)(5 * 255 - (x[0] + x[1] + x[2] + x[3] + x[4])); /* all five minus */
    for (int32_t i = 0, n = 1; i < 5; ++i, n *= 3) {
        const int32_t to_zero = x[i] - 255, to_plus = x[i];
        const uint32_t z2 = dup16(to_zero), p2 = dup16(to_plus);
        int32_t j = 0;
        for (; j + 1 < n; j += 2) {
            const uint32_t zero = ADD16X2(load_pair(t + j), z2);
            store_pair(t + j + n, zero);
            store_pair(t + j + 2 * n, ADD16X2(zero, p2));
        }
        const int32_t zero = t[j] + to_zero; /* n is odd: the last entry alone */
        t[j + n] = (int16_t)zero;
        t[j + 2 * n] = (int16_t)(zero + to_plus);
    }
}

/* The table of one 2-bit byte's four column values: entry [minus << 4 | plus] = sum over plus of x + sum over
 * minus of (255 - x), from the 16 subset sums of each (entries with both bits set for one value are never read). */
static void ternary_lut_build_2bit(const uint8_t *EDGEC_RESTRICT x, int16_t *EDGEC_RESTRICT t) {
    int16_t plus[16], minus[16];
    plus[0] = minus[0] = 0;
    for (int32_t i = 0, n = 1; i < 4; ++i, n <<= 1) {
        for (int32_t j = 0; j < n; ++j) {
            plus[j + n] = (int16_t)(plus[j] + x[i]);
            minus[j + n] = (int16_t)(minus[j] + 255 - x[i]);
        }
    }
    for (int32_t m = 0; m < 16; ++m, t += 16) {
        const uint32_t m2 = dup16(minus[m]);
        for (int32_t q = 0; q < 16; q += 2) store_pair(t + q, ADD16X2(load_pair(plus + q), m2));
    }
}

/* acc[c] += sum over the chunk's four packed bytes g of lut[256 g + row_c[g]], for `channels` rows `stride` bytes
 * apart: one word load of four bytes, then per byte an extract, a table load and an addition. */
static EDGEC_NOINLINE void edgec_ternary_lut_loop(const uint8_t *EDGEC_RESTRICT row, int32_t stride,
                                                  const int16_t *EDGEC_RESTRICT lut, int32_t *EDGEC_RESTRICT acc,
                                                  int32_t channels) {
    const int16_t *t0 = lut, *t1 = lut + 256, *t2 = lut + 512, *t3 = lut + 768;
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(t1), "+r"(t2), "+r"(t3)); /* four base registers: LDRSH [t, b, LSL #1], no address adds */
#endif
    for (int32_t c = 0; c < channels; ++c, row += stride) {
        const uint32_t w = load_u32(row);
        acc[c] += (t0[w & 0xFFu] + t1[(w >> 8) & 0xFFu]) + (t2[(w >> 16) & 0xFFu] + t3[w >> 24]);
    }
}

/* The look-up method for one pixel: acc[c] = the channel's acc_t. Tables are built four packed bytes at a time
 * (the row's last bytes, when fewer than four are left, against tables of the zero column: packed rows are read
 * up to a whole word past their end, which the compiler pads). */
static void ternary_pixel_lut(const uint8_t *EDGEC_RESTRICT col, const uint8_t *EDGEC_RESTRICT packed,
                              int32_t *EDGEC_RESTRICT acc, int16_t *EDGEC_RESTRICT lut,
                              const edgec_ternary_s8_params *p) {
    const int32_t g = edgec_ternary_group(p->format);
    for (int32_t oc = 0; oc < p->out_c; ++oc) acc[oc] = 0;
    for (int32_t j0 = 0; j0 < p->row_bytes; j0 += 4) {
        for (int32_t j = 0; j < 4; ++j) {
            int16_t *t = lut + 256 * j;
            if (j0 + j >= p->row_bytes) { /* past the row: whatever byte is there must add 0 */
                for (int32_t e = 0; e < 256; ++e) t[e] = 0;
            } else if (p->format == EDGEC_TERNARY_2BIT) {
                ternary_lut_build_2bit(col + g * (j0 + j), t);
            } else {
                ternary_lut_build_base3(col + g * (j0 + j), t);
            }
        }
        edgec_ternary_lut_loop(packed + j0, p->row_bytes, lut, acc, p->out_c);
    }
}

/* Four pixels against one 2-bit row: the columns interleaved word by word (word j of pixel q at word 4 j + q), so
 * that each byte's two masks are loaded once for the four pixels. */
static EDGEC_NOINLINE void edgec_ternary_addsub_2bit_x4_loop(const uint8_t *EDGEC_RESTRICT u,
                                                             const uint8_t *EDGEC_RESTRICT row, int32_t n,
                                                             uint32_t *EDGEC_RESTRICT acc) {
    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const uint32_t *nonzeros = masks_nonzero;
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(nonzeros)); /* its own base register: LDR [t, c, LSL #2], no address add */
#endif
    for (int32_t j = 0; j < n; ++j, u += 16) {
        const uint32_t c = row[j], minus = masks_minus[c], nonzero = nonzeros[c];
        a0 = EDGEC_USADA8(a0, (load_u32(u) ^ minus) & nonzero);
        a1 = EDGEC_USADA8(a1, (load_u32(u + 4) ^ minus) & nonzero);
        a2 = EDGEC_USADA8(a2, (load_u32(u + 8) ^ minus) & nonzero);
        a3 = EDGEC_USADA8(a3, (load_u32(u + 12) ^ minus) & nonzero);
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

EDGEC_INLINE void ternary_output(int8_t *out, int32_t oc, int32_t acc_t, const int32_t *scale, const int32_t *bias,
                                 const int32_t *multiplier, const int32_t *shift, const edgec_ternary_s8_params *p) {
    const int32_t a = (int32_t)((uint32_t)(scale ? scale[oc] : p->scale_all) * (uint32_t)acc_t + (uint32_t)bias[oc]);
    out[oc] = (int8_t)edgec_ternary_requant(a, multiplier[oc], shift[oc], p);
}

void edgec_ternary_conv_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           const int32_t *scale, const int32_t *EDGEC_RESTRICT bias,
                           const int32_t *EDGEC_RESTRICT multiplier, const int32_t *EDGEC_RESTRICT shift,
                           int8_t *EDGEC_RESTRICT output, const edgec_ternary_s8_params *p, void *scratch) {
    const int32_t cb = edgec_ternary_col_bytes(p);
    uint8_t *col = (uint8_t *)scratch;
    int32_t *acc = (int32_t *)(void *)(col + cb);
    int16_t *lut = (int16_t *)(void *)(acc + p->out_c);
    const int32_t pixels = p->batch * p->out_h * p->out_w, hw = p->out_h * p->out_w;
    int32_t pix = 0;
    if (p->method == EDGEC_TERNARY_ADDSUB && p->format == EDGEC_TERNARY_2BIT) {
        /* four pixels at a time: their columns at col + q * cb, interleaved at col + 4 cb (8 cb of scratch) */
        uint8_t *ilv = col + 4 * cb;
        for (; pix + 4 <= pixels; pix += 4) {
            for (int32_t q = 0; q < 4; ++q) {
                const int32_t i = pix + q, b = i / hw, yx = i - b * hw, oy = yx / p->out_w;
                edgec_ternary_gather(input, col + q * cb, p, b, oy, yx - oy * p->out_w);
            }
            for (int32_t j = 0; j < cb; j += 4)
                for (int32_t q = 0; q < 4; ++q) __builtin_memcpy(ilv + 4 * j + 4 * q, col + q * cb + j, 4);
            const uint8_t *row = packed;
            for (int32_t oc = 0; oc < p->out_c; ++oc, row += p->row_bytes) {
                uint32_t sums[4];
                edgec_ternary_addsub_2bit_x4_loop(ilv, row, p->row_bytes, sums);
                for (int32_t q = 0; q < 4; ++q)
                    ternary_output(output + (size_t)(pix + q) * p->out_c, oc, (int32_t)sums[q], scale, bias,
                                   multiplier, shift, p);
            }
        }
    }
    for (; pix < pixels; ++pix) {
        const int32_t b = pix / hw, yx = pix - b * hw, oy = yx / p->out_w;
        edgec_ternary_gather(input, col, p, b, oy, yx - oy * p->out_w);
        const int lut_method = p->method == EDGEC_TERNARY_LUT;
        if (lut_method) ternary_pixel_lut(col, packed, acc, lut, p);
        int8_t *out = output + (size_t)pix * p->out_c;
        const uint8_t *row = packed;
        for (int32_t oc = 0; oc < p->out_c; ++oc, row += p->row_bytes) {
            const int32_t acc_t =
                lut_method ? acc[oc]
                           : (int32_t)(p->format == EDGEC_TERNARY_2BIT
                                           ? edgec_ternary_addsub_2bit_loop(col, row, p->row_bytes)
                                           : edgec_ternary_addsub_base3_loop(col, row, p->row_bytes));
            ternary_output(out, oc, acc_t, scale, bias, multiplier, shift, p);
        }
    }
}

void edgec_ternary_sums_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           int32_t *EDGEC_RESTRICT sums, const edgec_ternary_s8_params *p, void *scratch) {
    const int32_t cb = edgec_ternary_col_bytes(p);
    uint8_t *col = (uint8_t *)scratch;
    int16_t *lut = (int16_t *)(void *)((int32_t *)(void *)(col + cb) + p->out_c);
    const int32_t pixels = p->batch * p->out_h * p->out_w, hw = p->out_h * p->out_w;
    for (int32_t pix = 0; pix < pixels; ++pix) {
        const int32_t b = pix / hw, yx = pix - b * hw, oy = yx / p->out_w;
        int32_t *acc = sums + (size_t)pix * p->out_c;
        edgec_ternary_gather(input, col, p, b, oy, yx - oy * p->out_w);
        if (p->method == EDGEC_TERNARY_LUT) {
            ternary_pixel_lut(col, packed, acc, lut, p);
            continue;
        }
        const uint8_t *row = packed;
        for (int32_t oc = 0; oc < p->out_c; ++oc, row += p->row_bytes)
            acc[oc] = (int32_t)(p->format == EDGEC_TERNARY_2BIT ? edgec_ternary_addsub_2bit_loop(col, row, p->row_bytes)
                                                                 : edgec_ternary_addsub_base3_loop(col, row, p->row_bytes));
    }
}
