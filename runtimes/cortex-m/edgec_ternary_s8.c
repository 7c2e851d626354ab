/* Cortex-M twin of reference/edgec_ternary_s8.c, bit-identical to it. Two methods (p->method, chosen per layer
 * by compiler/edgec/passes/ternary_kernels.py with the cost model stated there):
 *
 * EDGEC_TERNARY_ADDSUB: per group of 4 weights, the byte masks of its nonzero and minus weights, and one USADA8
 * adds sum |(u & nonzero) - minus| over the four bytes: u (plus), 255 - u = |u - 255| (minus) or 0. Four output
 * pixels share each byte's masks; their columns are interleaved so that one LDM loads the four words.
 *
 * EDGEC_TERNARY_LUT (T-MAC style): per pixel, for each packed byte position g, a table of the 256 (2-bit) or 243
 * (base 3) partial sums over that byte's 4 or 5 column values is built with additions only; then every channel's
 * sum is one byte load, one table load and one addition per packed byte. Tables are built eight bytes at a time
 * (the channel sums kept in scratch), so scratch stays small: the column, 4 B per channel and 4 KiB.
 *
 * On Thumb-2 cores with the DSP extension the two hot loops are assembly (gcc spent an extract or an address add
 * per step and kept the accumulators in memory); elsewhere the same loops in C.
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
/* acc + sum over the four bytes of |a - b| */
#define EDGEC_USADA8(acc, a, b) __usada8((a), (b), (acc))
#else
EDGEC_INLINE uint32_t edgec_absdiff8(uint32_t a, uint32_t b) {
    return a > b ? a - b : b - a;
}
EDGEC_INLINE uint32_t edgec_usada8(uint32_t acc, uint32_t a, uint32_t b) {
    for (int s = 0; s < 32; s += 8) acc += edgec_absdiff8((a >> s) & 0xFFu, (b >> s) & 0xFFu);
    return acc;
}
#define EDGEC_USADA8(acc, a, b) edgec_usada8((acc), (a), (b))
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__thumb2__) && (defined(__GNUC__) || defined(__clang__))
#define EDGEC_TERNARY_ASM 1
#else
#define EDGEC_TERNARY_ASM 0
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
#define PAIR(b) MINUS(b), NONZERO(b)
/* [2 b]: byte b's minus mask, [2 b + 1]: its nonzero mask (one LDRD at [table, b, LSL #3]) */
static const uint32_t masks[512] = {T64(PAIR, 0), T64(PAIR, 64), T64(PAIR, 128), T64(PAIR, 192)};

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

/* One 2-bit byte's four weights against the column word at u: sum |(u & nonzero) - minus| by USADA8. The loops
 * keep masks and masks + 1 in two base registers (MASK_BASES), so that each mask is one LDR [t, code, LSL #3]. */
#if defined(__GNUC__) || defined(__clang__)
#define MASK_BASES const uint32_t *minus_ = masks, *nonzero_ = masks + 1; __asm__("" : "+r"(minus_), "+r"(nonzero_))
#else
#define MASK_BASES const uint32_t *minus_ = masks, *nonzero_ = masks + 1
#endif
#define ADDSUB4(acc, code, u) \
    do { \
        const uint32_t c_ = 2u * (code); \
        (acc) = EDGEC_USADA8((acc), load_u32(u) & nonzero_[c_], minus_[c_]); \
    } while (0)

