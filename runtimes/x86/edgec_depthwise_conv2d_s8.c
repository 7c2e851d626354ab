/* int8 depthwise convolution (TFLite DepthwiseConvPerChannel) for desktop / server hosts: one vector of sixteen
 * int32 sums per pixel and block of 16 channels, the blocks outermost so that their weights are widened and their
 * requantisation constants prepared (edgec_rq16 / edgec_rqf16, edgec_x86_requant.h) once. NHWC input and
 * [kh][kw][C] weights are contiguous along the channels, so a tap is one sign-extending load (vpmovsxbd) and one
 * 16-bit multiply-add (vpdpwssd / vpmaddwd: the input, or input + input_offset, fits int16 and the weight's upper
 * half is 0, so the products are exact). Where every tap of a pixel is inside the input (the interior columns),
 * tiles of 8, 4, 2 or 1 vectors along the line load each input vector of a kernel row once for all the taps that read
 * it (3x3 and 5x5, stride 1 or 2), start from the bias plus input_offset times the weights of the kernel rows
 * inside the input, and requantise from registers; the edge columns take one pixel at a time with their taps
 * clipped (input_offset added to each input), the edge rows clip their kernel rows. Maps taller than wide and
 * narrow go column by column (the axes swapped), so that fewer pixels are edges. With 8 channels and stride 1 one
 * vector holds two neighbouring pixels (their 16 input bytes are contiguous). Where the channels are not a
 * multiple of 16, the last block overlaps the one before. Depth multipliers other than 1, kernels above 64 taps
 * and input offsets beyond int16 take the reference's loop. Integer arithmetic with the same terms: bit-exact
 * with runtimes/reference/edgec_depthwise_conv2d_s8.c. */
#include "edgec_depthwise_s8_tap_sum.h"
#include "edgec_x86_requant.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

typedef int32_t v16i __attribute__((vector_size(64)));
#define LANES 16
#define MAX_TAPS 64 /* kernels up to 8 x 8 take the vector path */
#define TILE 8      /* vectors per interior tile, at most */

/* acc += x * w lane by lane, where x's lanes are within int16 and w's within int8: one vpdpwssd (or vpmaddwd and
 * an add) on the lanes read as int16 pairs, x's upper half its sign and w's 0 (WEIGHT_LANES: the weights as their
 * 16 bits, zero-extended), so that the upper halves' product is 0. */
#if defined(__AVX512VNNI__)
#define MADD(acc, x, w) ((acc) = (v16i)_mm512_dpwssd_epi32((__m512i)(acc), (__m512i)(x), (__m512i)(w)))
#define WEIGHT_LANES(w) ((w) & 0xffff)
#elif defined(__AVX512BW__)
#define MADD(acc, x, w) ((acc) += (v16i)_mm512_madd_epi16((__m512i)(x), (__m512i)(w)))
#define WEIGHT_LANES(w) ((w) & 0xffff)
#else
#define MADD(acc, x, w) ((acc) += (x) * (w))
#define WEIGHT_LANES(w) (w)
#endif

/* 16 int8 at ptr widened, plus the input offset: one vpmovsxbd where the build has AVX-512 (gcc 12 builds
 * __builtin_convertvector of 16 bytes lane by lane), else through an array of int32. */
#if defined(__AVX512F__)
#define LOAD_X(dst, ptr, off) \
    ((dst) = (v16i)_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(ptr))) + (off))
#else
#define LOAD_X(dst, ptr, off)                                         \
    do {                                                              \
        int32_t lanes_[LANES];                                        \
        for (int32_t j_ = 0; j_ < LANES; ++j_) lanes_[j_] = (ptr)[j_]; \
        __builtin_memcpy(&(dst), lanes_, sizeof lanes_);              \
        (dst) += (off);                                               \
    } while (0)
#endif

enum { REQ_FIXED, REQ_FLOAT, REQ_LANES }; /* edgec_rq16, edgec_rqf16, lane by lane (INT32_MIN multipliers) */

/* One block's data shared by its paths. Lanes map to channels c + lane (c + lane % 8 when two pixels share a
 * vector); lanes whose channel is not stored compute values nobody reads. */
