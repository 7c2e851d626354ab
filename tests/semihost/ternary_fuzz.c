/* Ternary-kernel fuzz harness (tests/test_ternary.py): reads random cases that the test lowered with the compiler's
 * own pass (compiler/edgec/passes/ternary_kernels.py) from cases.bin, runs on each the int8 reference kernel of the
 * original layer (conv or fully connected, renamed ref_conv / ref_fc), the portable ternary kernel (renamed
 * ref_ternary) and the ternary kernel of the set under test (edgec_ternary_conv_s8), and exits with the number of
 * cases whose three outputs are not identical (their indices go to stdout), or whose per-channel sums before the
 * requantisation (edgec_ternary_sums_s8, the portable one renamed ref_ternary_sums) differ. Built for QEMU mps2-an500 with
 * semihosting (the Cortex-M DSP paths), or for the host with stdio (under the sanitizers). */
#include <stdint.h>
#include <stddef.h>
#include "edgec_conv2d_s8.h"
#include "edgec_fully_connected_s8.h"
#include "edgec_ternary_s8.h"

void ref_conv(const int8_t *, const int8_t *, const int32_t *, const int32_t *, const int32_t *, int8_t *,
              const edgec_conv2d_s8_params *);
void ref_fc(const int8_t *, const int8_t *, const int32_t *, int8_t *, const edgec_fully_connected_s8_params *);
void ref_ternary(const int8_t *, const uint8_t *, const int32_t *, const int32_t *, const int32_t *, const int32_t *,
                 int8_t *, const edgec_ternary_s8_params *, void *);
void ref_ternary_sums(const int8_t *, const uint8_t *, int32_t *, const edgec_ternary_s8_params *, void *);

#include "case_file.h"

static int8_t in[32768], w[65536], o[3][16384];
static uint8_t packed[16384];
static int32_t bias[512], mult[512], shift_[512], scale[512], bias_t[512], t_mult[512], t_shift[512], hdr[8];
static int32_t scratch[8192], sums[2][16384 + 4];

static int read_words(void *dst, int32_t n) { return read_bytes(dst, (uint32_t)n * 4u); }
static int read_padded(void *dst, int32_t n) { return read_bytes(dst, ((uint32_t)n + 3u) & ~3u); }

int main(void) {
    int32_t n_cases, bad = 0;
    if (!open_cases() || !read_words(&n_cases, 1)) return -1;
    for (int32_t i = 0; i < n_cases; ++i) {
        /* hdr: kind (0 conv, 1 fully connected), n_in, n_w, n_out, n_ch, n_packed, has_scale */
        if (!read_words(hdr, 7)) return -2;
        const int32_t kind = hdr[0], n_in = hdr[1], n_w = hdr[2], n_out = hdr[3], n_ch = hdr[4];
        edgec_conv2d_s8_params pc;
        edgec_fully_connected_s8_params pf;
        edgec_ternary_s8_params pt;
        if (!(kind == 0 ? read_words(&pc, sizeof pc / 4) : read_words(&pf, sizeof pf / 4)) ||
            !read_words(&pt, sizeof pt / 4))
            return -3;
        if (!read_padded(in, n_in) || !read_padded(w, n_w) || !read_words(bias, n_ch) || !read_words(mult, n_ch) ||
            !read_words(shift_, n_ch) || !read_padded(packed, hdr[5]) || !read_words(scale, hdr[6] ? n_ch : 0) ||
            !read_words(bias_t, n_ch) || !read_words(t_mult, n_ch) || !read_words(t_shift, n_ch))
            return -4;
        for (int32_t k = 0; k < n_out + 4; ++k) o[0][k] = o[1][k] = o[2][k] = 0x55;
        if (kind == 0) ref_conv(in, w, bias, mult, shift_, o[0], &pc);
        else ref_fc(in, w, bias, o[0], &pf);
        const int32_t *s = hdr[6] ? scale : NULL;
        ref_ternary(in, packed, s, bias_t, t_mult, t_shift, o[1], &pt, scratch);
        edgec_ternary_conv_s8(in, packed, s, bias_t, t_mult, t_shift, o[2], &pt, scratch);
        for (int32_t k = 0; k < n_out + 4; ++k) sums[0][k] = sums[1][k] = 0x5555;
        ref_ternary_sums(in, packed, sums[0], &pt, scratch);
        edgec_ternary_sums_s8(in, packed, sums[1], &pt, scratch);
        /* n_out + 4: the kernels must not write past their output either */
        for (int32_t k = 0; k < n_out + 4; ++k) {
            if (o[0][k] != o[1][k] || o[1][k] != o[2][k] || sums[0][k] != sums[1][k]) {
                ++bad;
                report(i);
                break;
            }
        }
    }
    return bad;
}
