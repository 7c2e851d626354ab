/* Arm NEON: 2-D convolution, NHWC, register-blocked: 4 output pixels x 4 output channels per tile, 16 vector
 * accumulators over 4 input channels at a time (FMLA), so each loaded input and weight vector feeds four
 * multiply-adds. Border pixels (taps outside the input) go one pixel, four channels at a time; channel
 * remainders and grouped convolutions take the scalar per-pixel path.
 * Same signature and results as runtimes/reference/edgec_conv2d_nhwc_f32.c, up to float summation order. */
#include "edgec_conv2d_nhwc_f32_frame.h"
#include "edgec_neon.h"

/* One output pixel (groups = 1), four output channels per pass: the taps inside the input, four input channels
 * per FMLA; the channel remainder goes to edgec_conv2d_f32_pixel. Border pixels and pixel remainders. */
static void conv_pixel4(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                        const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                        const edgec_conv2d_params *p, int32_t n, int32_t oy, int32_t ox) {
    const int32_t C = p->in_c;
    const size_t K = (size_t)p->k_h * p->k_w * C;
    float *out_px = output + (((size_t)n * p->out_h + oy) * p->out_w + ox) * p->out_c;
    const float32x4_t z = vdupq_n_f32(0.0f), lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
    int32_t oc = 0;
    for (; oc + 4 <= p->out_c; oc += 4) {
        float32x4_t a0 = z, a1 = z, a2 = z, a3 = z;
        float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (int32_t kx = 0; kx < p->k_w; ++kx) {
                const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
                if (ix < 0 || ix >= p->in_w) continue;
                const float *x = input + (((size_t)n * p->in_h + iy) * p->in_w + ix) * C;
                const float *w0 = weights + (size_t)oc * K + ((size_t)ky * p->k_w + kx) * C;
                const float *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
                int32_t ic = 0;
                for (; ic + 4 <= C; ic += 4) {
                    const float32x4_t v = vld1q_f32(x + ic);
                    a0 = edgec_neon_fma_f32(a0, v, vld1q_f32(w0 + ic)); a1 = edgec_neon_fma_f32(a1, v, vld1q_f32(w1 + ic));
                    a2 = edgec_neon_fma_f32(a2, v, vld1q_f32(w2 + ic)); a3 = edgec_neon_fma_f32(a3, v, vld1q_f32(w3 + ic));
                }
                for (; ic < C; ++ic) {
                    t[0] = EDGEC_FMA(t[0], x[ic], w0[ic]); t[1] = EDGEC_FMA(t[1], x[ic], w1[ic]);
                    t[2] = EDGEC_FMA(t[2], x[ic], w2[ic]); t[3] = EDGEC_FMA(t[3], x[ic], w3[ic]);
                }
            }
        }
        float32x4_t s = vaddq_f32(edgec_neon_hsum4_f32(a0, a1, a2, a3), vld1q_f32(t));
        if (bias) s = vaddq_f32(s, vld1q_f32(bias + oc));
        vst1q_f32(out_px + oc, vminq_f32(vmaxq_f32(s, lo), hi));
    }
    if (oc < p->out_c) edgec_conv2d_f32_pixel(input, weights, bias, output, p, n, oy, ox, oc);
}