/* sum over the row of (plus: u, minus: 255 - u), 2-bit row of n bytes: four bytes (16 weights) per loop. */
static EDGEC_NOINLINE uint32_t edgec_ternary_addsub_2bit_loop(const uint8_t *EDGEC_RESTRICT u,
                                                              const uint8_t *EDGEC_RESTRICT row, int32_t n) {
    MASK_BASES;
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
    MASK_BASES;
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
#if EDGEC_TERNARY_ASM
void edgec_ternary_lut_base3(const uint8_t *x, int16_t *t);
/* The same in assembly: per digit, four words of [0, n) at a time (LDM), each SADD16 to [n, 2n) (word stores at
 * a halfword offset) and again to [2n, 3n) (word aligned: STM); 16 instructions per 16 entries.
 * r0 source words, r1 n, r2 / r3 the digit's z / p in both halves, r4-r7 words, r8 t, r9 x, r10 pairs left,
 * r12 / lr the two destinations. */
#define B3_WORD(r) "   sadd16  " r ", " r ", r2\n   str     " r ", [r12], #4\n"
__asm__("   .pushsection .text.edgec_ternary_lut_base3,\"ax\",%progbits\n   .syntax unified\n   .thumb\n"
        "   .balign 4\n   .global edgec_ternary_lut_base3\n   .hidden edgec_ternary_lut_base3\n"
        "   .type edgec_ternary_lut_base3, %function\n   .thumb_func\n"
        "edgec_ternary_lut_base3:\n"
        "   push    {r4-r11, lr}\n   mov     r9, r0\n   mov     r8, r1\n"
        "   ldrb    r4, [r9]\n   ldrb    r5, [r9, #1]\n   ldrb    r6, [r9, #2]\n   ldrb    r7, [r9, #3]\n"
        "   ldrb    r2, [r9, #4]\n   add     r4, r4, r5\n   add     r6, r6, r7\n   add     r4, r4, r2\n"
        "   add     r4, r4, r6\n   movw    r5, #1275\n   sub     r4, r5, r4\n   strh    r4, [r8]\n"
        "   mov     r1, #1\n"
        "1:\n   ldrb    r4, [r9], #1\n   sub     r2, r4, #255\n   pkhbt   r2, r2, r2, lsl #16\n"
        "   pkhbt   r3, r4, r4, lsl #16\n   mov     r0, r8\n   add     r12, r8, r1, lsl #1\n"
        "   add     lr, r8, r1, lsl #2\n   lsrs    r10, r1, #1\n   subs    r10, r10, #4\n   blt     3f\n"
        "2:\n   ldmia   r0!, {r4-r7}\n" B3_WORD("r4") B3_WORD("r5") B3_WORD("r6") B3_WORD("r7")
        "   sadd16  r4, r4, r3\n   sadd16  r5, r5, r3\n   sadd16  r6, r6, r3\n   sadd16  r7, r7, r3\n"
        "   stmia   lr!, {r4-r7}\n   subs    r10, r10, #4\n   bge     2b\n"
        "3:\n   adds    r10, r10, #4\n   beq     5f\n"
        "4:\n   ldr     r4, [r0], #4\n" B3_WORD("r4") "   sadd16  r4, r4, r3\n   str     r4, [lr], #4\n"
        "   subs    r10, r10, #1\n   bne     4b\n"
        "5:\n   ldrh    r4, [r0]\n   sadd16  r4, r4, r2\n   strh    r4, [r12]\n   sadd16  r4, r4, r3\n"
        "   strh    r4, [lr]\n   add     r1, r1, r1, lsl #1\n   cmp     r1, #243\n   bne     1b\n"
        "   pop     {r4-r11, pc}\n   .size edgec_ternary_lut_base3, .-edgec_ternary_lut_base3\n"
        "   .popsection\n");
#define ternary_lut_build_base3 edgec_ternary_lut_base3
#else
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
#endif

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

/* acc[c] += sum over the chunk's packed bytes j < groups of t[j][row_c[j]], for the channels c whose sums lie at
 * acc .. acc_end, rows `stride` bytes apart: per channel and byte one LDRB, one LDRSH [t_j, b, LSL #1] (each
 * table in its own base register) and one ADD: 3 instructions per byte (5 weights in base 3), plus 5 per channel
 * and chunk (the sum's load and store, the row step, the loop). A chunk has 8 bytes (4 in the last chunk when
 * at most 4 are left); bytes past the row index a table of zeros. */
#define LUT_CHUNK 8
typedef struct {
    const uint8_t *row; /* 0 */
    int32_t stride;     /* 4 */
    int32_t *acc;       /* 8 */
    int32_t *acc_end;   /* 12 */
    const int16_t *t[LUT_CHUNK]; /* 16 */
} lut_frame;

#if EDGEC_TERNARY_ASM
void edgec_ternary_lut8_loop(const lut_frame *f);
void edgec_ternary_lut4_loop(const lut_frame *f);
/* r0 row, r1 stride, r2 sums, r3 their end, r4-r11 tables, r12 byte / entry, lr the channel's sum */
#define LUT_STEP(j, t) "   ldrb    r12, [r0, #" #j "]\n   ldrsh   r12, [" t ", r12, lsl #1]\n   add     lr, lr, r12\n"
#define LUT_FUNC(name, load_tables, steps) \
    "   .balign 4\n   .global " name "\n   .hidden " name "\n   .type " name ", %function\n   .thumb_func\n" \
    name ":\n   push    {r4-r11, lr}\n   add     r1, r0, #16\n" load_tables "   ldm     r0, {r0-r3}\n" \
    "1:\n   ldr     lr, [r2]\n" steps "   add     r0, r0, r1\n   str     lr, [r2], #4\n   cmp     r2, r3\n" \
    "   bne     1b\n   pop     {r4-r11, pc}\n   .size " name ", .-" name "\n"
__asm__("   .pushsection .text.edgec_ternary_lut_loops,\"ax\",%progbits\n   .syntax unified\n   .thumb\n"
        LUT_FUNC("edgec_ternary_lut8_loop", "   ldm     r1, {r4-r11}\n",
                 LUT_STEP(0, "r4") LUT_STEP(1, "r5") LUT_STEP(2, "r6") LUT_STEP(3, "r7")
                 LUT_STEP(4, "r8") LUT_STEP(5, "r9") LUT_STEP(6, "r10") LUT_STEP(7, "r11"))
        LUT_FUNC("edgec_ternary_lut4_loop", "   ldm     r1, {r4-r7}\n",
                 LUT_STEP(0, "r4") LUT_STEP(1, "r5") LUT_STEP(2, "r6") LUT_STEP(3, "r7"))
        "   .popsection\n");
#else
static EDGEC_NOINLINE void edgec_ternary_lut_loop(const lut_frame *f, int32_t groups) {
    const uint8_t *row = f->row;
    for (int32_t *acc = f->acc; acc != f->acc_end; ++acc, row += f->stride) {
        int32_t sum = *acc;
        for (int32_t j = 0; j < groups; ++j) sum += f->t[j][row[j]];
        *acc = sum;
    }
}
#define edgec_ternary_lut8_loop(f) edgec_ternary_lut_loop((f), 8)
#define edgec_ternary_lut4_loop(f) edgec_ternary_lut_loop((f), 4)
#endif

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
/* Helium (Cortex-M55): the look-up loop eight channels per step. Lane 2i holds channel i and lane 2i + 1 channel
 * 4 + i, so that VMOVLB / VMOVLT widen channels 0-3 and 4-7 in order. Per packed byte: one gather of the eight
 * channels' bytes (VLDRB.U16, their rows' offsets), one gather of their table entries (VLDRH.S16 [t_j, b, UXTW #1])
 * and one VADD.I16. An entry is at most 5 x 255, so int16 lanes hold a chunk's sum (8 x 1275 < 2^15); it is
 * widened into the int32 sums once per chunk. Returns the channels done (a multiple of 8; the rest run the
 * scalar loop). */
EDGEC_INLINE int32_t lut_mve_chunk(const lut_frame *f, int32_t groups) {
    const int32_t channels = (int32_t)(f->acc_end - f->acc), stride = f->stride;
    if (channels < 8 || 7 * stride > 65535) return 0;
    const uint16_t lanes[8] = {0, (uint16_t)(4 * stride), (uint16_t)stride, (uint16_t)(5 * stride),
                               (uint16_t)(2 * stride), (uint16_t)(6 * stride), (uint16_t)(3 * stride),
                               (uint16_t)(7 * stride)};
    const uint16x8_t offsets = vld1q_u16(lanes);
    const int16_t *t[LUT_CHUNK]; /* in registers, not reloaded from the frame */
    for (int32_t j = 0; j < groups; ++j) t[j] = f->t[j];
    int32_t c = 0;
    for (; c + 8 <= channels; c += 8) {
        const uint8_t *row = f->row + (size_t)c * stride;
        int16x8_t sum = vdupq_n_s16(0);
#pragma GCC unroll 8
        for (int32_t j = 0; j < groups; ++j)
            sum = vaddq_s16(sum, vldrhq_gather_shifted_offset_s16(t[j], vldrbq_gather_offset_u16(row + j, offsets)));
        int32_t *acc = f->acc + c;
        vst1q_s32(acc, vaddq_s32(vld1q_s32(acc), vmovlbq_s16(sum)));
        vst1q_s32(acc + 4, vaddq_s32(vld1q_s32(acc + 4), vmovltq_s16(sum)));
    }
    return c;
}
static EDGEC_NOINLINE int32_t edgec_ternary_lut8_mve_loop(const lut_frame *f) { return lut_mve_chunk(f, 8); }
static EDGEC_NOINLINE int32_t edgec_ternary_lut4_mve_loop(const lut_frame *f) { return lut_mve_chunk(f, 4); }

/* ternary_lut_build_base3 on Helium: per digit, eight entries of [0, n) per VLDRH, VADD to [n, 2n), VADD again to
 * [2n, 3n) (the last eight predicated); the digits with n < 8 in scalar code. */
static void ternary_lut_build_base3_mve(const uint8_t *EDGEC_RESTRICT x, int16_t *EDGEC_RESTRICT t) {
    t[0] = (int16_t)(5 * 255 - (x[0] + x[1] + x[2] + x[3] + x[4]));
    for (int32_t i = 0, n = 1; i < 5; ++i, n *= 3) {
        const int16_t to_zero = (int16_t)(x[i] - 255), to_plus = (int16_t)x[i];
        if (n < 8) {
            for (int32_t j = 0; j < n; ++j) {
                t[n + j] = (int16_t)(t[j] + to_zero);
                t[2 * n + j] = (int16_t)(t[n + j] + to_plus);
            }
            continue;
        }
        for (int32_t j = 0; j < n; j += 8) {
            const mve_pred16_t lanes = vctp16q((uint32_t)(n - j));
            const int16x8_t zero = vaddq_n_s16(vldrhq_z_s16(t + j, lanes), to_zero);
            vstrhq_p_s16(t + n + j, zero, lanes);
            vstrhq_p_s16(t + 2 * n + j, vaddq_n_s16(zero, to_plus), lanes);
        }
    }
}
#define EDGEC_TERNARY_MVE 1
#else
#define EDGEC_TERNARY_MVE 0
#endif

static const int16_t lut_zeros[256]; /* the table of a byte past the row: every entry 0 */

/* The look-up method for one pixel: acc[c] = the channel's acc_t. Tables are built a chunk at a time; the last
 * chunk of a row is read whole (4 bytes, or 8 when more than 4 are left): up to 3 bytes past the row's end, which
 * the compiler pads. */
static void ternary_pixel_lut(const uint8_t *EDGEC_RESTRICT col, const uint8_t *EDGEC_RESTRICT packed,
                              int32_t *EDGEC_RESTRICT acc, int16_t *EDGEC_RESTRICT lut,
                              const edgec_ternary_s8_params *p) {
    const int32_t g = edgec_ternary_group(p->format);
    for (int32_t oc = 0; oc < p->out_c; ++oc) acc[oc] = 0;
    lut_frame f;
    f.stride = p->row_bytes;
    for (int32_t j0 = 0; j0 < p->row_bytes; j0 += LUT_CHUNK) {
        const int32_t left = p->row_bytes - j0, chunk = left > 4 ? LUT_CHUNK : 4;
        for (int32_t j = 0; j < chunk; ++j) {
            int16_t *t = lut + 256 * j;
            f.t[j] = t;
            if (j >= left) f.t[j] = lut_zeros;
            else if (p->format == EDGEC_TERNARY_2BIT) ternary_lut_build_2bit(col + g * (j0 + j), t);
#if EDGEC_TERNARY_MVE
            else ternary_lut_build_base3_mve(col + g * (j0 + j), t);
#else
            else ternary_lut_build_base3(col + g * (j0 + j), t);
#endif
        }
        f.row = packed + j0;
        f.acc = acc;
        f.acc_end = acc + p->out_c;
#if EDGEC_TERNARY_MVE
        const int32_t done = chunk == LUT_CHUNK ? edgec_ternary_lut8_mve_loop(&f) : edgec_ternary_lut4_mve_loop(&f);
        if (done == p->out_c) continue;
        f.row += (size_t)done * p->row_bytes;
        f.acc += done;
#endif
        if (chunk == LUT_CHUNK) edgec_ternary_lut8_loop(&f);
        else edgec_ternary_lut4_loop(&f);
    }
}

/* Four pixels against one 2-bit row of n bytes: the columns interleaved word by word (word j of pixel q at word
 * 4 j + q), so that each byte's two masks are loaded once for the four pixels and one LDM loads their four
 * words: 12 instructions per byte (16 weight-pixel terms), four bytes per loop. */
typedef struct {
    const uint8_t *u;       /* 0 */
    const uint8_t *row;     /* 4 */
    const uint8_t *row4;    /* 8: the end of the whole four-byte steps */
    const uint8_t *row_end; /* 12 */
    const uint32_t *masks;  /* 16 */
    uint32_t acc[4];        /* 20: the four sums (out) */
} addsub_x4_frame;

#if EDGEC_TERNARY_ASM
void edgec_ternary_addsub_2bit_x4_loop(addsub_x4_frame *f);
/* r0 columns, r1 row, r2 end, r3 masks, r4-r7 the four pixels' words, r8-r11 sums, r12 minus, lr nonzero */
#define AS_STEP \
    "   ldrb    r12, [r1], #1\n   add     r12, r3, r12, lsl #3\n   ldrd    r12, lr, [r12]\n" \
    "   ldmia   r0!, {r4-r7}\n   and     r4, r4, lr\n   and     r5, r5, lr\n   and     r6, r6, lr\n" \
    "   and     r7, r7, lr\n   usada8  r8, r4, r12, r8\n   usada8  r9, r5, r12, r9\n" \
    "   usada8  r10, r6, r12, r10\n   usada8  r11, r7, r12, r11\n"
__asm__("   .pushsection .text.edgec_ternary_addsub_2bit_x4_loop,\"ax\",%progbits\n   .syntax unified\n"
        "   .thumb\n   .balign 4\n   .global edgec_ternary_addsub_2bit_x4_loop\n"
        "   .hidden edgec_ternary_addsub_2bit_x4_loop\n   .type edgec_ternary_addsub_2bit_x4_loop, %function\n"
        "   .thumb_func\n"
        "edgec_ternary_addsub_2bit_x4_loop:\n"
        "   push    {r0, r4-r11, lr}\n"
        "   ldr     r3, [r0, #16]\n   ldr     r2, [r0, #8]\n   ldr     r1, [r0, #4]\n   ldr     r0, [r0]\n"
        "   mov     r8, #0\n   mov     r9, #0\n   mov     r10, #0\n   mov     r11, #0\n"
        "   cmp     r1, r2\n   beq     2f\n"
        "1:\n" AS_STEP AS_STEP AS_STEP AS_STEP "   cmp     r1, r2\n   bne     1b\n"
        "2:\n   ldr     r2, [sp]\n   ldr     r2, [r2, #12]\n   cmp     r1, r2\n   beq     4f\n"
        "3:\n" AS_STEP "   cmp     r1, r2\n   bne     3b\n"
        "4:\n   pop     {r0}\n   add     r0, r0, #20\n   stm     r0, {r8-r11}\n   pop     {r4-r11, pc}\n"
        "   .size edgec_ternary_addsub_2bit_x4_loop, .-edgec_ternary_addsub_2bit_x4_loop\n   .popsection\n");
#else
static EDGEC_NOINLINE void edgec_ternary_addsub_2bit_x4_loop(addsub_x4_frame *f) {
    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const uint8_t *u = f->u;
    for (const uint8_t *row = f->row; row != f->row_end; ++row, u += 16) {
        const uint32_t *m = f->masks + 2u * *row, minus = m[0], nonzero = m[1];
        a0 = EDGEC_USADA8(a0, load_u32(u) & nonzero, minus);
        a1 = EDGEC_USADA8(a1, load_u32(u + 4) & nonzero, minus);
        a2 = EDGEC_USADA8(a2, load_u32(u + 8) & nonzero, minus);
        a3 = EDGEC_USADA8(a3, load_u32(u + 12) & nonzero, minus);
    }
    f->acc[0] = a0, f->acc[1] = a1, f->acc[2] = a2, f->acc[3] = a3;
}
#endif

EDGEC_INLINE void ternary_output(int8_t *out, int32_t oc, int32_t acc_t, const int32_t *scale, const int32_t *bias,
                                 const int32_t *multiplier, const int32_t *shift, const edgec_ternary_s8_params *p) {
    const int32_t a = (int32_t)((uint32_t)(scale ? scale[oc] : p->scale_all) * (uint32_t)acc_t + (uint32_t)bias[oc]);
    out[oc] = (int8_t)edgec_ternary_requant(a, multiplier[oc], shift[oc], p);
}

/* Channel oc's outputs of n pixels, `stride` bytes apart, from their sums acc_t[q]: in TFLite's fixed-point mode
 * the channel's shifts and masks are worked out once for the n (rq_prepare), not per output. */
static void ternary_outputs(int8_t *out, int32_t stride, int32_t n, int32_t oc, const uint32_t *acc_t,
                            const int32_t *scale, const int32_t *bias, const int32_t *multiplier,
                            const int32_t *shift, const edgec_ternary_s8_params *p) {
    if (p->requant != EDGEC_REQUANT_FIXED || multiplier[oc] == INT32_MIN) {
        for (int32_t q = 0; q < n; ++q)
            ternary_output(out + (size_t)q * stride, oc, (int32_t)acc_t[q], scale, bias, multiplier, shift, p);
        return;
    }
    const rq_channel c = rq_prepare(multiplier[oc], shift[oc]);
    const uint32_t a = (uint32_t)(scale ? scale[oc] : p->scale_all), b = (uint32_t)bias[oc];
    for (int32_t q = 0; q < n; ++q)
        out[(size_t)q * stride + oc] = (int8_t)rq_apply((int32_t)(a * acc_t[q] + b), c, p->output_offset, p->act_min,
                                                        p->act_max);
}

/* One pixel's outputs from its channel sums acc[oc] (the look-up method): the requantisation mode is decided once
 * for the pixel, not per output, and in TFLite's fixed-point mode a channel's shifts and masks are worked out
 * only when its multiplier or shift differs from the last channel's (a fully connected layer has one of each). */
static void ternary_outputs_pixel(int8_t *out, const int32_t *acc, const int32_t *scale, const int32_t *bias,
                                  const int32_t *multiplier, const int32_t *shift, const edgec_ternary_s8_params *p) {
    const int32_t zp = p->output_offset, lo = p->act_min, hi = p->act_max;
    if (p->requant == EDGEC_REQUANT_FIXED) {
        rq_channel c = rq_prepare(multiplier[0], shift[0]);
        for (int32_t oc = 0; oc < p->out_c; ++oc) {
            if (multiplier[oc] == INT32_MIN) { /* the one saturating case: edgec_requant's own path */
                ternary_output(out, oc, acc[oc], scale, bias, multiplier, shift, p);
                continue;
            }
            if (multiplier[oc] != c.multiplier || shift[oc] != (c.left ? c.left : -c.right))
                c = rq_prepare(multiplier[oc], shift[oc]);
            const uint32_t a = (uint32_t)(scale ? scale[oc] : p->scale_all);
            out[oc] = (int8_t)rq_apply((int32_t)(a * (uint32_t)acc[oc] + (uint32_t)bias[oc]), c, zp, lo, hi);
        }
        return;
    }
    if (p->requant != EDGEC_TERNARY_REQUANT_SINGLE) {
        for (int32_t oc = 0; oc < p->out_c; ++oc) ternary_output(out, oc, acc[oc], scale, bias, multiplier, shift, p);
        return;
    }
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const uint32_t a = (uint32_t)(scale ? scale[oc] : p->scale_all);
        const int32_t v = (int32_t)(a * (uint32_t)acc[oc] + (uint32_t)bias[oc]);
        out[oc] = (int8_t)edgec_clamp_i32(edgec_mbqm_single(v, multiplier[oc], shift[oc]) + zp, lo, hi);
    }
}

