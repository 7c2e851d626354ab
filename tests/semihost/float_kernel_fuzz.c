/* Float kernel fuzz firmware (tests/test_kernels_float.py): random shapes, strides, paddings, dilations, groups,
 * depth multipliers and activations; the Cortex-M float kernels (runtimes/cortex-m/: conv2d NHWC, depthwise, the
 * hybrid conv and its run-time quantization, the matmul, pooling, mean, transpose) against the reference kernels
 * (renamed ref_*). Float outputs must agree within 1e-4 (relative to the sum of |products|, so summation order
 * and fused multiply-adds are allowed for); the hybrid conv, quantization, pooling, mean and transpose bit for bit.
 * Exit code: the number of cases that differ (at most 255). With -DEDGEC_FUZZ_HOST it is an ordinary host
 * program (for the sanitizers). */
#include <stdint.h>
#include <string.h>
#include "edgec_conv2d_hybrid.h"
#include "edgec_conv2d_nhwc_f32.h"
#include "edgec_depthwise_conv2d_f32.h"
#include "edgec_hybrid_quantize.h"
#include "edgec_matmul_f32.h"
#include "edgec_pool2d_f32.h"
#include "edgec_transpose_f32.h"
#include "../kernel_fuzz_mean_axes.h"
void ref_conv(const float *, const float *, const float *, float *, const edgec_conv2d_params *);
void ref_dw(const float *, const float *, const float *, float *, const edgec_conv2d_params *);
void ref_hybrid(const float *, const int8_t *, const float *, const int32_t *, const float *, float *, int8_t *,
                const edgec_conv2d_hybrid_params *);
float ref_qsym(const float *, int32_t, int8_t *);
float ref_qasym(const float *, int32_t, int8_t *, int32_t *);
void ref_max_pool(const float *, float *, const edgec_pool2d_params *);
void ref_avg_pool(const float *, float *, const edgec_pool2d_params *);
void ref_mean(const float *, float *, const edgec_mean_params *);
void ref_transpose(const float *, float *, const edgec_transpose_params *);
void ref_matmul(const float *, const float *, const float *, float *, const edgec_matmul_params *);
#ifndef EDGEC_FUZZ_HOST
#define EDGEC_SEMIHOST_LIBC
#include "boot.h"
#endif
static uint32_t s = 2024;
static uint32_t rnd(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; }
static int32_t ri(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }
static float rf(void) { return (float)ri(-1000, 1000) / 1000.0f; }
static float fabs_(float x) { return x < 0.0f ? -x : x; }
static int same_bits(const float *a, const float *b, int32_t n) { /* memcmp, which boot.h does not provide */
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (size_t i = 0; i < (size_t)n * sizeof(float); ++i)
        if (p[i] != q[i]) return 0;
    return 1;
}

#define MAX_IN (2 * 12 * 12 * 40)
#define MAX_OUT (2 * 16 * 16 * 48)
/* w also holds a matmul's 300 x 40 weights, in its 9 x 300 input */
static float in[MAX_IN], w[5 * 5 * 40 * 24], bias[48], o1[MAX_OUT], o2[MAX_OUT], w_scale[24];
static int8_t wq[5 * 5 * 40 * 24], qin1[MAX_IN], qin2[MAX_IN];

/* Random geometry; 0 if the kernel does not fit the padded input. */
static int shape(edgec_conv2d_params *p, int32_t in_c, int32_t max_k) {
    p->batch = ri(1, 2); p->in_h = ri(1, 12); p->in_w = ri(1, 12); p->in_c = in_c;
    p->k_h = ri(1, max_k); p->k_w = ri(1, max_k); p->stride_h = ri(1, 3); p->stride_w = ri(1, 3);
    p->dil_h = ri(0, 3) == 0 ? 2 : 1; p->dil_w = ri(0, 3) == 0 ? 2 : 1;
    p->pad_top = ri(0, 2); p->pad_left = ri(0, 2);
    const int32_t eh = p->in_h + p->pad_top + ri(0, 2) - (p->k_h - 1) * p->dil_h - 1;
    const int32_t ew = p->in_w + p->pad_left + ri(0, 2) - (p->k_w - 1) * p->dil_w - 1;
    if (eh < 0 || ew < 0) return 0;
    p->out_h = eh / p->stride_h + 1; p->out_w = ew / p->stride_w + 1;
    p->act_min = -1e30f; p->act_max = 1e30f;
    if (ri(0, 2) == 0) { p->act_min = 0.0f; p->act_max = 0.6f; }
    return 1;
}