/* Four output pixels whose taps are all inside the input (edgec_conv2d_f32_tile4_fn). */
static void conv_tile4(const float *in0, const float *in1, const float *in2, const float *in3,
                       float *out0, float *out1, float *out2, float *out3,
                       const float *EDGEC_RESTRICT weights, const float *EDGEC_RESTRICT bias,
                       const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, K = p->k_h * p->k_w * C;
    const size_t row = (size_t)p->in_w * C;
    /* without horizontal dilation a kernel row's k_w taps are one contiguous run of k_w * C floats in both the
     * input and the weights: one inner loop over it (few input channels, e.g. an RGB first layer, still vectorise) */
    const int32_t runs = p->dil_w == 1 ? 1 : p->k_w, len = p->dil_w == 1 ? p->k_w * C : C;
    int32_t oc = 0;
    for (; oc + 4 <= p->out_c; oc += 4) {
        const float *w0 = weights + (size_t)oc * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
        /* a<pixel><channel>: lane l sums the products of input channels ic = l (mod 4) */
        const float32x4_t z = vdupq_n_f32(0.0f);
        float32x4_t a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        float32x4_t a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        float t[4][4] = {{0.0f}}; /* the input channels past the last multiple of 4 */
        for (int32_t ky = 0; ky < p->k_h; ++ky) {
            for (int32_t r = 0; r < runs; ++r) {
                const size_t off = (size_t)ky * p->dil_h * row + (size_t)r * p->dil_w * C;
                const float *x0 = in0 + off, *x1 = in1 + off, *x2 = in2 + off, *x3 = in3 + off;
                int32_t ic = 0;
                for (; ic + 4 <= len; ic += 4) {
                    const float32x4_t v0 = vld1q_f32(x0 + ic), v1 = vld1q_f32(x1 + ic);
                    const float32x4_t v2 = vld1q_f32(x2 + ic), v3 = vld1q_f32(x3 + ic);
                    const float32x4_t k0 = vld1q_f32(w0 + ic), k1 = vld1q_f32(w1 + ic);
                    const float32x4_t k2 = vld1q_f32(w2 + ic), k3 = vld1q_f32(w3 + ic);
                    a00 = edgec_neon_fma_f32(a00, v0, k0); a01 = edgec_neon_fma_f32(a01, v0, k1);
                    a02 = edgec_neon_fma_f32(a02, v0, k2); a03 = edgec_neon_fma_f32(a03, v0, k3);
                    a10 = edgec_neon_fma_f32(a10, v1, k0); a11 = edgec_neon_fma_f32(a11, v1, k1);
                    a12 = edgec_neon_fma_f32(a12, v1, k2); a13 = edgec_neon_fma_f32(a13, v1, k3);
                    a20 = edgec_neon_fma_f32(a20, v2, k0); a21 = edgec_neon_fma_f32(a21, v2, k1);
                    a22 = edgec_neon_fma_f32(a22, v2, k2); a23 = edgec_neon_fma_f32(a23, v2, k3);
                    a30 = edgec_neon_fma_f32(a30, v3, k0); a31 = edgec_neon_fma_f32(a31, v3, k1);
                    a32 = edgec_neon_fma_f32(a32, v3, k2); a33 = edgec_neon_fma_f32(a33, v3, k3);
                }
                for (; ic < len; ++ic) {
                    const float v[4] = {x0[ic], x1[ic], x2[ic], x3[ic]}, k[4] = {w0[ic], w1[ic], w2[ic], w3[ic]};
                    for (int32_t i = 0; i < 4; ++i)
                        for (int32_t j = 0; j < 4; ++j) t[i][j] = EDGEC_FMA(t[i][j], v[i], k[j]);
                }
                w0 += len; w1 += len; w2 += len; w3 += len;
            }
        }
        const float32x4_t b = bias ? vld1q_f32(bias + oc) : z;
        const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
        float *const outs[4] = {out0, out1, out2, out3};
        const float32x4_t sums[4] = {edgec_neon_hsum4_f32(a00, a01, a02, a03), edgec_neon_hsum4_f32(a10, a11, a12, a13),
                                     edgec_neon_hsum4_f32(a20, a21, a22, a23), edgec_neon_hsum4_f32(a30, a31, a32, a33)};
        for (int32_t i = 0; i < 4; ++i) {
            const float32x4_t s = vaddq_f32(vaddq_f32(sums[i], vld1q_f32(t[i])), b);
            vst1q_f32(outs[i] + oc, vminq_f32(vmaxq_f32(s, lo), hi));
        }
    }
    edgec_conv2d_f32_tile4_rest(in0, in1, in2, in3, out0, out1, out2, out3, weights, bias, p, oc); /* the channel remainder */
}

void edgec_conv2d_nhwc_f32(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT weights,
                           const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                           const edgec_conv2d_params *p) {
    edgec_conv2d_f32_frame(input, weights, bias, output, p, conv_tile4, conv_pixel4, 0);
}

/* ---- Weights packed at compile time (compiler/edgec/ops/conv.py, pack_conv_f32_neon) ----------------------------
 * Output channels in blocks of 16 while 16 remain, then blocks of 4 (the last padded with zero weights); block b,
 * starting at channel oc with width W, holds K = k_h * k_w * in_c rows of W floats at packed + oc * K:
 * packed[oc * K + k * W + j] = weights[oc + j][k] (k in OHWI order). So for one k the block's W weights are one
 * contiguous load, and a tile keeps W / 4 x pixels vector accumulators, each input vector of 4 k feeding them
 * lane by lane (FMLA by element): 4 pixels x 16 channels per step, 64 FMLA for 4 input and 4 weight loads. */

