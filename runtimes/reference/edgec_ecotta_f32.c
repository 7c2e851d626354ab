/* Reference EcoTTA meta-network kernels: plain loops, every sum in the order the header describes. */
#include <math.h>

#include "edgec_ecotta_f32.h"

/* b for channel c at one pixel; inv_std[c] = 1 / sqrt(var + eps) is recomputed, not cached: no scratch needed. */
static float meta_bn(const float *x_px, const float *theta, const float *stats, int32_t c, int32_t channels,
                     float eps) {
    const float n = (x_px[c] - stats[c]) / sqrtf(stats[channels + c] + eps);
    return theta[c] * n + theta[channels + c];
}

static void meta_forward(const float *x, float *y, const float *theta, const float *stats,
                         const edgec_ecotta_meta_params *p) {
    const int32_t C = p->channels, G = p->group_channels;
    const float *w = theta + 2 * C;
    for (int32_t px = 0; px < p->pixels; ++px) {
        const float *x_px = x + (size_t)px * C;
        float *y_px = y + (size_t)px * C;
        for (int32_t co = 0; co < C; ++co) {
            const int32_t first = (co / G) * G;
            float acc = 0.0f;
            for (int32_t j = 0; j < G; ++j) {
                const float b = meta_bn(x_px, theta, stats, first + j, C, p->eps);
                acc += w[(size_t)co * G + j] * (b > 0.0f ? b : 0.0f);
            }
            y_px[co] = meta_bn(x_px, theta, stats, co, C, p->eps) + acc;
        }
    }
}

void edgec_ecotta_meta_f32(const float *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, const float *EDGEC_RESTRICT theta,
                           const float *EDGEC_RESTRICT stats, const edgec_ecotta_meta_params *p) {
    meta_forward(x, y, theta, stats, p);
}

void edgec_ecotta_meta_train_f32(const float *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y,
                                 const float *EDGEC_RESTRICT theta, float *EDGEC_RESTRICT stats,
                                 const edgec_ecotta_meta_params *p) {
    const int32_t C = p->channels;
    for (int32_t c = 0; c < C; ++c) {
        float sum = 0.0f;
        for (int32_t px = 0; px < p->pixels; ++px) sum += x[(size_t)px * C + c];
        const float mean = sum / (float)p->pixels;
        float sq = 0.0f;
        for (int32_t px = 0; px < p->pixels; ++px) {
            const float d = x[(size_t)px * C + c] - mean;
            sq += d * d;
        }
        const float var = sq / (float)p->pixels;
        stats[c] = (1.0f - p->momentum) * stats[c] + p->momentum * mean;
        stats[C + c] = (1.0f - p->momentum) * stats[C + c] + p->momentum * var;
    }
    meta_forward(x, y, theta, stats, p);
}

void edgec_ecotta_meta_backward_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT dy,
                                    float *EDGEC_RESTRICT dx, const float *EDGEC_RESTRICT theta,
                                    const float *EDGEC_RESTRICT stats, float *EDGEC_RESTRICT grad,
                                    float *EDGEC_RESTRICT scratch, float *EDGEC_RESTRICT loss,
                                    const edgec_ecotta_meta_params *p) {
    const int32_t C = p->channels, G = p->group_channels;
    const float *w = theta + 2 * C;
    float *g_gamma = grad, *g_beta = grad + C, *g_w = grad + 2 * C;
    float *g_y = scratch, *b = scratch + C; /* per pixel: dLoss/dy and the BatchNorm output */
    float reg = 0.0f;
    for (int32_t i = 0; i < 2 * C + C * G; ++i) grad[i] = 0.0f;
    for (int32_t px = 0; px < p->pixels; ++px) {
        const float *x_px = x + (size_t)px * C;
        for (int32_t c = 0; c < C; ++c) b[c] = meta_bn(x_px, theta, stats, c, C, p->eps);
        for (int32_t co = 0; co < C; ++co) {
            const int32_t first = (co / G) * G;
            float acc = 0.0f;
            for (int32_t j = 0; j < G; ++j) acc += w[(size_t)co * G + j] * (b[first + j] > 0.0f ? b[first + j] : 0.0f);
            const float diff = b[co] + acc - x_px[co];
            reg += fabsf(diff);
            g_y[co] = dy[(size_t)px * C + co] + p->reg_scale * (diff > 0.0f ? 1.0f : (diff < 0.0f ? -1.0f : 0.0f));
        }
        for (int32_t ci = 0; ci < C; ++ci) {
            const float r = b[ci] > 0.0f ? b[ci] : 0.0f;
            const int32_t first = (ci / G) * G, j = ci - first; /* the outputs of ci's group read it as input j */
            float g_r = 0.0f;
            for (int32_t co = first; co < first + G; ++co) {
                g_w[(size_t)co * G + j] += g_y[co] * r;
                g_r += w[(size_t)co * G + j] * g_y[co];
            }
            const float g_b = g_y[ci] + (b[ci] > 0.0f ? g_r : 0.0f);
            const float inv_std = 1.0f / sqrtf(stats[C + ci] + p->eps);
            g_gamma[ci] += g_b * (x_px[ci] - stats[ci]) * inv_std;
            g_beta[ci] += g_b;
            if (dx) dx[(size_t)px * C + ci] = g_b * theta[ci] * inv_std;
        }
    }
    *loss += p->reg_scale * reg;
}