/* Within 1e-4 of the reference, relative to a bound on the sum of |products| (inputs and weights in [-1, 1]). */
static int close_(const float *a, const float *b, int32_t n, int32_t k) {
    const float tol = 1e-4f * (float)(k + 1);
    for (int32_t i = 0; i < n; ++i)
        if (!(fabs_(a[i] - b[i]) <= tol)) return 0;
    return 1;
}

/* The run-time quantization's rounding at its ties (x * 127 / range = k + 1/2, away from zero) and beside them. */
static int quantize_ties(void) {
    int bad = 0;
    int32_t n = 0;
    for (int32_t k = -127; k <= 126; ++k) {
        in[n++] = (float)k + 0.5f;
        in[n++] = (float)k + 0.49999997f;
        in[n++] = (float)k + 0.50000006f;
    }
    in[n++] = 127.0f; /* range 127: the scale is 1 */
    const float s1 = ref_qsym(in, n, qin1), s2 = edgec_quantize_symmetric_s8(in, n, qin2);
    bad += !same_bits(&s1, &s2, 1);
    for (int32_t i = 0; i < n; ++i) bad += qin1[i] != qin2[i];
    int32_t z1 = 0, z2 = 1;
    for (int32_t i = 0; i < n; ++i) in[i] = in[i] * 0.01f + 0.3f;
    const float a1 = ref_qasym(in, n, qin1, &z1), a2 = edgec_quantize_asymmetric_s8(in, n, qin2, &z2);
    bad += !same_bits(&a1, &a2, 1) + (z1 != z2);
    for (int32_t i = 0; i < n; ++i) bad += qin1[i] != qin2[i];
    return bad;
}