#define FMA_ROW4(a, k, v, l)                                                                                        \
    do {                                                                                                            \
        (a)[0] = EDGEC_NEON_FMA_LANE_F32((a)[0], (k).val[0], (v), l);                                               \
        (a)[1] = EDGEC_NEON_FMA_LANE_F32((a)[1], (k).val[1], (v), l);                                               \
        (a)[2] = EDGEC_NEON_FMA_LANE_F32((a)[2], (k).val[2], (v), l);                                               \
        (a)[3] = EDGEC_NEON_FMA_LANE_F32((a)[3], (k).val[3], (v), l);                                               \
    } while (0)

/* The same on four named accumulators a##0..a##3 (named, not an array: GCC keeps them in registers). */
#define FMA_ACC4(a, k, v, l)                                                                                        \
    do {                                                                                                            \
        a##0 = EDGEC_NEON_FMA_LANE_F32(a##0, (k).val[0], (v), l);                                                   \
        a##1 = EDGEC_NEON_FMA_LANE_F32(a##1, (k).val[1], (v), l);                                                   \
        a##2 = EDGEC_NEON_FMA_LANE_F32(a##2, (k).val[2], (v), l);                                                   \
        a##3 = EDGEC_NEON_FMA_LANE_F32(a##3, (k).val[3], (v), l);                                                   \
    } while (0)
/* acc += k.val[j] * v[j] for j = 0..3: four consecutive k of one pixel into its 4-channel accumulator. */
#define FMA_K4(k, v, acc)                                                                                           \
    do {                                                                                                            \
        acc = EDGEC_NEON_FMA_LANE_F32(acc, (k).val[0], (v), 0); acc = EDGEC_NEON_FMA_LANE_F32(acc, (k).val[1], (v), 1); \
        acc = EDGEC_NEON_FMA_LANE_F32(acc, (k).val[2], (v), 2); acc = EDGEC_NEON_FMA_LANE_F32(acc, (k).val[3], (v), 3); \
    } while (0)
#define FMA_TILE(k, l)                                                                                              \
    do {                                                                                                            \
        FMA_ACC4(p0, k, v0, l); FMA_ACC4(p1, k, v1, l); FMA_ACC4(p2, k, v2, l); FMA_ACC4(p3, k, v3, l);             \
    } while (0)

/* Geometry of one pixel's window, shared by the tiles: `runs` runs of `len` floats per kernel row (one run of
 * k_w * in_c when there is no horizontal dilation: the row's taps are contiguous in the input and the weights). */
typedef struct {
    int32_t runs, len;
    size_t run_step, row_step; /* input floats between runs, between kernel rows */
} window_runs;

static window_runs runs_of(const edgec_conv2d_params *p) {
    window_runs r;
    r.runs = p->dil_w == 1 ? 1 : p->k_w;
    r.len = p->dil_w == 1 ? p->k_w * p->in_c : p->in_c;
    r.run_step = (size_t)p->dil_w * p->in_c;
    r.row_step = (size_t)p->dil_h * p->in_w * p->in_c;
    return r;
}

EDGEC_INLINE void store_clamped(float *out, float32x4_t v, float32x4_t lo, float32x4_t hi, int32_t n) {
    v = vminq_f32(vmaxq_f32(v, lo), hi);
    if (n == 4) {
        vst1q_f32(out, v);
    } else { /* lane by lane (a copy loop here would become a memcpy call) */
        vst1q_lane_f32(out, v, 0);
        if (n > 1) vst1q_lane_f32(out + 1, v, 1);
        if (n > 2) vst1q_lane_f32(out + 2, v, 2);
    }
}

/* A block's bias as vectors: bv[j] holds channels 4j .. 4j + 3 of the n real ones, zero past them or without bias. */
static void block_bias(const float *bias, int32_t n, int32_t width, float32x4_t bv[4]) {
    for (int32_t j = 0; j < width / 4; ++j) {
        bv[j] = vdupq_n_f32(0.0f);
        if (!bias) continue;
        if (4 * j + 4 <= n) {
            bv[j] = vld1q_f32(bias + 4 * j);
        } else {
            if (4 * j < n) bv[j] = vsetq_lane_f32(bias[4 * j], bv[j], 0);
            if (4 * j + 1 < n) bv[j] = vsetq_lane_f32(bias[4 * j + 1], bv[j], 1);
            if (4 * j + 2 < n) bv[j] = vsetq_lane_f32(bias[4 * j + 2], bv[j], 2);
        }
    }
}

