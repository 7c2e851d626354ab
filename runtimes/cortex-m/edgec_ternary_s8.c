/* Cortex-M twin of reference/edgec_ternary_s8.c, bit-identical to it. Two methods (p->method, chosen per layer
 * by compiler/edgec/passes/ternary_kernels.py with the cost model stated there):
 *
 * EDGEC_TERNARY_ADDSUB: per group of 4 weights, the byte masks of its minus and nonzero weights turn the column
 * word into u (plus), ~u = 255 - u (minus) or 0, and one USADA8 adds the four bytes: (u ^ minus) & nonzero.
 *
 * EDGEC_TERNARY_LUT (T-MAC style): per pixel, for each packed byte position g, a table of the 256 (2-bit) or 243
 * (base 3) partial sums sum T u over that byte's 4 or 5 column values is built with additions only; then every
 * channel's sum is one table load and one addition per packed byte. Tables are built lut_groups bytes at a time
 * (their channel sums kept in scratch), so scratch stays small.
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

/* A nibble's bits as byte masks, for the 2-bit byte (plus | minus << 4): [minus mask, nonzero mask]. */
#define BM(n) (((n) & 1u ? 0xFFu : 0u) | ((n) & 2u ? 0xFF00u : 0u) | ((n) & 4u ? 0xFF0000u : 0u) | \
               ((n) & 8u ? 0xFF000000u : 0u))
#define MN(b) {BM((unsigned)(b) >> 4), BM(((unsigned)(b) | ((unsigned)(b) >> 4)) & 15u)}
#define MN4(b) MN(b), MN((b) + 1), MN((b) + 2), MN((b) + 3)
#define MN16(b) MN4(b), MN4((b) + 4), MN4((b) + 8), MN4((b) + 12)
#define MN64(b) MN16(b), MN16((b) + 16), MN16((b) + 32), MN16((b) + 48)
static const uint32_t masks_2bit[256][2] = {MN64(0), MN64(64), MN64(128), MN64(192)};

/* A base-3 byte as the 2-bit byte of its first four trits, then the fifth trit's plus (bit 8) and minus (bit 9)
 * bits: all constant expressions, no division at run time. */
#define D3(b, i) (((unsigned)(b) / (i)) % 3u)
#define P4(b) ((D3(b, 1) == 2u) | (D3(b, 3) == 2u) << 1 | (D3(b, 9) == 2u) << 2 | (D3(b, 27) == 2u) << 3)
#define M4(b) ((D3(b, 1) == 0u) | (D3(b, 3) == 0u) << 1 | (D3(b, 9) == 0u) << 2 | (D3(b, 27) == 0u) << 3)
#define DEC(b) (uint16_t)(P4(b) | M4(b) << 4 | (D3(b, 81) == 2u) << 8 | (D3(b, 81) == 0u) << 9)
#define DEC4(b) DEC(b), DEC((b) + 1), DEC((b) + 2), DEC((b) + 3)
#define DEC16(b) DEC4(b), DEC4((b) + 4), DEC4((b) + 8), DEC4((b) + 12)
#define DEC64(b) DEC16(b), DEC16((b) + 16), DEC16((b) + 32), DEC16((b) + 48)
static const uint16_t decode_base3[256] = {DEC64(0), DEC64(64), DEC64(128), DEC64(192)};

EDGEC_INLINE uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

/* sum over the row of (plus: u, minus: 255 - u), 2-bit row of n bytes. */
static EDGEC_NOINLINE uint32_t edgec_ternary_addsub_2bit_loop(const uint8_t *EDGEC_RESTRICT u,
                                                              const uint8_t *EDGEC_RESTRICT row, int32_t n) {
    uint32_t acc = 0;
    for (int32_t j = 0; j < n; ++j) {
        const uint32_t *m = masks_2bit[row[j]];
        acc = EDGEC_USADA8(acc, (load_u32(u + 4 * j) ^ m[0]) & m[1]);
    }
    return acc;
}

/* The same over a base-3 row: the first four trits of a byte through the 2-bit masks, the fifth alone. */
static EDGEC_NOINLINE uint32_t edgec_ternary_addsub_base3_loop(const uint8_t *EDGEC_RESTRICT u,
                                                               const uint8_t *EDGEC_RESTRICT row, int32_t n) {
    uint32_t acc = 0;
    for (int32_t j = 0; j < n; ++j, u += 5) {
        const uint32_t d = decode_base3[row[j]];
        const uint32_t *m = masks_2bit[d & 0xFFu];
        acc = EDGEC_USADA8(acc, (load_u32(u) ^ m[0]) & m[1]);
        const uint32_t u4 = u[4];
        acc += (d & 0x100u ? u4 : 0u) + (d & 0x200u ? 255u - u4 : 0u);
    }
    return acc;
}

/* Tables of sum T u for `groups` packed bytes (256 entries each, 243 used for base 3) from the column u, with
 * additions only: entry 0 is the all-minus sum, each digit adds its u once per step up. Two entries per SADD16
 * on the DSP, with word stores that may be unaligned (Cortex-M3 and later allow them). */
