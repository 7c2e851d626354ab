/* What the NEON and x86 hybrid convs carry from one batch's input quantization to their float epilogue, and
 * LiteRT's per-batch quantization that fills it in. */
#ifndef EDGEC_CONV2D_HYBRID_BATCH_H
#define EDGEC_CONV2D_HYBRID_BATCH_H

#include "edgec_conv2d_hybrid.h"
#include "edgec_hybrid_quantize.h"

typedef struct {
    const edgec_conv2d_hybrid_params *p;
    const float *w_scale;
    const float *bias;
    float *output; /* this batch's */
    float in_scale;
    int32_t zp;
} edgec_hybrid_out;

/* The rows (*rows) and width (returned) of a padded copy of the input that holds every window of p in place:
 * pad_top rows above the input, pad_left columns before it, and enough below and to the right. */
EDGEC_INLINE int32_t edgec_hybrid_padded_size(const edgec_conv2d_hybrid_params *p, int32_t *rows) {
    const int32_t span_h = (p->out_h - 1) * p->stride_h + (p->k_h - 1) * p->dil_h + 1;
    const int32_t span_w = (p->out_w - 1) * p->stride_w + p->k_w;
    *rows = span_h > p->pad_top + p->in_h ? span_h : p->pad_top + p->in_h;
    return span_w > p->pad_left + p->in_w ? span_w : p->pad_left + p->in_w;
}

/* TFLite's per-batch input quantization of batch n into qinput; sets o's scale, zero point and output. Static, not
 * inline, so each set's compiler inlines it or not as before it moved here: a file that includes this header
 * calls it. */
static void edgec_hybrid_quantize_batch(const float *input, float *output, int8_t *qinput, int32_t n,
                                        edgec_hybrid_out *o) {
    const edgec_conv2d_hybrid_params *p = o->p;
    const int32_t in_size = p->in_h * p->in_w * p->in_c;
    const float *x = input + (size_t)n * in_size;
    o->zp = 0;
    o->in_scale = p->quant == EDGEC_HYBRID_TFLITE_ASYMMETRIC ? edgec_quantize_asymmetric_s8(x, in_size, qinput, &o->zp)
                                                              : edgec_quantize_symmetric_s8(x, in_size, qinput);
    o->output = output + (size_t)n * p->out_h * p->out_w * p->out_c;
}

#endif