/* 4 pixels (x[i]: each one's tap (0, 0), all taps inside) x 16 channels of block wb. p<pixel><vector>: the
 * 16 accumulators. */
EDGEC_INLINE void tile_4x16_body(const float *const x[4], float *const out[4], const float *wb,
                                 const float32x4_t bv[4], const window_runs *g, int32_t k_h, float32x4_t lo,
                                 float32x4_t hi) {
    const float32x4_t b0 = bv[0], b1 = bv[1], b2 = bv[2], b3 = bv[3];
    float32x4_t p00 = b0, p01 = b1, p02 = b2, p03 = b3, p10 = b0, p11 = b1, p12 = b2, p13 = b3;
    float32x4_t p20 = b0, p21 = b1, p22 = b2, p23 = b3, p30 = b0, p31 = b1, p32 = b2, p33 = b3;
    const float *w = wb;
    for (int32_t ky = 0; ky < k_h; ++ky) {
        for (int32_t r = 0; r < g->runs; ++r) {
            const size_t off = (size_t)ky * g->row_step + (size_t)r * g->run_step;
            const float *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[2] + off, *x3 = x[3] + off;
            const int32_t len = g->len;
            int32_t i = 0;
            for (; i + 4 <= len; i += 4, w += 64) {
                const float32x4_t v0 = vld1q_f32(x0 + i), v1 = vld1q_f32(x1 + i);
                const float32x4_t v2 = vld1q_f32(x2 + i), v3 = vld1q_f32(x3 + i);
                float32x4x4_t k = edgec_neon_ld4q_f32(w);
                FMA_TILE(k, 0);
                k = edgec_neon_ld4q_f32(w + 16);
                FMA_TILE(k, 1);
                k = edgec_neon_ld4q_f32(w + 32);
                FMA_TILE(k, 2);
                k = edgec_neon_ld4q_f32(w + 48);
                FMA_TILE(k, 3);
            }
            for (; i < len; ++i, w += 16) {
                const float32x4x4_t k = edgec_neon_ld4q_f32(w);
                const float32x4_t v0 = vdupq_n_f32(x0[i]), v1 = vdupq_n_f32(x1[i]);
                const float32x4_t v2 = vdupq_n_f32(x2[i]), v3 = vdupq_n_f32(x3[i]);
                FMA_TILE(k, 0);
            }
        }
    }
    float *const o0 = out[0], *const o1 = out[1], *const o2 = out[2], *const o3 = out[3];
    store_clamped(o0, p00, lo, hi, 4); store_clamped(o0 + 4, p01, lo, hi, 4);
    store_clamped(o0 + 8, p02, lo, hi, 4); store_clamped(o0 + 12, p03, lo, hi, 4);
    store_clamped(o1, p10, lo, hi, 4); store_clamped(o1 + 4, p11, lo, hi, 4);
    store_clamped(o1 + 8, p12, lo, hi, 4); store_clamped(o1 + 12, p13, lo, hi, 4);
    store_clamped(o2, p20, lo, hi, 4); store_clamped(o2 + 4, p21, lo, hi, 4);
    store_clamped(o2 + 8, p22, lo, hi, 4); store_clamped(o2 + 12, p23, lo, hi, 4);
    store_clamped(o3, p30, lo, hi, 4); store_clamped(o3 + 4, p31, lo, hi, 4);
    store_clamped(o3 + 8, p32, lo, hi, 4); store_clamped(o3 + 12, p33, lo, hi, 4);
}

static void tile_4x16(const float *const x[4], float *const out[4], const float *wb, const float32x4_t bv[4],
                      const window_runs *g, int32_t k_h, float32x4_t lo, float32x4_t hi) {
    tile_4x16_body(x, out, wb, bv, g, k_h, lo, hi);
}