void edgec_ecotta_entropy_f32(const float *EDGEC_RESTRICT logits, float *EDGEC_RESTRICT dlogits, int32_t n,
                              float threshold, float *EDGEC_RESTRICT loss) {
    float top = logits[0];
    for (int32_t i = 1; i < n; ++i) top = logits[i] > top ? logits[i] : top;
    float sum = 0.0f;
    for (int32_t i = 0; i < n; ++i) sum += expf(logits[i] - top);
    const float log_sum = logf(sum);
    float h = 0.0f;
    for (int32_t i = 0; i < n; ++i) {
        const float log_p = logits[i] - top - log_sum;
        h -= expf(log_p) * log_p;
    }
    const int confident = h < threshold;
    for (int32_t i = 0; i < n; ++i) {
        const float log_p = logits[i] - top - log_sum;
        dlogits[i] = confident ? -expf(log_p) * (log_p + h) : 0.0f;
    }
    if (confident) *loss += h;
}

/* The paper's block: conv(u) for output pixel px, channel co (no bias). */
static float conv_block_at(const float *u, const float *w, const edgec_conv2d_params *c, int32_t px, int32_t co) {
    const int32_t oy = px / c->out_w, ox = px % c->out_w;
    const int32_t cin_g = c->in_c / c->groups, first = (co / (c->out_c / c->groups)) * cin_g;
    float acc = 0.0f;
    for (int32_t ky = 0; ky < c->k_h; ++ky) {
        const int32_t iy = oy * c->stride_h - c->pad_top + ky * c->dil_h;
        if (iy < 0 || iy >= c->in_h) continue;
        for (int32_t kx = 0; kx < c->k_w; ++kx) {
            const int32_t ix = ox * c->stride_w - c->pad_left + kx * c->dil_w;
            if (ix < 0 || ix >= c->in_w) continue;
            const float *u_px = u + ((size_t)iy * c->in_w + ix) * c->in_c + first;
            const float *w_tap = w + (((size_t)co * c->k_h + ky) * c->k_w + kx) * cin_g;
            for (int32_t j = 0; j < cin_g; ++j) acc += w_tap[j] * u_px[j];
        }
    }
    return acc;
}

/* y for one output from a = conv(u) at it (theta / stats of the paper's block; header). */
static float conv_meta_out(float x, float a, const float *theta, const float *stats, int32_t co,
                           const edgec_ecotta_conv_meta_params *p) {
    const int32_t C = p->channels;
    const float *bn2 = theta + 2 * C + p->weights;
    const float n = (x - stats[co]) / sqrtf(stats[C + co] + p->eps);
    const float z = bn2[co] * (a - stats[2 * C + co]) / sqrtf(stats[3 * C + co] + p->eps) + bn2[C + co];
    return theta[co] * n + theta[C + co] + (z > 0.0f ? z : 0.0f);
}

void edgec_ecotta_conv_meta_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT u, float *EDGEC_RESTRICT y,
                                const float *EDGEC_RESTRICT theta, const float *EDGEC_RESTRICT stats,
                                const edgec_ecotta_conv_meta_params *p) {
    const int32_t C = p->channels;
    for (int32_t px = 0; px < p->pixels; ++px)
        for (int32_t co = 0; co < C; ++co) {
            const size_t i = (size_t)px * C + co;
            y[i] = conv_meta_out(x[i], conv_block_at(u, theta + 2 * C, &p->conv, px, co), theta, stats, co, p);
        }
}

/* stats[c], stats[C + c] blended with the per-channel mean and biased variance of v (pixels x C). */
static void blend_statistics(const float *v, float *stats, int32_t pixels, int32_t C, float momentum) {
    for (int32_t c = 0; c < C; ++c) {
        float sum = 0.0f;
        for (int32_t px = 0; px < pixels; ++px) sum += v[(size_t)px * C + c];
        const float mean = sum / (float)pixels;
        float sq = 0.0f;
        for (int32_t px = 0; px < pixels; ++px) {
            const float d = v[(size_t)px * C + c] - mean;
            sq += d * d;
        }
        stats[c] = (1.0f - momentum) * stats[c] + momentum * mean;
        stats[C + c] = (1.0f - momentum) * stats[C + c] + momentum * (sq / (float)pixels);
    }
}