static void ternary_lut_build(const uint8_t *EDGEC_RESTRICT u, int16_t *EDGEC_RESTRICT lut, int32_t groups,
                              int32_t format) {
    for (int32_t g = 0; g < groups; ++g, lut += 256) {
        if (format == EDGEC_TERNARY_2BIT) {
            int16_t plus[16], minus[16]; /* sums of u and of 255 - u over the subsets of the four values */
            plus[0] = minus[0] = 0;
            for (int32_t i = 0, n = 1; i < 4; ++i, n <<= 1) {
                const int32_t x = u[4 * g + i];
                for (int32_t j = 0; j < n; ++j) {
                    plus[j + n] = (int16_t)(plus[j] + x);
                    minus[j + n] = (int16_t)(minus[j] + 255 - x);
                }
            }
            for (int32_t m = 0; m < 16; ++m)
                for (int32_t q = 0; q < 16; ++q) lut[m << 4 | q] = (int16_t)(plus[q] + minus[m]);
        } else {
            const uint8_t *x = u + 5 * g;
            lut[0] = (int16_t)(5 * 255 - (x[0] + x[1] + x[2] + x[3] + x[4])); /* all five minus */
            for (int32_t i = 0, n = 1; i < 5; ++i, n *= 3) {
                const int32_t to_zero = x[i] - 255, to_plus = x[i]; /* digit 0 -> 1 -> 2 */
                for (int32_t j = 0; j < n; ++j) {
                    const int32_t zero = lut[j] + to_zero;
                    lut[j + n] = (int16_t)zero;
                    lut[j + 2 * n] = (int16_t)(zero + to_plus);
                }
            }
        }
    }
}

/* acc + sum over g < groups of lut[256 g + row[g]]. */
static EDGEC_NOINLINE int32_t edgec_ternary_lut_loop(const uint8_t *EDGEC_RESTRICT row,
                                                     const int16_t *EDGEC_RESTRICT lut, int32_t groups, int32_t acc) {
    for (int32_t g = 0; g < groups; ++g, lut += 256) acc += lut[row[g]];
    return acc;
}

static void ternary_pixel_lut(const uint8_t *EDGEC_RESTRICT col, const uint8_t *EDGEC_RESTRICT packed,
                              int32_t *EDGEC_RESTRICT acc, int16_t *EDGEC_RESTRICT lut,
                              const edgec_ternary_s8_params *p) {
    const int32_t g = edgec_ternary_group(p->format);
    for (int32_t oc = 0; oc < p->out_c; ++oc) acc[oc] = 0;
    for (int32_t j0 = 0; j0 < p->row_bytes; j0 += p->lut_groups) {
        const int32_t n = p->row_bytes - j0 < p->lut_groups ? p->row_bytes - j0 : p->lut_groups;
        ternary_lut_build(col + g * j0, lut, n, p->format);
        const uint8_t *row = packed + j0;
        for (int32_t oc = 0; oc < p->out_c; ++oc, row += p->row_bytes)
            acc[oc] = edgec_ternary_lut_loop(row, lut, n, acc[oc]);
    }
}

void edgec_ternary_conv_s8(const int8_t *EDGEC_RESTRICT input, const uint8_t *EDGEC_RESTRICT packed,
                           const int32_t *scale, const int32_t *EDGEC_RESTRICT bias,
                           const int32_t *EDGEC_RESTRICT multiplier, const int32_t *EDGEC_RESTRICT shift,
                           int8_t *EDGEC_RESTRICT output, const edgec_ternary_s8_params *p, void *scratch) {
    uint8_t *col = (uint8_t *)scratch;
    int32_t *acc = (int32_t *)(void *)(col + edgec_ternary_col_bytes(p));
    int16_t *lut = (int16_t *)(void *)(acc + p->out_c);
    const int lut_method = p->method == EDGEC_TERNARY_LUT;
    for (int32_t b = 0; b < p->batch; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                edgec_ternary_gather(input, col, p, b, oy, ox);
                if (lut_method) ternary_pixel_lut(col, packed, acc, lut, p);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                const uint8_t *row = packed;
                for (int32_t oc = 0; oc < p->out_c; ++oc, row += p->row_bytes) {
                    const int32_t acc_t =
                        lut_method ? acc[oc]
                                   : (int32_t)(p->format == EDGEC_TERNARY_2BIT
                                                   ? edgec_ternary_addsub_2bit_loop(col, row, p->row_bytes)
                                                   : edgec_ternary_addsub_base3_loop(col, row, p->row_bytes));
                    const int32_t a = (int32_t)((uint32_t)(scale ? scale[oc] : p->scale_all) * (uint32_t)acc_t + (uint32_t)bias[oc]);
                    out[oc] = (int8_t)edgec_ternary_requant(a, multiplier[oc], shift[oc], p);
                }
            }
        }
    }
}
