/* EcoTTA meta-networks, float32 (compiler/edgec/passes/ecotta.py; docs/DESIGN.md "On-device adaptation").
 *
 * A meta-network follows one part of the frozen network; x is that part's output, NHWC, `pixels` positions of
 * `channels` values. With n = (x - mean) / sqrt(var + eps) (running estimates), b = gamma * n + beta (the
 * BatchNorm) and r = max(b, 0):  y = b + W r  (a grouped 1x1 conv block added residually: output channel co
 * reads the G = group_channels inputs of its group, ci = (co / G) * G + j, weight W[co * G + j]; G = channels is
 * a full 1x1 conv). theta holds gamma[C], beta[C], W[C * G]; stats holds mean[C], var[C]. */
#ifndef EDGEC_ECOTTA_F32_H
#define EDGEC_ECOTTA_F32_H

#include "edgec_common.h"
#include "edgec_conv2d_params.h"

typedef struct {
    int32_t pixels, channels;
    int32_t group_channels; /* inputs per output channel of the 1x1 conv block (channels / groups) */
    float eps;
    float momentum;  /* running estimates: stat = (1 - momentum) * stat + momentum * (this sample's stat) */
    float reg_scale; /* the regulariser's weight over the number of elements: lambda / (pixels * channels) */
} edgec_ecotta_meta_params;

/* Inference: y from x with the running estimates as they are. */
void edgec_ecotta_meta_f32(const float *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y, const float *EDGEC_RESTRICT theta,
                           const float *EDGEC_RESTRICT stats, const edgec_ecotta_meta_params *p);

/* Adaptation forward: first blends this sample's per-channel mean and (biased) variance over the pixels into the
 * running estimates, then computes y as edgec_ecotta_meta_f32 does with the updated estimates. */
void edgec_ecotta_meta_train_f32(const float *EDGEC_RESTRICT x, float *EDGEC_RESTRICT y,
                                 const float *EDGEC_RESTRICT theta, float *EDGEC_RESTRICT stats,
                                 const edgec_ecotta_meta_params *p);

/* Backward of one meta-network, from x (kept by the forward pass) and dy (dLoss/dy from the layers above). Adds
 * the self-distilled regulariser reg_scale * sum |y - x| to *loss and its gradient to dy's (x is the frozen part's
 * output: a target, no gradient flows into it through the regulariser). Writes the parameter gradients to
 * grad (gamma, beta, W, laid out as theta; overwritten) and, when dx is not NULL, dLoss/dx. The running estimates are constants
 * of the step. scratch: 2 * channels floats. */
void edgec_ecotta_meta_backward_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT dy,
                                    float *EDGEC_RESTRICT dx, const float *EDGEC_RESTRICT theta,
                                    const float *EDGEC_RESTRICT stats, float *EDGEC_RESTRICT grad,
                                    float *EDGEC_RESTRICT scratch, float *EDGEC_RESTRICT loss,
                                    const edgec_ecotta_meta_params *p);

/* Entropy of softmax(logits) on a confident sample: when H < threshold, *loss += H and dlogits = dH/dlogits
 * = -p * (log p + H); otherwise (not confident) *loss is unchanged and dlogits = 0. */
void edgec_ecotta_entropy_f32(const float *EDGEC_RESTRICT logits, float *EDGEC_RESTRICT dlogits, int32_t n,
                              float threshold, float *EDGEC_RESTRICT loss);

/* The paper's block (--ecotta-block paper; the official EcoTTA sample code's meta-network): y = BN(x) +
 * ReLU(BN'(conv(u))), x the frozen part's output (pixels x channels, NHWC), u the part's input, conv a bias-free
 * conv of geometry `conv` (NHWC u, OHWI grouped weights, act_min/act_max unused) onto x's shape. With
 * n = (x - mean) / sqrt(var + eps), a = conv(u), n' = (a - mean') / sqrt(var' + eps), z = gamma' n' + beta':
 * y = gamma n + beta + max(z, 0). theta holds gamma[C], beta[C], W[weights], gamma'[C], beta'[C]; stats holds
 * mean[C], var[C], mean'[C], var'[C]. */
typedef struct {
    int32_t pixels, channels; /* of x and y */
    int32_t weights;          /* of the conv block: channels * k_h * k_w * in_c / groups */
    float eps;
    float momentum;
    float reg_scale;
    edgec_conv2d_params conv;
} edgec_ecotta_conv_meta_params;

/* Inference: y from x and u with the running estimates as they are. */
void edgec_ecotta_conv_meta_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT u, float *EDGEC_RESTRICT y,
                                const float *EDGEC_RESTRICT theta, const float *EDGEC_RESTRICT stats,
                                const edgec_ecotta_conv_meta_params *p);

/* Adaptation forward: blends this sample's per-channel mean and (biased) variance of x and of conv(u) (over the
 * pixels) into the running estimates, then y as edgec_ecotta_conv_meta_f32 with the updated estimates. */
void edgec_ecotta_conv_meta_train_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT u,
                                      float *EDGEC_RESTRICT y, const float *EDGEC_RESTRICT theta,
                                      float *EDGEC_RESTRICT stats, const edgec_ecotta_conv_meta_params *p);

/* Backward of the paper's block: adds reg_scale * sum |y - x| to *loss and writes the parameter gradients to grad
 * (laid out as theta; overwritten), from dy = dLoss/dy (NULL: only the regulariser; the part's input is detached,
 * so no gradient flows into x or u). */
void edgec_ecotta_conv_meta_backward_f32(const float *EDGEC_RESTRICT x, const float *EDGEC_RESTRICT u,
                                         const float *EDGEC_RESTRICT dy, const float *EDGEC_RESTRICT theta,
                                         const float *EDGEC_RESTRICT stats, float *EDGEC_RESTRICT grad,
                                         float *EDGEC_RESTRICT loss, const edgec_ecotta_conv_meta_params *p);

/* Plain SGD: theta -= lr * grad. */
void edgec_ecotta_sgd_f32(float *EDGEC_RESTRICT theta, const float *EDGEC_RESTRICT grad, int32_t n, float lr);

#endif
