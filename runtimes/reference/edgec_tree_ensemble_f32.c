#include <math.h>

#include "edgec_tree_ensemble_f32.h"

static int goes_true(int32_t mode, float v, float t, int32_t nan_true) {
    if (v != v && nan_true) return 1; /* a missing (NaN) feature that tracks the true branch */
    switch (mode) {
    case EDGEC_TREE_LEQ: return v <= t;
    case EDGEC_TREE_LT: return v < t;
    case EDGEC_TREE_GTE: return v >= t;
    case EDGEC_TREE_GT: return v > t;
    case EDGEC_TREE_EQ: return v == t;
    default: return v != t;
    }
}

/* onnxruntime's logistic: 1 / (1 + exp(-|v|)), mirrored for v < 0 */
static float logistic(float v) {
    const float e = 1.0f / (1.0f + expf(-fabsf(v)));
    return v < 0.0f ? 1.0f - e : e;
}

/* onnxruntime's probit: sqrt(2) * erfinv(2p - 1), erfinv by Winitzki's approximation (a = 0.147) */
static float probit(float p) {
    float x = 2.0f * p - 1.0f;
    const float sign = x < 0.0f ? -1.0f : 1.0f;
    x = (1.0f - x) * (1.0f + x);
    const float l = logf(x);
    const float v = 2.0f / (3.14159265f * 0.147f) + 0.5f * l;
    const float v2 = 1.0f / 0.147f * l;
    return 1.41421356f * (sign * sqrtf(-v + sqrtf(v * v - v2)));
}

static void transform(float *s, int32_t n, int32_t post) {
    if (post == EDGEC_TREE_POST_SOFTMAX || post == EDGEC_TREE_POST_SOFTMAX_ZERO) {
        float top = -3.40282347e+38f, sum = 0.0f;
        for (int32_t c = 0; c < n; ++c) top = s[c] > top ? s[c] : top;
        const float zero_scale = expf(-top);
        for (int32_t c = 0; c < n; ++c) {
            if (post == EDGEC_TREE_POST_SOFTMAX_ZERO && !(s[c] > 1e-7f || s[c] < -1e-7f)) {
                s[c] = s[c] * zero_scale; /* a zero score stays (about) zero: SOFTMAX_ZERO skips it */
            } else {
                s[c] = expf(s[c] - top);
                sum += s[c];
            }
        }
        for (int32_t c = 0; c < n; ++c) s[c] = s[c] / sum;
    } else if (post == EDGEC_TREE_POST_LOGISTIC) {
        for (int32_t c = 0; c < n; ++c) s[c] = logistic(s[c]);
    } else if (post == EDGEC_TREE_POST_PROBIT) {
        for (int32_t c = 0; c < n; ++c) s[c] = probit(s[c]);
    }
}

/* One score s expanded to two (onnxruntime's write_scores with one score). */
static void two_from_one(float s, float *out, int32_t all_positive, int32_t post) {
    if (all_positive) {
        out[0] = 1.0f - s;
        out[1] = s;
    } else if (post == EDGEC_TREE_POST_LOGISTIC) {
        out[0] = logistic(-s);
        out[1] = logistic(s);
    } else {
        out[0] = -s;
        out[1] = s;
    }
}

void edgec_tree_ensemble_classifier_f32(const float *x, const int32_t *nodes, const float *thresholds,
                                        const int32_t *leaf_class, const float *weights, const int32_t *roots,
                                        const float *base, const int64_t *labels, int64_t *label, float *scores,
                                        uint8_t *scored, const edgec_tree_ensemble_params *p) {
    const int32_t nc = p->classes;
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *row = x + (size_t)r * (size_t)p->features;
        float *s = scores + (size_t)r * (size_t)nc;
        for (int32_t c = 0; c < nc; ++c) {
            s[c] = 0.0f;
            scored[c] = 0;
        }
        for (int32_t t = 0; t < p->trees; ++t) {
            const int32_t *node = nodes + (size_t)roots[t] * EDGEC_TREE_NODE_FIELDS;
            int32_t at = roots[t];
            while (node[EDGEC_TREE_MODE] != EDGEC_TREE_LEAF) {
                const int go = goes_true(node[EDGEC_TREE_MODE], row[node[EDGEC_TREE_FEATURE]], thresholds[at],
                                         node[EDGEC_TREE_NAN_TRUE]);
                at = go ? node[EDGEC_TREE_TRUE] : node[EDGEC_TREE_FALSE];
                node = nodes + (size_t)at * EDGEC_TREE_NODE_FIELDS;
            }
            for (int32_t j = node[EDGEC_TREE_FIRST_WEIGHT]; j < node[EDGEC_TREE_FIRST_WEIGHT] + node[EDGEC_TREE_WEIGHTS]; ++j) {
                s[leaf_class[j]] += weights[j];
                scored[leaf_class[j]] = 1;
            }
        }
        if (p->finalize == EDGEC_TREE_MULTICLASS) {
            int32_t best = -1;
            for (int32_t c = 0; c < nc; ++c) {
                if (p->has_base) { /* a class without score takes its base value */
                    s[c] += base[c];
                    scored[c] = 1;
                }
                if (scored[c] && (best < 0 || s[c] > s[best])) best = c;
            }
            label[r] = labels[best < 0 ? 0 : best];
            transform(s, nc, p->post_transform);
        } else if (p->finalize == EDGEC_TREE_BINARY_ONE_SCORE) {
            const float v = s[0] + base[0];
            const float pos = scored[0] ? v : 0.0f;
            label[r] = labels[(p->weights_all_positive ? pos > 0.5f : pos > 0.0f) ? 1 : 0];
            two_from_one(v, s, p->weights_all_positive, p->post_transform);
        } else if (scored[1]) {
            label[r] = s[1] > 0.0f ? 1 : 0;
            transform(s, nc, p->post_transform);
        } else {
            const float v = s[0];
            label[r] = (scored[0] && v > 0.0f) ? 1 : 0;
            two_from_one(v, s, 0, p->post_transform);
        }
    }
}