/* edgec_ternary_gather for in_c a multiple of 4, each word of the column written 16 bytes after the last (one
 * pixel's column in the four-pixel interleave): `words` words in all, zeros past K. */
static void gather_interleaved(const int8_t *EDGEC_RESTRICT input, uint32_t *EDGEC_RESTRICT u,
                               const edgec_ternary_s8_params *p, int32_t b, int32_t oy, int32_t ox, int32_t words) {
    const uint32_t pad = (uint32_t)(uint8_t)(128 - p->input_offset) * 0x01010101u;
    const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
    const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left, n = p->in_c / 4;
    uint32_t *end = u + 4 * words;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + kx * p->dil_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < n; ++c, u += 4) *u = pad;
            } else {
                const uint8_t *x = (const uint8_t *)(in_b + ((size_t)iy * p->in_w + ix) * p->in_c);
                for (int32_t c = 0; c < n; ++c, u += 4, x += 4) *u = load_u32(x) ^ 0x80808080u;
            }
        }
    }
    for (; u < end; u += 4) *u = 0;
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
                if (p->in_c % 4 == 0) { /* whole words per tap: straight into the interleaved columns */
                    gather_interleaved(input, (uint32_t *)(void *)ilv + q, p, b, oy, yx - oy * p->out_w, cb / 4);
                    continue;
                }
                edgec_ternary_gather(input, col + q * cb, p, b, oy, yx - oy * p->out_w);
                for (int32_t j = 0; j < cb; j += 4) __builtin_memcpy(ilv + 4 * j + 4 * q, col + q * cb + j, 4);
            }
            addsub_x4_frame f;
            f.masks = masks;
            f.row = packed;
            for (int32_t oc = 0; oc < p->out_c; ++oc, f.row += p->row_bytes) {
                f.u = ilv;
                f.row4 = f.row + (p->row_bytes & ~3);
                f.row_end = f.row + p->row_bytes;
                edgec_ternary_addsub_2bit_x4_loop(&f);
                ternary_outputs(output + (size_t)pix * p->out_c, p->out_c, 4, oc, f.acc, scale, bias, multiplier,
                                shift, p);
            }
        }
    }
    for (; pix < pixels; ++pix) {
        const int32_t b = pix / hw, yx = pix - b * hw, oy = yx / p->out_w;
        edgec_ternary_gather(input, col, p, b, oy, yx - oy * p->out_w);
        int8_t *out = output + (size_t)pix * p->out_c;
        if (p->method == EDGEC_TERNARY_LUT) {
            ternary_pixel_lut(col, packed, acc, lut, p);
            ternary_outputs_pixel(out, acc, scale, bias, multiplier, shift, p);
            continue;
        }
        const uint8_t *row = packed;
        for (int32_t oc = 0; oc < p->out_c; ++oc, row += p->row_bytes) {
            const int32_t acc_t = (int32_t)(p->format == EDGEC_TERNARY_2BIT
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