/* A pointwise layer's pixels [0, pixels) (pixels >= 4) x one block of 16 channels at output channel oc: the tiles
 * in one loop, so that the tile's set-up (registers saved, the window's geometry, the bias) is paid once per block
 * and not once per tile (half the instructions of a tile when in_c is 8); the last tile overlaps the one before
 * when pixels % 4 != 0 (the same values written again). */
__attribute__((noinline)) static void pointwise_16(const float *input, float *output, const float *wb, const float32x4_t bv[4], size_t pixels,
                         int32_t C, int32_t OC, float32x4_t lo, float32x4_t hi) {
    window_runs g;
    g.runs = 1;
    g.len = C;
    g.run_step = g.row_step = 0;
    for (size_t px = 0; px < pixels; px += 4) {
        if (px + 4 > pixels) px = pixels - 4;
        const float *x0 = input + px * C;
        const float *x[4] = {x0, x0 + C, x0 + 2 * (size_t)C, x0 + 3 * (size_t)C};
        float *o0 = output + px * OC;
        float *o[4] = {o0, o0 + OC, o0 + 2 * (size_t)OC, o0 + 3 * (size_t)OC};
        tile_4x16_body(x, o, wb, bv, &g, 1, lo, hi);
    }
}

/* The same for two full blocks of 4 channels (wa, wb: channels oc .. oc + 3 and oc + 4 .. oc + 7, each [C][4]):
 * 4 pixels x 8 channels a tile, each input vector feeding both blocks (MobileNetV2's 8- and 24-channel layers). */
__attribute__((noinline)) static void pointwise_8(const float *input, float *output, const float *wa, const float *wb,
                                                  float32x4_t ba, float32x4_t bb, size_t pixels, int32_t C, int32_t OC,
                                                  float32x4_t lo, float32x4_t hi) {
    for (size_t px = 0; px < pixels; px += 4) {
        if (px + 4 > pixels) px = pixels - 4;
        const float *x0 = input + px * C, *x1 = x0 + C, *x2 = x1 + C, *x3 = x2 + C;
        float32x4_t a0 = ba, a1 = ba, a2 = ba, a3 = ba, b0 = bb, b1 = bb, b2 = bb, b3 = bb;
        const float *ka = wa, *kb = wb;
        int32_t i = 0;
        for (; i + 4 <= C; i += 4, ka += 16, kb += 16) {
            const float32x4_t v0 = vld1q_f32(x0 + i), v1 = vld1q_f32(x1 + i);
            const float32x4_t v2 = vld1q_f32(x2 + i), v3 = vld1q_f32(x3 + i);
            const float32x4x4_t k = edgec_neon_ld4q_f32(ka), l = edgec_neon_ld4q_f32(kb);
            FMA_K4(k, v0, a0); FMA_K4(k, v1, a1); FMA_K4(k, v2, a2); FMA_K4(k, v3, a3);
            FMA_K4(l, v0, b0); FMA_K4(l, v1, b1); FMA_K4(l, v2, b2); FMA_K4(l, v3, b3);
        }
        for (; i < C; ++i, ka += 4, kb += 4) {
            const float32x4_t k = vld1q_f32(ka), l = vld1q_f32(kb);
            const float32x4_t v0 = vdupq_n_f32(x0[i]), v1 = vdupq_n_f32(x1[i]);
            const float32x4_t v2 = vdupq_n_f32(x2[i]), v3 = vdupq_n_f32(x3[i]);
            a0 = edgec_neon_fma_f32(a0, k, v0); a1 = edgec_neon_fma_f32(a1, k, v1);
            a2 = edgec_neon_fma_f32(a2, k, v2); a3 = edgec_neon_fma_f32(a3, k, v3);
            b0 = edgec_neon_fma_f32(b0, l, v0); b1 = edgec_neon_fma_f32(b1, l, v1);
            b2 = edgec_neon_fma_f32(b2, l, v2); b3 = edgec_neon_fma_f32(b3, l, v3);
        }
        float *o = output + px * OC;
        store_clamped(o, a0, lo, hi, 4); store_clamped(o + 4, b0, lo, hi, 4); o += OC;
        store_clamped(o, a1, lo, hi, 4); store_clamped(o + 4, b1, lo, hi, 4); o += OC;
        store_clamped(o, a2, lo, hi, 4); store_clamped(o + 4, b2, lo, hi, 4); o += OC;
        store_clamped(o, a3, lo, hi, 4); store_clamped(o + 4, b3, lo, hi, 4);
    }
}