typedef struct {
    v16i wide[MAX_TAPS]; /* the block's weights, [tap][lane] */
    v16i row_offset[MAX_TAPS]; /* input_offset times the sum of each kernel row's weights */
    v16i bias, offset;
    edgec_rq16 rq;
    edgec_rqf16 rqf;
    int32_t multiplier[LANES], shift[LANES];
    int32_t mode; /* REQ_*: how the block requantises whole vectors */
    const int8_t *end; /* one past the input: loads of 16 bytes must stay below */
    ptrdiff_t unit, rowstep, tapstep; /* bytes: between a tile's input vectors, kernel rows, taps in a row */
    ptrdiff_t in_x, in_y, out_x, out_y; /* bytes between neighbouring input / output pixels along a line, lines */
    const edgec_conv2d_s8_params *p;
} dw_ctx;

/* The first n lanes of acc requantised to out. */
static void store(const dw_ctx *g, const v16i *acc, int8_t *out, int32_t n) {
    const edgec_conv2d_s8_params *p = g->p;
    if (g->mode == REQ_FIXED) {
        edgec_rq16_apply(&g->rq, acc, out, n);
        return;
    }
    if (g->mode == REQ_FLOAT && n == LANES) {
        edgec_rqf16_apply(&g->rqf, acc, out);
        return;
    }
    int32_t a[LANES];
    __builtin_memcpy(a, acc, sizeof a);
    if (p->requant == EDGEC_REQUANT_FLOAT) {
        edgec_rqf8_apply(g->multiplier, a, NULL, p->output_offset, p->act_min, p->act_max, out, n < 8 ? n : 8);
        if (n > 8)
            edgec_rqf8_apply(g->multiplier + 8, a + 8, NULL, p->output_offset, p->act_min, p->act_max, out + 8,
                             n - 8);
    } else {
        for (int32_t j = 0; j < n; ++j)
            out[j] = (int8_t)edgec_requant(a[j], g->multiplier[j], g->shift[j], p->requant, p->output_offset,
                                           p->act_min, p->act_max);
    }
}

/* A tile's T whole vectors requantised and stored, vector j at out + j * out_step, from registers. */
static inline __attribute__((always_inline)) void store_tile(const dw_ctx *g, const v16i *a, int32_t T,
                                                             int8_t *out, ptrdiff_t out_step) {
    if (g->mode == REQ_FIXED) {
        for (int32_t j = 0; j < T; ++j) edgec_rq16_apply(&g->rq, &a[j], out + j * out_step, LANES);
    } else if (g->mode == REQ_FLOAT) {
        for (int32_t j = 0; j < T; ++j) edgec_rqf16_apply(&g->rqf, &a[j], out + j * out_step);
    } else {
        for (int32_t j = 0; j < T; ++j) store(g, &a[j], out + j * out_step, LANES);
    }
}

/* T vectors of an interior tile, requantised and stored: vector j's tap (ky, kx) reads the 16 bytes at unit
 * j * S + kx * D of kernel row ky; each of the row's units is loaded once. The sums start from init (the bias plus
 * input_offset times the weights of the rows read), so the loads need no offset. K, S, D, T: constants where the
 * callers inline it. */
static inline __attribute__((always_inline)) void tile_reuse(const dw_ctx *g, const int8_t *in, const v16i *w,
                                                             int32_t rows, const v16i *init, int8_t *out,
                                                             ptrdiff_t out_step, int32_t T, int32_t K, int32_t S,
                                                             int32_t D) {
    v16i a[TILE], xs[(TILE - 1) * 2 + (5 - 1) + 1];
    const int32_t nx = (T - 1) * S + (K - 1) * D + 1;
    for (int32_t j = 0; j < T; ++j) a[j] = *init;
    for (int32_t r = 0; r < rows; ++r, in += g->rowstep, w += K) {
        for (int32_t u = 0; u < nx; ++u) LOAD_X(xs[u], in + u * g->unit, 0);
        for (int32_t kx = 0; kx < K; ++kx)
            for (int32_t j = 0; j < T; ++j) MADD(a[j], xs[j * S + kx * D], w[kx]);
    }
    store_tile(g, a, T, out, out_step);
}

/* The same for any kernel width and steps: vector j's tap kx at j * unit + kx * tapstep. */
static inline __attribute__((always_inline)) void tile_any(const dw_ctx *g, const int8_t *in, const v16i *w,
                                                           int32_t rows, const v16i *init, int8_t *out,
                                                           ptrdiff_t out_step, int32_t T) {
    const int32_t K = g->p->k_w;
    v16i a[TILE];
    for (int32_t j = 0; j < T; ++j) a[j] = *init;
    for (int32_t r = 0; r < rows; ++r, in += g->rowstep, w += K)
        for (int32_t kx = 0; kx < K; ++kx)
            for (int32_t j = 0; j < T; ++j) {
                v16i x;
                LOAD_X(x, in + j * g->unit + kx * g->tapstep, 0);
                MADD(a[j], x, w[kx]);
            }
    store_tile(g, a, T, out, out_step);
}

