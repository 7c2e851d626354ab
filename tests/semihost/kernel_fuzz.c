/* Kernel fuzz firmware (tests/test_int8_cortex_m_fuzz.py): random shapes, paddings, dilations, offsets and
 * requantisation parameters; a Cortex-M kernel set (DSP on mps2-an500, Helium on mps3-an547) against the portable
 * reference kernels (renamed ref_*). Exit code: the number of cases whose outputs differ (at most 255). With
 * -DEDGEC_FUZZ_HOST it is an ordinary host program (for the sanitizers). */
#include <stdint.h>
#include <string.h>
#include "edgec_conv2d_s8.h"
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_fully_connected_s8.h"
#include "edgec_add_s8.h"
#include "edgec_svdf_s8.h"
#include "edgec_lstm_s8.h"
void ref_conv(const int8_t *, const int8_t *, const int32_t *, const int32_t *, const int32_t *, int8_t *, const edgec_conv2d_s8_params *);
void ref_dw(const int8_t *, const int8_t *, const int32_t *, const int32_t *, const int32_t *, int8_t *, const edgec_conv2d_s8_params *);
void ref_add(const int8_t *, const int8_t *, int8_t *, const edgec_add_s8_params *, int32_t *);
void ref_fc(const int8_t *, const int8_t *, const int32_t *, int8_t *, const edgec_fully_connected_s8_params *);
void ref_svdf(const int8_t *, const int8_t *, const int8_t *, const int32_t *, int8_t *, int8_t *, const edgec_svdf_s8_params *);
void ref_svdf_s16(const int8_t *, const int8_t *, const int16_t *, const int32_t *, int16_t *, int8_t *, const edgec_svdf_s8_params *);
void ref_lstm(const int8_t *, const int8_t *, const int8_t *, const int32_t *, int8_t *, int16_t *, int8_t *, int16_t *, const edgec_lstm_s8_params *);
#ifndef EDGEC_FUZZ_HOST
#define EDGEC_SEMIHOST_LIBC
#include "boot.h"
#endif
static uint32_t s = 12345;
static uint32_t rnd(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; }
static int32_t ri(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
static int8_t in[1 + 2 * 9 * 9 * 70], w[9 * 70 * 80 + 4096], o1[2 * 9 * 9 * 160], o2[2 * 9 * 9 * 160];
static int32_t bias[160], mul[160], sh[160];
/* the depthwise cases below: 3x3 maps up to 24 x 100, both the band copies and the straight run, column pieces */
static int8_t din[2 * 24 * 100 * 20], dout1[2 * 24 * 100 * 20], dout2[2 * 24 * 100 * 20];
static int32_t dbias[64], dmul[64], dsh[64]; /* up to KWS's 64 channels */
static int32_t add_scratch[512];
/* SVDF and LSTM: two kernels' states side by side (index 0 the reference's), carried over three runs */
static int16_t rstate[2][3 * 36 * 13], rwt16[36 * 13], rcell[2][2 * 21], rscratch[4 * 21];
static int8_t rstate8[2][3 * 36 * 13], rwt8[36 * 13], rhidden[2][2 * 21], rout[2][3 * 6 * 21];
static int same(const void *a, const void *b, size_t n) { /* no memcmp in the firmware */
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; ++i) if (x[i] != y[i]) return 0;
    return 1;
}
/* 1 if the depthwise kernel's output differs from the reference's on p (its taps in w, its requantisation in dmul and
 * dsh, its bias in bb, its input in din). */
static int dw_differs(const edgec_conv2d_s8_params *p, const int32_t *bb) {
    ref_dw(din, w, bb, dmul, dsh, dout1, p);
    edgec_depthwise_conv2d_s8(din, w, bb, dmul, dsh, dout2, p);
    return !same(dout1, dout2, (size_t)(p->batch * p->out_h * p->out_w * p->out_c));
}
/* The general depthwise cases' offsets (a ninth at the ends), clamp (full in odd cases), requantisation (a 19th
 * float; fixed point with every shift from -31 to 8, a 23rd INT32_MIN multipliers, biases near and past the fast
 * path's bound), input and taps (a tenth extreme), an eighth without bias, for p's geometry. */