/* 4 pixels x one block of 4 channels (n of them real). */
static void tile_4x4(const float *const x[4], float *const out[4], const float *wb, float32x4_t b, int32_t n,
                     const window_runs *g, int32_t k_h, float32x4_t lo, float32x4_t hi) {
    float32x4_t q0 = b, q1 = b, q2 = b, q3 = b; /* one accumulator per pixel */
    const float *w = wb;
    for (int32_t ky = 0; ky < k_h; ++ky) {
        for (int32_t r = 0; r < g->runs; ++r) {
            const size_t off = (size_t)ky * g->row_step + (size_t)r * g->run_step;
            const float *x0 = x[0] + off, *x1 = x[1] + off, *x2 = x[2] + off, *x3 = x[3] + off;
            const int32_t len = g->len;
            int32_t i = 0;
            for (; i + 4 <= len; i += 4, w += 16) {
                const float32x4x4_t k = edgec_neon_ld4q_f32(w); /* k = i .. i + 3, 4 channels each */
                const float32x4_t v0 = vld1q_f32(x0 + i), v1 = vld1q_f32(x1 + i);
                const float32x4_t v2 = vld1q_f32(x2 + i), v3 = vld1q_f32(x3 + i);
                FMA_K4(k, v0, q0); FMA_K4(k, v1, q1); FMA_K4(k, v2, q2); FMA_K4(k, v3, q3);
            }
            for (; i < len; ++i, w += 4) {
                const float32x4_t k = vld1q_f32(w);
                q0 = edgec_neon_fma_f32(q0, k, vdupq_n_f32(x0[i])); q1 = edgec_neon_fma_f32(q1, k, vdupq_n_f32(x1[i]));
                q2 = edgec_neon_fma_f32(q2, k, vdupq_n_f32(x2[i])); q3 = edgec_neon_fma_f32(q3, k, vdupq_n_f32(x3[i]));
            }
        }
    }
    store_clamped(out[0], q0, lo, hi, n); store_clamped(out[1], q1, lo, hi, n);
    store_clamped(out[2], q2, lo, hi, n); store_clamped(out[3], q3, lo, hi, n);
}

/* One output pixel x one block (width 16 or 4, n real channels), skipping the taps outside the input: borders and
 * the pixels no 4-pixel tile covers. */
static void pixel_block(const float *input, float *out, const float *wb, const float32x4_t bv[4], int32_t width,
                        int32_t n, const edgec_conv2d_params *p, int32_t b, int32_t oy, int32_t ox, float32x4_t lo,
                        float32x4_t hi) {
    const int32_t C = p->in_c, nv = width / 4;
    float32x4_t a[4] = {bv[0], bv[1], bv[2], bv[3]};
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) continue;
        for (int32_t kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const float *x = input + (((size_t)b * p->in_h + iy) * p->in_w + ix) * C;
            const float *w = wb + ((size_t)ky * p->k_w + kx) * C * width;
            int32_t c = 0;
            if (width == 16) {
                for (; c + 4 <= C; c += 4, w += 64) {
                    const float32x4_t v = vld1q_f32(x + c);
                    float32x4x4_t k = edgec_neon_ld4q_f32(w);
                    FMA_ROW4(a, k, v, 0);
                    k = edgec_neon_ld4q_f32(w + 16); FMA_ROW4(a, k, v, 1);
                    k = edgec_neon_ld4q_f32(w + 32); FMA_ROW4(a, k, v, 2);
                    k = edgec_neon_ld4q_f32(w + 48); FMA_ROW4(a, k, v, 3);
                }
                for (; c < C; ++c, w += 16) {
                    const float32x4x4_t k = edgec_neon_ld4q_f32(w);
                    const float32x4_t v = vdupq_n_f32(x[c]);
                    FMA_ROW4(a, k, v, 0);
                }
            } else {
                for (; c < C; ++c, w += 4) a[0] = edgec_neon_fma_f32(a[0], vld1q_f32(w), vdupq_n_f32(x[c]));
            }
        }
    }
    for (int32_t j = 0; j < nv; ++j) store_clamped(out + 4 * j, a[j], lo, hi, n - 4 * j < 4 ? n - 4 * j : 4);
}