/* Each kind of tile as 8, 4, 2 and 1 vectors (rows of 7 interior vectors take 4 + 2 + 1). */
typedef void (*tile_fn)(const dw_ctx *, const int8_t *, const v16i *, int32_t, const v16i *, int8_t *, ptrdiff_t);
#define TILE_ARGS                                                                                   \
    const dw_ctx *g, const int8_t *in, const v16i *w, int32_t rows, const v16i *init, int8_t *out, \
        ptrdiff_t out_step
#define TILE_REUSE(name, T, K, S)                                    \
    static __attribute__((noinline)) void name##_##T(TILE_ARGS) {    \
        tile_reuse(g, in, w, rows, init, out, out_step, T, K, S, 1); \
    }
#define TILE_REUSE_SET(name, K, S) \
    TILE_REUSE(name, 8, K, S) TILE_REUSE(name, 4, K, S) TILE_REUSE(name, 2, K, S) TILE_REUSE(name, 1, K, S)
TILE_REUSE_SET(k3s1, 3, 1)
TILE_REUSE_SET(k3s2, 3, 2)
TILE_REUSE_SET(k5s1, 5, 1)
TILE_REUSE_SET(k5s2, 5, 2)
static __attribute__((noinline)) void any_8(TILE_ARGS) { tile_any(g, in, w, rows, init, out, out_step, 8); }
static __attribute__((noinline)) void any_4(TILE_ARGS) { tile_any(g, in, w, rows, init, out, out_step, 4); }
static __attribute__((noinline)) void any_2(TILE_ARGS) { tile_any(g, in, w, rows, init, out, out_step, 2); }
static __attribute__((noinline)) void any_1(TILE_ARGS) { tile_any(g, in, w, rows, init, out, out_step, 1); }
static const tile_fn tiles[5][4] = {{k3s1_8, k3s1_4, k3s1_2, k3s1_1}, {k3s2_8, k3s2_4, k3s2_2, k3s2_1},
                                    {k5s1_8, k5s1_4, k5s1_2, k5s1_1}, {k5s2_8, k5s2_4, k5s2_2, k5s2_1},
                                    {any_8, any_4, any_2, any_1}};

/* One pixel with its taps clipped to rows x cols (in, w: the first tap inside the input), requantised to out: n
 * channels. With fewer than 16 (whole 0), loads stay below the input's end: a tap whose 16 bytes would cross it
 * reads the bytes before the end only. */
static inline __attribute__((always_inline)) void pixel(const dw_ctx *g, const int8_t *in, const v16i *w,
                                                        int32_t rows, int32_t cols, int8_t *out, int32_t n,
                                                        int whole) {
    v16i a = g->bias;
    const int32_t K = g->p->k_w;
    for (int32_t r = 0; r < rows; ++r, in += g->rowstep, w += K)
        for (int32_t kx = 0; kx < cols; ++kx) {
            const int8_t *src = in + kx * g->tapstep;
            v16i x;
            if (whole || g->end - src >= LANES) {
                LOAD_X(x, src, g->offset);
            } else {
                int8_t bytes[LANES] = {0};
                for (int32_t j = 0; j < g->end - src; ++j) bytes[j] = src[j];
                LOAD_X(x, bytes, g->offset);
            }
            MADD(a, x, w[kx]);
        }
    if (whole)
        store_tile(g, &a, 1, out, 0);
    else
        store(g, &a, out, n);
}
static __attribute__((noinline)) void pixel_whole(const dw_ctx *g, const int8_t *in, const v16i *w, int32_t rows,
                                                  int32_t cols, int8_t *out) {
    pixel(g, in, w, rows, cols, out, LANES, 1);
}
static __attribute__((noinline)) void pixel_part(const dw_ctx *g, const int8_t *in, const v16i *w, int32_t rows,
                                                 int32_t cols, int8_t *out, int32_t n) {
    pixel(g, in, w, rows, cols, out, n, 0);
}

/* [lo, hi): the taps k * dil of origin + k * dil inside [0, size) along one axis. */
static void clip_taps(int32_t origin, int32_t dil, int32_t k, int32_t size, int32_t *lo, int32_t *hi) {
    *lo = 0;
    while (*lo < k && origin + *lo * dil < 0) ++*lo;
    *hi = k;
    while (*hi > *lo && origin + (*hi - 1) * dil >= size) --*hi;
}