static int dw_general_differs(edgec_conv2d_s8_params *p, int it) {
    p->input_offset = (it % 9 == 0) ? ((it & 1) ? 128 : -127) : ri(-127, 128);
    p->output_offset = (it % 9 == 4) ? ((it & 1) ? 127 : -128) : ri(-128, 127);
    if (it % 2) { p->act_min = -128; p->act_max = 127; } else { p->act_min = ri(-128, 0); p->act_max = ri(0, 127); }
    p->requant = (it % 19 == 7) ? EDGEC_REQUANT_FLOAT : EDGEC_REQUANT_FIXED;
    int nin = p->batch * p->in_h * p->in_w * p->in_c;
    for (int i = 0; i < nin; ++i) din[i] = (int8_t)rnd();
    for (int i = 0; i < (int)sizeof w; ++i) w[i] = (int8_t)rnd();
    if (it % 10 == 3) for (int i = 0; i < (int)sizeof w; ++i) w[i] = (rnd() & 1) ? -128 : 127; /* extreme taps */
    for (int i = 0; i < p->out_c; ++i) {
        const int r = ri(0, 15);
        dsh[i] = r < 11 ? ri(-12, -1) : r < 13 ? ri(-31, -13) : ri(0, 8);
        dmul[i] = (it % 23 == 5) ? INT32_MIN : (int32_t)((rnd() >> 1) | (1u << 30));
        dbias[i] = ri(-30000, 30000);
        if (ri(0, 9) == 0) dbias[i] = (int32_t)rnd() >> ri(1, 12); /* near and past the fast path's bound */
        if (p->requant) { union { float f; int32_t b; } u; u.f = (float)ri(1, 1000) / 100000.0f; dmul[i] = u.b; }
    }
    return dw_differs(p, (it % 8 == 7) ? 0 : dbias);
}
/* The 3 x 3 cases' data for p (offsets and clamp drawn): input and taps random or (extreme_in, extreme_w) -128 and
 * 127 only, fixed-point requantisation by right shifts, biases near and past the fast path's bound, or none. */