void edgec_conv2d_nhwc_f32_packed(const float *EDGEC_RESTRICT input, const float *EDGEC_RESTRICT packed,
                                  const float *EDGEC_RESTRICT bias, float *EDGEC_RESTRICT output,
                                  const edgec_conv2d_params *p) {
    const int32_t C = p->in_c, OC = p->out_c;
    const size_t K = (size_t)p->k_h * p->k_w * C;
    const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
    const window_runs g = runs_of(p);
    const int pointwise = edgec_conv2d_f32_is_pointwise(p);
    int32_t x_lo, x_hi;
    edgec_conv2d_f32_interior_x(p, &x_lo, &x_hi);
    const size_t sx = (size_t)p->stride_w * C;
    for (int32_t oc = 0; oc < OC;) {
        const int32_t width = OC - oc >= 16 ? 16 : 4, n = OC - oc < width ? OC - oc : width;
        const float *wb = packed + (size_t)oc * K;
        float32x4_t bb[4];
        block_bias(bias ? bias + oc : NULL, n, width, bb);
        if (pointwise) { /* every pixel of the batch in one row of 4-pixel tiles */
            const size_t pixels = (size_t)p->batch * p->in_h * p->in_w;
            if (width == 16 && pixels >= 4) {
                pointwise_16(input, output + oc, wb, bb, pixels, C, OC, lo, hi);
                oc += width;
                continue;
            }
            if (OC - oc >= 8 && pixels >= 4) { /* two full blocks of 4 */
                float32x4_t b8[4];
                block_bias(bias ? bias + oc + 4 : NULL, 4, 4, b8);
                pointwise_8(input, output + oc, wb, wb + 4 * K, bb[0], b8[0], pixels, C, OC, lo, hi);
                oc += 8;
                continue;
            }
            size_t px = 0;
            for (; pixels >= 4 && pixels - px >= 2; px += 4) { /* a last single pixel: pixel_block */
                if (px + 4 > pixels) px = pixels - 4; /* the last tile overlaps the one before: same values again */
                const float *x[4] = {input + px * C, input + (px + 1) * C, input + (px + 2) * C, input + (px + 3) * C};
                float *o[4] = {output + px * OC + oc, output + (px + 1) * OC + oc, output + (px + 2) * OC + oc,
                               output + (px + 3) * OC + oc};
                if (width == 16) tile_4x16(x, o, wb, bb, &g, 1, lo, hi);
                else tile_4x4(x, o, wb, bb[0], n, &g, 1, lo, hi);
            }
            for (; px < pixels; ++px)
                pixel_block(input + px * C, output + px * OC + oc, wb, bb, width, n, p, 0, 0, 0, lo, hi);
            oc += width;
            continue;
        }
        for (int32_t b = 0; b < p->batch; ++b) {
            for (int32_t oy = 0; oy < p->out_h; ++oy) {
                const int32_t iy0 = oy * p->stride_h - p->pad_top;
                const int rows_inside = iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h;
                float *out_row = output + ((size_t)b * p->out_h + oy) * p->out_w * OC + oc;
                int32_t ox = 0;
                if (rows_inside) {
                    for (; ox < x_lo; ++ox)
                        pixel_block(input, out_row + (size_t)ox * OC, wb, bb, width, n, p, b, oy, ox, lo, hi);
                    for (; x_hi - x_lo >= 4 && x_hi - ox >= 2; ox += 4) { /* a last single pixel: pixel_block */
                        if (ox + 4 > x_hi) ox = x_hi - 4; /* overlapping the tile before: same values again */
                        const float *in = input + (((size_t)b * p->in_h + iy0) * p->in_w +
                                                   (ox * p->stride_w - p->pad_left)) * C;
                        const float *x[4] = {in, in + sx, in + 2 * sx, in + 3 * sx};
                        float *o = out_row + (size_t)ox * OC;
                        float *os[4] = {o, o + OC, o + 2 * OC, o + 3 * OC};
                        if (width == 16) tile_4x16(x, os, wb, bb, &g, p->k_h, lo, hi);
                        else tile_4x4(x, os, wb, bb[0], n, &g, p->k_h, lo, hi);
                    }
                }
                for (; ox < p->out_w; ++ox)
                    pixel_block(input, out_row + (size_t)ox * OC, wb, bb, width, n, p, b, oy, ox, lo, hi);
            }
        }
        oc += width;
    }
}