void edgec_ecotta_conv_meta_train_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT u,
                                      float *EDGEC_RESTRICT y, const float *EDGEC_RESTRICT theta,
                                      float *EDGEC_RESTRICT stats, const edgec_ecotta_conv_meta_params *p) {
    const int32_t C = p->channels;
    /* y holds conv(u) first: its statistics, then the output in place */
    for (int32_t px = 0; px < p->pixels; ++px)
        for (int32_t co = 0; co < C; ++co) y[(size_t)px * C + co] = conv_block_at(u, theta + 2 * C, &p->conv, px, co);
    blend_statistics(x, stats, p->pixels, C, p->momentum);
    blend_statistics(y, stats + 2 * C, p->pixels, C, p->momentum);
    for (int32_t px = 0; px < p->pixels; ++px)
        for (int32_t co = 0; co < C; ++co) {
            const size_t i = (size_t)px * C + co;
            y[i] = conv_meta_out(x[i], y[i], theta, stats, co, p);
        }
}

void edgec_ecotta_conv_meta_backward_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT u,
                                         const float *EDGEC_RESTRICT dy, const float *EDGEC_RESTRICT theta,
                                         const float *EDGEC_RESTRICT stats, float *EDGEC_RESTRICT grad,
                                         float *EDGEC_RESTRICT loss, const edgec_ecotta_conv_meta_params *p) {
    const int32_t C = p->channels;
    const edgec_conv2d_params *c = &p->conv;
    const int32_t cin_g = c->in_c / c->groups;
    const float *w = theta + 2 * C, *bn2 = theta + 2 * C + p->weights;
    float *g_gamma = grad, *g_beta = grad + C, *g_w = grad + 2 * C, *g_gamma2 = g_w + p->weights, *g_beta2 = g_gamma2 + C;
    float reg = 0.0f;
    for (int32_t i = 0; i < 4 * C + p->weights; ++i) grad[i] = 0.0f;
    for (int32_t px = 0; px < p->pixels; ++px) {
        const int32_t oy = px / c->out_w, ox = px % c->out_w;
        for (int32_t co = 0; co < C; ++co) {
            const size_t i = (size_t)px * C + co;
            const float inv_std = 1.0f / sqrtf(stats[C + co] + p->eps);
            const float inv_std2 = 1.0f / sqrtf(stats[3 * C + co] + p->eps);
            const float n2 = (conv_block_at(u, w, c, px, co) - stats[2 * C + co]) * inv_std2;
            const float z = bn2[co] * n2 + bn2[C + co];
            const float diff = theta[co] * (x[i] - stats[co]) * inv_std + theta[C + co] + (z > 0.0f ? z : 0.0f) - x[i];
            reg += fabsf(diff);
            const float g_y = (dy ? dy[i] : 0.0f) + p->reg_scale * (diff > 0.0f ? 1.0f : (diff < 0.0f ? -1.0f : 0.0f));
            g_gamma[co] += g_y * (x[i] - stats[co]) * inv_std;
            g_beta[co] += g_y;
            if (z <= 0.0f) continue;
            g_gamma2[co] += g_y * n2;
            g_beta2[co] += g_y;
            const float g_a = g_y * bn2[co] * inv_std2;
            const int32_t first = (co / (C / c->groups)) * cin_g;
            for (int32_t ky = 0; ky < c->k_h; ++ky) {
                const int32_t iy = oy * c->stride_h - c->pad_top + ky * c->dil_h;
                if (iy < 0 || iy >= c->in_h) continue;
                for (int32_t kx = 0; kx < c->k_w; ++kx) {
                    const int32_t ix = ox * c->stride_w - c->pad_left + kx * c->dil_w;
                    if (ix < 0 || ix >= c->in_w) continue;
                    const float *u_px = u + ((size_t)iy * c->in_w + ix) * c->in_c + first;
                    float *g_tap = g_w + (((size_t)co * c->k_h + ky) * c->k_w + kx) * cin_g;
                    for (int32_t j = 0; j < cin_g; ++j) g_tap[j] += g_a * u_px[j];
                }
            }
        }
    }
    *loss += p->reg_scale * reg;
}

void edgec_ecotta_sgd_f32(float *EDGEC_RESTRICT theta, const float *EDGEC_RESTRICT grad, int32_t n, float lr) {
    for (int32_t i = 0; i < n; ++i) theta[i] -= lr * grad[i];
}