int main(void) {
    int bad = quantize_ties();
    for (int it = 0; it < 2100; ++it) {
        const int kind = it % 7;
        edgec_conv2d_params p;
        if (kind == 0) { /* conv2d: channel counts around the 4-channel tiles, groups 1 and 2 */
            const int32_t in_c = ri(0, 1) ? ri(1, 20) : 8 * ri(1, 5);
            if (!shape(&p, in_c, 5)) continue;
            p.groups = (in_c % 2 == 0 && ri(0, 4) == 0) ? 2 : 1;
            p.out_c = p.groups * ri(1, 12);
            const int32_t nw = p.out_c * p.k_h * p.k_w * (in_c / p.groups);
            for (int32_t i = 0; i < p.batch * p.in_h * p.in_w * in_c; ++i) in[i] = rf();
            for (int32_t i = 0; i < nw; ++i) w[i] = rf();
            for (int32_t i = 0; i < p.out_c; ++i) bias[i] = rf();
            const float *b = ri(0, 4) == 0 ? 0 : bias;
            const int32_t nout = p.batch * p.out_h * p.out_w * p.out_c;
            ref_conv(in, w, b, o1, &p);
            edgec_conv2d_nhwc_f32(in, w, b, o2, &p);
            bad += !close_(o1, o2, nout, p.k_h * p.k_w * in_c);
        } else if (kind == 1) { /* depthwise: 8-channel blocks and remainders, depth multiplier 1 and 2 */
            const int32_t c = ri(0, 1) ? ri(1, 24) : 8 * ri(1, 3);
            if (!shape(&p, c, 5)) continue;
            const int32_t mult = ri(0, 4) == 0 ? 2 : 1;
            p.out_c = c * mult; p.groups = c;
            for (int32_t i = 0; i < p.batch * p.in_h * p.in_w * c; ++i) in[i] = rf();
            for (int32_t i = 0; i < p.k_h * p.k_w * p.out_c; ++i) w[i] = rf();
            for (int32_t i = 0; i < p.out_c; ++i) bias[i] = rf();
            const float *b = ri(0, 4) == 0 ? 0 : bias;
            const int32_t nout = p.batch * p.out_h * p.out_w * p.out_c;
            ref_dw(in, w, b, o1, &p);
            edgec_depthwise_conv2d_f32(in, w, b, o2, &p);
            bad += !close_(o1, o2, nout, p.k_h * p.k_w);
        } else if (kind == 6) { /* transpose: a random permutation of a 4-D tensor (rank 3 and 2 as leading 1s) */
            int32_t shp[4] = {ri(1, 3), ri(1, 6), ri(1, 12), ri(1, 6)}, st[4] = {0, 0, 0, 1}, perm[4] = {0, 1, 2, 3};
            for (int32_t d = 2; d >= 0; --d) st[d] = st[d + 1] * shp[d + 1];
            for (int32_t d = 3; d > 0; --d) { const int32_t e = ri(0, d), t = perm[d]; perm[d] = perm[e]; perm[e] = t; }
            edgec_transpose_params t;
            for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) { t.out_shape[d] = 1; t.in_strides[d] = 0; }
            for (int32_t d = 0; d < 4; ++d) {
                t.out_shape[EDGEC_MAX_RANK - 4 + d] = shp[perm[d]];
                t.in_strides[EDGEC_MAX_RANK - 4 + d] = st[perm[d]];
            }
            for (int32_t i = 0; i < shp[0] * st[0]; ++i) in[i] = rf();
            ref_transpose(in, o1, &t);
            edgec_transpose_f32(in, o2, &t);
            bad += !same_bits(o1, o2, shp[0] * st[0]);
        } else if (kind == 5) { /* mean over a random set of a 4-D tensor's axes (kept innermost dims short and long) */
            int32_t shp[4] = {ri(1, 2), ri(1, 5), ri(1, 5), ri(0, 1) ? ri(1, 6) : ri(8, 40)}, st[4] = {0, 0, 0, 1};
            for (int32_t d = 2; d >= 0; --d) st[d] = st[d + 1] * shp[d + 1];
            const int32_t mask = ri(1, 15);
            edgec_mean_params m;
            const int32_t nout = mean_over_axes(&m, 4, shp, st, (uint32_t)mask);
            for (int32_t i = 0; i < shp[0] * st[0]; ++i) in[i] = rf();
            ref_mean(in, o1, &m);
            edgec_mean_f32(in, o2, &m);
            bad += !same_bits(o1, o2, nout);
        } else if (kind == 4) { /* max and average pooling, both layouts, padding and ceil mode, bit for bit */
            edgec_pool2d_params q;
            q.batch = ri(1, 2); q.channels = ri(1, 20); q.in_h = ri(1, 12); q.in_w = ri(1, 12);
            q.k_h = ri(1, 5); q.k_w = ri(1, 5); q.stride_h = ri(1, 3); q.stride_w = ri(1, 3);
            q.dil_h = ri(0, 3) == 0 ? 2 : 1; q.dil_w = ri(0, 3) == 0 ? 2 : 1;
            q.pad_top = ri(0, 2); q.pad_left = ri(0, 2); q.pad_bottom = ri(0, 2); q.pad_right = ri(0, 2);
            q.channels_last = ri(0, 3) != 0; q.count_include_pad = ri(0, 1);
            const int32_t eh = q.in_h + q.pad_top + q.pad_bottom - (q.k_h - 1) * q.dil_h - 1;
            const int32_t ew = q.in_w + q.pad_left + q.pad_right - (q.k_w - 1) * q.dil_w - 1;
            if (eh < 0 || ew < 0) continue;
            q.out_h = eh / q.stride_h + 1 + ri(0, 1); q.out_w = ew / q.stride_w + 1; /* sometimes one more row */
            q.act_min = -1e30f; q.act_max = 1e30f;
            if (ri(0, 2) == 0) { q.act_min = 0.0f; q.act_max = 0.6f; }
            for (int32_t i = 0; i < q.batch * q.in_h * q.in_w * q.channels; ++i) in[i] = rf();
            const int32_t nout = q.batch * q.out_h * q.out_w * q.channels;
            if (ri(0, 1)) { ref_max_pool(in, o1, &q); edgec_max_pool2d_f32(in, o2, &q); }
            else { ref_avg_pool(in, o1, &q); edgec_avg_pool2d_f32(in, o2, &q); }
            bad += !same_bits(o1, o2, nout);
        } else if (kind == 3) { /* matmul / fully connected: one row (16- and 8-column blocks), odd k, a few rows
                                 * (4 and more: the 4 x 4 tiles) */
            edgec_matmul_params m;
            for (int32_t d = 0; d < EDGEC_MAX_RANK; ++d) {
                m.batch_shape[d] = 1; m.a_strides[d] = 0; m.b_strides[d] = 0;
            }
            m.m = ri(0, 3) ? 1 : ri(2, 9); m.k = ri(1, 300); m.n = ri(1, 40);
            m.act_min = -1e30f; m.act_max = 1e30f;
            if (ri(0, 2) == 0) { m.act_min = 0.0f; m.act_max = 0.6f; }
            for (int32_t i = 0; i < m.m * m.k; ++i) in[i] = rf();
            for (int32_t i = 0; i < m.k * m.n; ++i) w[i] = rf();
            for (int32_t i = 0; i < m.n; ++i) bias[i] = rf();
            const float *b = ri(0, 4) == 0 ? 0 : bias;
            ref_matmul(in, w, b, o1, &m);
            edgec_matmul_f32(in, w, b, o2, &m);
            bad += !close_(o1, o2, m.m * m.n, m.k);
        } else { /* hybrid: LiteRT's two modes, groups 1, bit for bit */
            if (!shape(&p, ri(0, 1) ? ri(1, 40) : 4 * ri(1, 10), 4)) continue;
            edgec_conv2d_hybrid_params h;
            h.batch = p.batch; h.in_h = p.in_h; h.in_w = p.in_w; h.in_c = p.in_c;
            h.out_h = p.out_h; h.out_w = p.out_w; h.out_c = ri(1, 24);
            h.k_h = p.k_h; h.k_w = p.k_w; h.stride_h = p.stride_h; h.stride_w = p.stride_w;
            h.pad_top = p.pad_top; h.pad_left = p.pad_left; h.dil_h = p.dil_h; h.dil_w = p.dil_w; h.groups = 1;
            h.quant = ri(0, 1) ? EDGEC_HYBRID_TFLITE_ASYMMETRIC : EDGEC_HYBRID_TFLITE_SYMMETRIC;
            h.scale_per_channel = 0; h.nchw = 0; h.act_min = p.act_min; h.act_max = p.act_max;
            const int32_t nw = h.out_c * h.k_h * h.k_w * h.in_c;
            for (int32_t i = 0; i < h.batch * h.in_h * h.in_w * h.in_c; ++i) in[i] = rf() * 3.0f;
            for (int32_t i = 0; i < nw; ++i) wq[i] = (int8_t)ri(-127, 127);
            for (int32_t i = 0; i < h.out_c; ++i) { bias[i] = rf(); w_scale[i] = (float)ri(1, 1000) / 50000.0f; }
            const int32_t nout = h.batch * h.out_h * h.out_w * h.out_c;
            ref_hybrid(in, wq, w_scale, 0, bias, o1, qin1, &h);
            edgec_conv2d_hybrid(in, wq, w_scale, 0, bias, o2, qin2, &h);
            bad += !same_bits(o1, o2, nout);
            for (int32_t i = 0; i < h.in_h * h.in_w * h.in_c; ++i) bad += qin1[i] != qin2[i];
        }
    }
    return bad < 255 ? bad : 255;
}
