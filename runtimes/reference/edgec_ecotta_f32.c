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
    *loss = confident ? h : 0.0f;
}

void edgec_ecotta_sgd_f32(float *EDGEC_RESTRICT theta, const float *EDGEC_RESTRICT grad, int32_t n, float lr) {
    for (int32_t i = 0; i < n; ++i) theta[i] -= lr * grad[i];
}