static int dw_3x3_differs(edgec_conv2d_s8_params *p, int extreme_in, int extreme_w, int no_bias) {
    p->requant = EDGEC_REQUANT_FIXED;
    int nin = p->batch * p->in_h * p->in_w * p->in_c;
    for (int i = 0; i < nin; ++i) din[i] = extreme_in ? ((rnd() & 1) ? -128 : 127) : (int8_t)rnd();
    for (int i = 0; i < 9 * p->in_c; ++i) w[i] = extreme_w ? ((rnd() & 1) ? -128 : 127) : (int8_t)rnd();
    for (int i = 0; i < p->out_c; ++i) {
        dsh[i] = ri(-14, -1); dmul[i] = (int32_t)((rnd() >> 1) | (1u << 30)); dbias[i] = ri(-30000, 30000);
        if (ri(0, 9) == 0) dbias[i] = (int32_t)rnd() >> ri(1, 4); /* near and past the fast path's bound */
    }
    return dw_differs(p, no_bias ? 0 : dbias);
}
static int32_t rmul(void) { return (int32_t)((rnd() >> 1) | (1u << 30)); }
int main(void) {
    int bad = 0;
    for (int it = 0; it < 600; ++it) {
        edgec_conv2d_s8_params p;
        p.batch = ri(1, 2); p.in_h = ri(1, 9); p.in_w = ri(1, 9);
        int dw = it % 3 == 1, fc = it % 3 == 2;
        p.in_c = (it % 4 == 0) ? ri(1, 70) : 4 * ri(1, 16);
        p.depth_multiplier = dw ? ri(1, 2) : 1;
        p.k_h = ri(1, 3); p.k_w = ri(1, 3); p.stride_h = ri(1, 2); p.stride_w = ri(1, 2);
        p.dil_h = ri(1, 2); p.dil_w = ri(1, 2); p.pad_top = ri(0, 2); p.pad_left = ri(0, 2);
        p.out_c = dw ? p.in_c * p.depth_multiplier : ri(1, 80);
        int eh = p.in_h + 2 * p.pad_top - (p.k_h - 1) * p.dil_h - 1, ew = p.in_w + 2 * p.pad_left - (p.k_w - 1) * p.dil_w - 1;
        if (eh < 0 || ew < 0) continue;
        p.out_h = eh / p.stride_h + 1; p.out_w = ew / p.stride_w + 1;
        p.input_offset = ri(-127, 128); p.output_offset = ri(-128, 127);
        p.act_min = ri(-128, 0); p.act_max = ri(0, 127); p.requant = (it % 7 == 3) ? EDGEC_REQUANT_FLOAT : EDGEC_REQUANT_FIXED;
        int nin = p.batch * p.in_h * p.in_w * p.in_c;
        for (int i = 0; i < nin; ++i) in[i] = (int8_t)rnd();
        for (int i = 0; i < (int)sizeof w; ++i) w[i] = (int8_t)rnd();
        for (int i = 0; i < p.out_c; ++i) {
            bias[i] = ri(-20000, 20000); mul[i] = (int32_t)((rnd() >> 1) | (1u << 30)); sh[i] = ri(-12, 1);
            if (p.requant) { union { float f; int32_t b; } u; u.f = (float)ri(1, 1000) / 100000.0f; mul[i] = u.b; }
        }
        const int32_t *bb = (it % 5 == 4) ? 0 : bias;
        int nout = p.batch * p.out_h * p.out_w * p.out_c;
        if (fc) {
            edgec_fully_connected_s8_params q;
            q.batches = ri(1, 3); q.depth = ri(1, 300); q.units = ri(1, 13); q.input_offset = ri(-127, 128);
            q.filter_offset = (it % 6 == 5) ? ri(-5, 5) : 0; q.output_offset = ri(-128, 127); q.multiplier = mul[0];
            q.shift = ri(-12, 1); q.act_min = -128; q.act_max = 127; q.single_rounding = it & 1;
            for (int i = 0; i < q.batches * q.depth; ++i) in[i] = (int8_t)rnd();
            ref_fc(in, w, bb, o1, &q); edgec_fully_connected_s8(in, w, bb, o2, &q);
            nout = q.batches * q.units;
        } else if (dw) {
            ref_dw(in, w, bb, mul, sh, o1, &p); edgec_depthwise_conv2d_s8(in, w, bb, mul, sh, o2, &p);
        } else {
            ref_conv(in, w, bb, mul, sh, o1, &p); edgec_conv2d_s8(in, w, bb, mul, sh, o2, &p);
        }
        for (int i = 0; i < nout; ++i) if (o1[i] != o2[i]) { ++bad; break; }
    }
    /* Depthwise 3x3 (the DSP kernel's fast path) and its neighbours: strides and dilations 1..3, paddings 0..3,
     * in_c % 4 != 0, wide and tall maps, every requantisation shift from -31 to 8 (the fast path takes -22..7),
     * biases near its bound, clamped and full activation ranges, the float mode and depth multiplier 2. */
    for (int it = 0; it < 400; ++it) {
        edgec_conv2d_s8_params p;
        p.batch = ri(1, 2); p.in_h = ri(1, 24); p.in_w = (it % 5 == 0) ? ri(60, 100) : ri(1, 30);
        p.in_c = (it % 4 == 3) ? ri(1, 20) : 4 * ri(1, 5);
        p.depth_multiplier = (it % 17 == 16) ? 2 : 1;
        if (p.in_c * p.depth_multiplier > 20) p.in_c = 20 / p.depth_multiplier;
        p.k_h = (it % 13 == 12) ? ri(1, 4) : 3; p.k_w = (it % 11 == 10) ? ri(1, 4) : 3;
        p.stride_h = (it % 3 == 2) ? ri(1, 3) : 1; p.stride_w = (it % 3 == 2) ? ri(1, 3) : ri(1, 2);
        p.dil_h = (it % 7 == 6) ? ri(1, 3) : 1; p.dil_w = (it % 7 == 5) ? ri(1, 3) : 1;
        p.pad_top = ri(0, 3); p.pad_left = ri(0, 3);
        p.out_c = p.in_c * p.depth_multiplier;
        int eh = p.in_h + 2 * p.pad_top - (p.k_h - 1) * p.dil_h - 1, ew = p.in_w + 2 * p.pad_left - (p.k_w - 1) * p.dil_w - 1;
        if (eh < 0 || ew < 0) continue;
        p.out_h = eh / p.stride_h + 1; p.out_w = ew / p.stride_w + 1;
        if (it % 6 == 1 && p.out_h > 1) p.out_h -= 1; /* VALID-like: the last rows' taps need no bottom padding */
        bad += dw_general_differs(&p, it);
    }
    /* Depthwise 3x3, stride 1 and (a third) 2 (the DSP kernel's 2 x 2 path over int16 planes): tall maps up to 70
     * rows, so that every plane layout (one to four planes a line) takes several row pieces, odd and even row
     * counts, widths 4..60 (at stride 2 those past 12 outputs take the four-channel path), paddings 0..2, biases
     * near the bound, both activation ranges. Its own random stream: the cases after it stay the ones they were. */
    const uint32_t s_after = s;
    s = 0x2545F491u;
    for (int it = 0; it < 60; ++it) {
        edgec_conv2d_s8_params p;
        p.batch = (it % 7 == 3) ? 2 : 1; p.in_h = ri(2, 70); p.in_w = (it % 4 == 0) ? ri(30, 60) : ri(4, 14);
        p.in_c = (it % 5 == 2) ? ri(1, 12) : 4 * ri(1, 3);
        if (p.in_h * p.in_w * p.in_c > 24 * 100 * 20) p.in_h = 24 * 100 * 20 / (p.in_w * p.in_c);
        p.depth_multiplier = 1; p.out_c = p.in_c; p.k_h = p.k_w = 3;
        p.stride_h = p.stride_w = (it % 3 == 1) ? 2 : 1; p.dil_h = p.dil_w = 1;
        p.pad_top = ri(0, 2); p.pad_left = ri(0, 2);
        int eh = p.in_h + 2 * p.pad_top - 3, ew = p.in_w + 2 * p.pad_left - 3;
        if (eh < 0 || ew < 0) continue;
        p.out_h = eh / p.stride_h + 1; p.out_w = ew / p.stride_w + 1;
        if (it % 6 == 1 && p.out_h > 1) p.out_h -= 1;
        p.input_offset = ri(-127, 128); p.output_offset = ri(-128, 127);
        if (it % 2) { p.act_min = -128; p.act_max = 127; } else { p.act_min = ri(-128, 0); p.act_max = ri(0, 127); }
        bad += dw_3x3_differs(&p, 0, it % 10 == 3, it % 8 == 7);
    }
    /* Odd output widths on the 2 x 2 path (each row of groups ends with a half group): widths 3..15, 49..53 (a
     * 48-column piece, then 3 or 5: no single column is left), KWS's 25 x 5 with 64 channels, paddings 0..2, odd
     * and even row counts, in_c % 4 != 0, biases near the bound, both activation ranges. Its own random stream
     * too. */
    s = 0x9E3779B9u;
    for (int it = 0; it < 40; ++it) {
        edgec_conv2d_s8_params p;
        p.batch = (it % 9 == 4) ? 2 : 1; p.in_h = ri(2, 40);
        p.pad_top = ri(0, 2); p.pad_left = ri(0, 2);
        const int ow = (it % 5 == 0) ? 49 + 2 * ri(0, 2) : 3 + 2 * ri(0, 6); /* odd */
        p.in_w = ow + 2 - 2 * p.pad_left;
        if (p.in_w < 1) { p.pad_left = 1; p.in_w = ow; }
        p.in_c = (it % 4 == 2) ? ri(1, 12) : 4 * ri(1, 3);
        if (it == 1) { p.in_h = 25; p.in_w = 5; p.in_c = 64; p.pad_top = p.pad_left = 1; p.batch = 1; }
        if (p.in_h * p.in_w * p.in_c > 24 * 100 * 20) p.in_h = 24 * 100 * 20 / (p.in_w * p.in_c);
        p.depth_multiplier = 1; p.out_c = p.in_c; p.k_h = p.k_w = 3;
        p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1;
        int eh = p.in_h + 2 * p.pad_top - 3, ew = p.in_w + 2 * p.pad_left - 3;
        if (eh < 0 || ew < 0) continue;
        p.out_h = eh + 1; p.out_w = ew + 1;
        if (it % 6 == 1 && p.out_h > 1) p.out_h -= 1;
        p.input_offset = ri(-127, 128); p.output_offset = ri(-128, 127);
        if (it % 2) { p.act_min = -128; p.act_max = 127; } else { p.act_min = ri(-128, 0); p.act_max = ri(0, 127); }
        bad += dw_3x3_differs(&p, 0, it % 10 == 3, it % 8 == 7);
    }
    /* Maps padded at the edges only that the DSP kernel's taps-inside kernels take (VWW's last seven depthwise
     * layers): 3 x 3 at stride 1 with padding 1, 6 x 6 at stride 2 with padding after it (TFLite's SAME; a 3 x 3
     * output) and 6 x 6 at stride 1 with padding 1 (the full range only); channels 4..64 and in_c % 4 != 0, batch 2,
     * input offsets at both ends (x + offset spans -255..255), extreme taps, biases near the bound, both activation
     * ranges; some of them one padding off (the 2 x 2 path). Its own random stream too. */
    s = 0x3C6EF372u;
    for (int it = 0; it < 42; ++it) {
        edgec_conv2d_s8_params p;
        const int kind = it % 3; /* 0: 3 x 3, 1: 6 x 6 at stride 2, 2: 6 x 6 */
        p.batch = (it % 5 == 2) ? 2 : 1; p.in_h = p.in_w = kind ? 6 : 3; p.pad_top = p.pad_left = kind == 1 ? 0 : 1;
        p.in_c = (it % 7 == 5) ? ri(1, 12) : 4 * ri(1, 16);
        p.depth_multiplier = 1; p.out_c = p.in_c; p.k_h = p.k_w = 3;
        p.stride_h = p.stride_w = kind == 1 ? 2 : 1; p.dil_h = p.dil_w = 1;
        p.out_h = p.out_w = kind == 2 ? 6 : 3;
        if (it % 8 == 3) p.out_w -= 1; /* neighbours that are none of those */
        if (it % 8 == 7) { if (kind == 1) p.pad_left = 1; else { p.in_w += 1; p.out_w += 1; } }
        p.input_offset = (it % 4 == 0) ? ((it & 8) ? 128 : -127) : ri(-127, 128);
        p.output_offset = ri(-128, 127);
        if (it % 6 < 4) { p.act_min = -128; p.act_max = 127; } else { p.act_min = ri(-128, 0); p.act_max = ri(0, 127); }
        bad += dw_3x3_differs(&p, it % 7 == 2, it % 4 == 1, it % 8 == 6);
    }
    s = s_after;
    /* Depthwise k x k other than 3x3 (the DSP kernel's band path: MCUNet's 5x5 and 7x7; other k up to 7, non-square):
     * strides 1..3, paddings up to k, maps wider than one band piece, in_c % 4 != 0, dilation 2 (the general path),
     * shifts and biases at and past the fast path's bounds, INT32_MIN multipliers, clamped and full ranges. */
    for (int it = 0; it < 160; ++it) {
        edgec_conv2d_s8_params p;
        const int big = it % 3 != 2;
        p.batch = (it % 9 == 4) ? 2 : 1;
        p.k_h = big ? ((it & 1) ? 7 : 5) : ri(1, 7); p.k_w = big ? p.k_h : ri(1, 7);
        p.in_h = ri(1, 14); p.in_w = (it % 5 == 0) ? ri(40, 70) : ri(1, 24);
        p.in_c = (it % 4 == 3) ? ri(1, 20) : 4 * ri(1, 5);
        p.depth_multiplier = 1; p.out_c = p.in_c;
        p.stride_h = ri(1, 2); p.stride_w = (it % 7 == 3) ? 3 : ri(1, 2);
        p.dil_h = (it % 11 == 10) ? 2 : 1; p.dil_w = (it % 13 == 12) ? 2 : 1;
        p.pad_top = ri(0, p.k_h); p.pad_left = ri(0, p.k_w);
        int eh = p.in_h + 2 * p.pad_top - (p.k_h - 1) * p.dil_h - 1, ew = p.in_w + 2 * p.pad_left - (p.k_w - 1) * p.dil_w - 1;
        if (eh < 0 || ew < 0) continue;
        p.out_h = eh / p.stride_h + 1; p.out_w = ew / p.stride_w + 1;
        if (it % 6 == 1 && p.out_h > 1) p.out_h -= 1;
        bad += dw_general_differs(&p, it);
    }
    /* Add (TFLite's int8 ADD and its kin): the table path and, with DSP, the three-instruction requantisation of
     * contiguous rows with a ReLU or no activation; broadcasting, small tensors (no tables), no scratch, output
     * shifts outside the fast range, sums near its 2^29 bound, the other kinds. */
    for (int it = 0; it < 120; ++it) {
        edgec_add_s8_params q;
        memset(&q, 0, sizeof q);
        const int rows = ri(1, 40), cols = (it % 4 == 0) ? ri(1, 12) : ri(16, 200);
        for (int d = 0; d < EDGEC_MAX_RANK; ++d) q.shape.out_shape[d] = 1;
        q.shape.out_shape[EDGEC_MAX_RANK - 2] = rows; q.shape.out_shape[EDGEC_MAX_RANK - 1] = cols;
        q.shape.a_strides[EDGEC_MAX_RANK - 2] = cols; q.shape.a_strides[EDGEC_MAX_RANK - 1] = 1;
        const int bcast = ri(0, 5);
        q.shape.b_strides[EDGEC_MAX_RANK - 2] = bcast == 0 ? 0 : cols; q.shape.b_strides[EDGEC_MAX_RANK - 1] = bcast == 1 ? 0 : 1;
        q.input1_offset = ri(-127, 128); q.input2_offset = ri(-127, 128); q.output_offset = ri(-128, 127);
        q.left_shift = 20; /* shift 0 and a multiplier near 2^31: sums near 2^29 */
        q.input1_multiplier = (int32_t)((rnd() >> 1) | (1u << 30)); q.input1_shift = ri(-4, 0);
        q.input2_multiplier = (int32_t)((rnd() >> 1) | (1u << 30)); q.input2_shift = ri(-4, 0);
        q.output_multiplier = (int32_t)((rnd() >> 1) | (1u << 30));
        q.output_shift = (it % 7 == 6) ? ri(-31, 1) : ri(-22, -16);
        if (it % 3 == 1) { /* small sums and shifts: every rounding shows in the output */
            q.input1_shift = ri(-16, -10); q.input2_shift = ri(-16, -10); q.output_shift = ri(-8, -1);
        }
        const int act = ri(0, 3);
        q.act_min = act == 0 ? -128 : act == 1 ? q.output_offset : ri(-128, 0);
        q.act_max = act == 3 ? ri(0, 126) : 127;
        q.kind = (it % 11 == 10) ? ri(1, 8) : EDGEC_ADD_S8_ADD;
        const int n = rows * cols;
        for (int i = 0; i < n; ++i) { din[i] = (int8_t)rnd(); din[n + i] = (int8_t)rnd(); }
        int32_t *scratch = (it % 13 == 5) ? 0 : add_scratch;
        ref_add(din, din + n, dout1, &q, 0);
        edgec_add_s8(din, din + n, dout2, &q, scratch);
        for (int i = 0; i < n; ++i) if (dout1[i] != dout2[i]) { ++bad; break; }
    }
    /* SVDF (int8 and int16 state) and LSTM (both time layouts): odd inputs, units, ranks and memories (the four-row
     * feature blocks' tails, the time products' tails), input and state zero points, no bias, three runs in a row
     * from a random state: every output and the state after every run must be the reference's. Own stream. */
    s = 0x6C8E9CF5u;
    for (int it = 0; it < 160; ++it) {
        const int svdf = it % 2 == 0, runs = 3;
        int n_out = 0, n_state = 0, ok = 1;
        edgec_svdf_s8_params sp;
        edgec_lstm_s8_params lp;
        if (svdf) {
            const int s16 = it % 4 == 0;
            sp.batch = ri(1, 3); sp.input = (it % 8 == 2) ? ri(40, 70) : ri(1, 21); sp.units = ri(1, 12);
            sp.rank = ri(1, 3); sp.memory = ri(1, 13);
            sp.input_zero_point = ri(-128, 127); sp.output_zero_point = ri(-128, 127);
            sp.state_zero_point = s16 ? ((it % 12 == 4) ? ri(-300, 300) : 0) : ri(-30, 30);
            sp.multiplier_1 = rmul(); sp.shift_1 = s16 ? ri(-8, 0) : ri(-14, -4);
            sp.multiplier_2 = rmul(); sp.shift_2 = ri(-16, -2);
            const int filters = sp.units * sp.rank;
            n_state = sp.batch * filters * sp.memory; n_out = sp.batch * sp.units;
            for (int i = 0; i < filters * sp.input; ++i) w[i] = (int8_t)rnd();
            for (int i = 0; i < filters * sp.memory; ++i) { rwt16[i] = (int16_t)ri(-1024, 1024); rwt8[i] = (int8_t)rnd(); }
            for (int i = 0; i < sp.units; ++i) bias[i] = ri(-40000, 40000);
            const int32_t *bb = (it % 10 == 6) ? 0 : bias;
            for (int i = 0; i < n_state; ++i) {
                rstate[0][i] = rstate[1][i] = (int16_t)ri(-3000, 3000);
                rstate8[0][i] = rstate8[1][i] = (int8_t)rnd();
            }
            for (int r = 0; r < runs && ok; ++r) {
                for (int i = 0; i < sp.batch * sp.input; ++i) in[i] = (int8_t)rnd();
                if (s16) {
                    ref_svdf_s16(in, w, rwt16, bb, rstate[0], rout[0], &sp);
                    edgec_svdf_s8_s16(in, w, rwt16, bb, rstate[1], rout[1], &sp);
                } else {
                    ref_svdf(in, w, rwt8, bb, rstate8[0], rout[0], &sp);
                    edgec_svdf_s8(in, w, rwt8, bb, rstate8[1], rout[1], &sp);
                }
                ok = same(rout[0], rout[1], (size_t)n_out) && (s16 ? same(rstate[0], rstate[1], (size_t)n_state * 2)
                                                                        : same(rstate8[0], rstate8[1], (size_t)n_state));
            }
        } else {
            lp.batch = ri(1, 2); lp.seq = ri(1, 6); lp.input = (it % 8 == 3) ? ri(24, 40) : ri(1, 21);
            lp.units = ri(1, 21); lp.time_major = it % 4 == 1;
            lp.input_offset = ri(-127, 128); lp.hidden_offset = ri(-127, 128); lp.hidden_zero_point = ri(-128, 127);
            for (int g = 0; g < 4; ++g) {
                lp.input_multiplier[g] = rmul(); lp.input_shift[g] = ri(-9, -3);
                lp.recurrent_multiplier[g] = rmul(); lp.recurrent_shift[g] = ri(-9, -3);
            }
            if (it % 10 == 7) lp.recurrent_multiplier[ri(0, 3)] = INT32_MIN; /* the one saturating SRDHM */
            lp.forget_multiplier = rmul(); lp.forget_shift = ri(-16, -14);
            lp.input_gate_multiplier = rmul(); lp.input_gate_shift = ri(-19, -14);
            lp.output_multiplier = rmul(); lp.output_shift = ri(-24, -20);
            if (ri(0, 1)) { lp.cell_tanh_multiplier = 3 << ri(0, 2); lp.cell_tanh_shift = 0; }
            else { lp.cell_tanh_multiplier = 3; lp.cell_tanh_shift = ri(1, 4); }
            lp.clip = it % 6 == 5; lp.cell_clip = ri(500, 32767);
            const int u = lp.units;
            for (int i = 0; i < 4 * u * lp.input; ++i) w[i] = (int8_t)rnd();
            int8_t *rw = w + 4 * u * lp.input;
            for (int i = 0; i < 4 * u * u; ++i) rw[i] = (int8_t)rnd();
            for (int i = 0; i < 4 * u; ++i) bias[i] = ri(-30000, 30000);
            for (int i = 0; i < lp.batch * u; ++i) {
                rhidden[0][i] = rhidden[1][i] = (int8_t)rnd();
                rcell[0][i] = rcell[1][i] = (int16_t)ri(-20000, 20000);
            }
            n_out = lp.batch * lp.seq * u;
            for (int r = 0; r < runs && ok; ++r) {
                for (int i = 0; i < lp.batch * lp.seq * lp.input; ++i) in[i] = (int8_t)rnd();
                ref_lstm(in, w, rw, bias, rhidden[0], rcell[0], rout[0], rscratch, &lp);
                edgec_lstm_s8(in, w, rw, bias, rhidden[1], rcell[1], rout[1], rscratch, &lp);
                ok = same(rout[0], rout[1], (size_t)n_out) &&
                       same(rhidden[0], rhidden[1], (size_t)(lp.batch * u)) &&
                       same(rcell[0], rcell[1], (size_t)(lp.batch * u) * 2);
            }
        }
        bad += !ok;
    }
    return bad < 255 ? bad : 255;
}