/* One block: n channels at c; pair: two pixels per vector (8 channels, stride 1); set: the row of tiles[] its
 * interior takes (-1: none, every pixel on its own). */
static void dw_block(const dw_ctx *g, const int8_t *input, int8_t *output, int32_t c, int32_t n, int pair,
                     int32_t set) {
    const edgec_conv2d_s8_params *p = g->p;
    const int32_t per = pair ? 2 : 1; /* pixels per vector */
    /* the interior columns [ox_lo, ox_hi): all k_w taps inside the input */
    int32_t ox_lo = 0, ox_hi = p->out_w;
    while (ox_lo < p->out_w && ox_lo * p->stride_w - p->pad_left < 0) ++ox_lo;
    while (ox_hi > ox_lo && (ox_hi - 1) * p->stride_w - p->pad_left + (p->k_w - 1) * p->dil_w >= p->in_w) --ox_hi;
    const int32_t vectors = set >= 0 ? (ox_hi - ox_lo) / per : 0, tiled_end = ox_lo + vectors * per;
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c + c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t ky_lo, ky_hi;
            clip_taps(y0, p->dil_h, p->k_h, p->in_h, &ky_lo, &ky_hi);
            const int32_t rows = ky_hi - ky_lo;
            const int8_t *in_row = in_b + (ptrdiff_t)(y0 + ky_lo * p->dil_h) * g->in_y;
            const v16i *w_row = g->wide + ky_lo * p->k_w;
            int8_t *out_row = output + (size_t)b * p->out_h * p->out_w * p->out_c + oy * g->out_y + c;
            v16i init = g->bias;
            for (int32_t ky = ky_lo; ky < ky_hi; ++ky) init += g->row_offset[ky];
            int32_t ox = 0;
            while (ox < p->out_w) {
                if (ox == ox_lo && vectors > 0) { /* the interior: tiles of 4, 2, 1 vectors */
                    for (int32_t v = 0, k = 0; v < vectors; v += 8 >> k) {
                        while (vectors - v < 8 >> k) ++k; /* tiles[set][k]: 8 >> k vectors */
                        const int32_t x = ox_lo + v * per;
                        tiles[set][k](g, in_row + (x * p->stride_w - p->pad_left) * g->in_x, w_row, rows, &init,
                                      out_row + x * g->out_x, per * g->out_x);
                    }
                    ox = tiled_end;
                    continue;
                }
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t kx_lo, kx_hi;
                clip_taps(x0, p->dil_w, p->k_w, p->in_w, &kx_lo, &kx_hi);
                const int8_t *in_px = in_row + (x0 + kx_lo * p->dil_w) * g->in_x;
                if (n == LANES && !pair)
                    pixel_whole(g, in_px, w_row + kx_lo, rows, kx_hi - kx_lo, out_row + ox * g->out_x);
                else
                    pixel_part(g, in_px, w_row + kx_lo, rows, kx_hi - kx_lo, out_row + ox * g->out_x, n);
                ++ox;
            }
        }
    }
}

static void dw_reference(const int8_t *input, const int8_t *weights, const int32_t *bias, const int32_t *multiplier,
                         const int32_t *shift, int8_t *output, const edgec_conv2d_s8_params *p) {
    for (int32_t b = 0; b < p->batch; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
                for (int32_t oc = 0; oc < p->out_c; ++oc)
                    out[oc] = edgec_depthwise_s8_channel(in_b, weights, bias, multiplier, shift, y0, x0,
                                                         oc / p->depth_multiplier, oc, p);
            }
    }
}

