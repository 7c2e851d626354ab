/* Packed-kernel fuzz harness (tests/test_int8_cortex_m_fuzz.py): reads random cases that the test packed with
 * the compiler's own packing (compiler/edgec/ops/quantized_s8.py) from cases.bin, runs the Cortex-M packed
 * kernels (edgec_conv2d_s8_packed, edgec_fully_connected_s8_packed, edgec_depthwise_conv2d_s8_packed) and the
 * portable reference kernels (renamed ref_*) on each, and exits with the number of cases whose outputs differ (their indices go to stdout).
 * Built for QEMU mps2-an500 with semihosting (the DSP paths), or for the host with stdio (the portable ones). */
#include <stdint.h>
#include <stddef.h>
#include "edgec_conv2d_s8.h"
#include "edgec_depthwise_conv2d_s8.h"
#include "edgec_fully_connected_s8.h"

void ref_conv(const int8_t *, const int8_t *, const int32_t *, const int32_t *, const int32_t *, int8_t *,
              const edgec_conv2d_s8_params *);
void ref_dw(const int8_t *, const int8_t *, const int32_t *, const int32_t *, const int32_t *, int8_t *,
            const edgec_conv2d_s8_params *);
void ref_fc(const int8_t *, const int8_t *, const int32_t *, int8_t *, const edgec_fully_connected_s8_params *);

#include "case_file.h"

static int8_t in[65536], w[262144], o1[65536], o2[65536];
static int32_t bias[1024], mult[1024], shift_[1024], packed[131072], hdr[32], scratch[16384];

static int read_words(void *dst, int32_t n) { return read_bytes(dst, (uint32_t)n * 4u); }

int main(void) {
    int32_t n_cases, bad = 0;
    if (!open_cases() || !read_words(&n_cases, 1)) return -1;
    for (int32_t i = 0; i < n_cases; ++i) {
        /* hdr: kind, n_in, n_w, n_out, n_ch, n_packed, then the kernel's parameters */
        if (!read_words(hdr, 6)) return -2;
        const int32_t kind = hdr[0], n_in = hdr[1], n_w = hdr[2], n_out = hdr[3], n_ch = hdr[4], n_packed = hdr[5];
        if (!read_words(hdr + 6, kind != 1 ? 21 : 11)) return -3;
        if (!read_bytes(in, (uint32_t)(n_in + 3) & ~3u) || !read_bytes(w, (uint32_t)(n_w + 3) & ~3u) ||
            !read_words(bias, n_ch) || !read_words(packed, n_packed))
            return -4;
        if (kind != 1 && (!read_words(mult, n_ch) || !read_words(shift_, n_ch))) return -5;
        for (int32_t k = 0; k < n_out + 4; ++k) o1[k] = o2[k] = 0x55;
        if (kind != 1) { /* 0: conv, 2: depthwise */
            const int32_t *q = hdr + 6;
            edgec_conv2d_s8_params p;
            p.batch = q[0], p.in_h = q[1], p.in_w = q[2], p.in_c = q[3], p.out_h = q[4], p.out_w = q[5];
            p.out_c = q[6], p.k_h = q[7], p.k_w = q[8], p.stride_h = q[9], p.stride_w = q[10];
            p.pad_top = q[11], p.pad_left = q[12], p.dil_h = q[13], p.dil_w = q[14], p.depth_multiplier = q[15];
            p.input_offset = q[16], p.output_offset = q[17], p.act_min = q[18], p.act_max = q[19], p.requant = q[20];
            if (kind == 0) {
                ref_conv(in, w, bias, mult, shift_, o1, &p);
                edgec_conv2d_s8_packed(in, packed, o2, &p, (i & 1) ? scratch : 0);
            } else {
                ref_dw(in, w, bias, mult, shift_, o1, &p);
                edgec_depthwise_conv2d_s8_packed(in, packed, o2, &p);
            }
        } else {
            const int32_t *q = hdr + 6;
            edgec_fully_connected_s8_params p;
            p.batches = q[0], p.depth = q[1], p.units = q[2], p.input_offset = q[3], p.filter_offset = q[4];
            p.output_offset = q[5], p.multiplier = q[6], p.shift = q[7], p.act_min = q[8], p.act_max = q[9];
            p.single_rounding = q[10];
            ref_fc(in, w, bias, o1, &p);
            edgec_fully_connected_s8_packed(in, packed, o2, &p, (i & 1) ? scratch : 0);
        }
        /* n_out + 4: the kernels must not write past their output either */
        for (int32_t k = 0; k < n_out + 4; ++k) {
            if (o1[k] != o2[k]) {
                ++bad;
                report(i);
                break;
            }
        }
    }
    return bad;
}