void edgec_depthwise_conv2d_s8(const int8_t *EDGEC_RESTRICT input, const int8_t *EDGEC_RESTRICT weights,
                               const int32_t *EDGEC_RESTRICT bias, const int32_t *EDGEC_RESTRICT multiplier,
                               const int32_t *EDGEC_RESTRICT shift, int8_t *EDGEC_RESTRICT output,
                               const edgec_conv2d_s8_params *p) {
    const int32_t C = p->in_c, taps = p->k_h * p->k_w;
    /* x + input_offset must fit int16 for the multiply-add */
    if (p->depth_multiplier != 1 || taps > MAX_TAPS || p->input_offset < -32640 || p->input_offset > 32640) {
        dw_reference(input, weights, bias, multiplier, shift, output, p);
        return;
    }
    /* maps narrower than tall (KWS: 25 x 5) go column by column: the lines are the columns, so that fewer pixels
     * are edges and the tiles are longer; q is p with the axes swapped */
    const int transposed = C >= LANES && p->out_w < 16 && p->out_h > p->out_w;
    edgec_conv2d_s8_params q = *p;
    if (transposed) {
        q.in_h = p->in_w; q.in_w = p->in_h; q.out_h = p->out_w; q.out_w = p->out_h; q.k_h = p->k_w; q.k_w = p->k_h;
        q.stride_h = p->stride_w; q.stride_w = p->stride_h; q.pad_top = p->pad_left; q.pad_left = p->pad_top;
        q.dil_h = p->dil_w; q.dil_w = p->dil_h;
    }
    const int pair = C == 8 && p->stride_w == 1;
    const int32_t per = pair ? 2 : 1;
    dw_ctx g;
    g.p = &q;
    g.end = input + (size_t)p->batch * p->in_h * p->in_w * C;
    g.offset = (v16i){0} + p->input_offset;
    g.in_x = transposed ? (ptrdiff_t)p->in_w * C : C;
    g.in_y = transposed ? C : (ptrdiff_t)p->in_w * C;
    g.out_x = transposed ? (ptrdiff_t)p->out_w * p->out_c : p->out_c;
    g.out_y = transposed ? p->out_c : (ptrdiff_t)p->out_w * p->out_c;
    g.rowstep = q.dil_h * g.in_y;
    g.tapstep = q.dil_w * g.in_x;
    /* the interior's tiles: those that load each input vector once (3x3 and 5x5 with vectors 1 or 2 pixels
     * apart, no dilation; units of one pixel), else the general ones (units of one vector step) */
    int32_t set = -1;
    if (C >= LANES || pair) {
        const int32_t step = per * q.stride_w; /* pixels between vectors */
        if (q.dil_w == 1 && (step == 1 || step == 2) && (q.k_w == 3 || q.k_w == 5)) {
            g.unit = g.in_x;
            set = (q.k_w == 5) * 2 + (step == 2);
        } else {
            g.unit = step * g.in_x;
            set = 4;
        }
    }
    for (int32_t c0 = 0; c0 < C; c0 += LANES) {
        /* past 16 channels the last block overlaps the one before (the channels there computed twice, the same
         * bytes stored twice), so that every block loads whole vectors */
        const int32_t c = C >= LANES && c0 + LANES > C ? C - LANES : c0, n = C - c < LANES ? C - c : LANES;
        const int32_t period = pair ? 8 : LANES; /* lane j holds channel c + j % period */
        for (int32_t j = 0; j < LANES; ++j) {
            const int32_t ch = c + (j % period < n ? j % period : 0);
            g.multiplier[j] = multiplier[ch];
            g.shift[j] = shift[ch];
            g.bias[j] = bias ? bias[ch] : 0;
        }
        for (int32_t ky = 0; ky < q.k_h; ++ky) { /* g.wide along q's axes */
            v16i sum = {0};
            for (int32_t kx = 0; kx < q.k_w; ++kx) {
                const int32_t t = transposed ? kx * p->k_w + ky : ky * p->k_w + kx; /* p's tap */
                v16i wt;
                if (n == LANES && !pair) {
                    LOAD_X(wt, weights + (size_t)t * C + c, 0);
                } else {
                    for (int32_t j = 0; j < LANES; ++j)
                        wt[j] = weights[(size_t)t * C + c + (j % period < n ? j % period : 0)];
                }
                sum += wt;
                g.wide[ky * q.k_w + kx] = WEIGHT_LANES(wt);
            }
            g.row_offset[ky] = sum * p->input_offset;
        }
        g.mode = p->requant == EDGEC_REQUANT_FLOAT                      ? REQ_FLOAT
                 : edgec_rq8_usable(g.multiplier, p->requant, LANES) ? REQ_FIXED
                                                                     : REQ_LANES;
        if (g.mode == REQ_FIXED)
            edgec_rq16_prepare(&g.rq, g.multiplier, g.shift, LANES, p->output_offset, p->act_min, p->act_max);
        if (g.mode == REQ_FLOAT) edgec_rqf16_prepare(&g.rqf, g.multiplier, p->output_offset, p->act_min, p->act_max);
        dw_block(&g, input, output, c, n, pair, set);
    }
}
