/* Max / average pooling, NHWC or NCHW, padding, dilation, ceil mode (windows cut at the padded input's end) and
   count_include_pad as the CPU kernel (runtimes/reference/edgec_pool2d_f32.c). One invocation per output element. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT) EDGEC_INT(CHANNELS)
EDGEC_INT(IN_H) EDGEC_INT(IN_W) EDGEC_INT(OUT_H) EDGEC_INT(OUT_W) EDGEC_INT(K_H) EDGEC_INT(K_W)
EDGEC_INT(STRIDE_H) EDGEC_INT(STRIDE_W) EDGEC_INT(DIL_H) EDGEC_INT(DIL_W)
EDGEC_INT(PAD_TOP) EDGEC_INT(PAD_LEFT) EDGEC_INT(PAD_BOTTOM) EDGEC_INT(PAD_RIGHT)
EDGEC_INT(CHANNELS_LAST) EDGEC_INT(COUNT_INCLUDE_PAD) EDGEC_INT(IS_MAX) EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    int c, oy, ox, n, t;
    if (CHANNELS_LAST != 0) {
        c = i % CHANNELS; t = i / CHANNELS; ox = t % OUT_W; t /= OUT_W; oy = t % OUT_H; n = t / OUT_H;
    } else {
        ox = i % OUT_W; t = i / OUT_W; oy = t % OUT_H; t /= OUT_H; c = t % CHANNELS; n = t / CHANNELS;
    }
    const int y0 = oy * STRIDE_H - PAD_TOP, x0 = ox * STRIDE_W - PAD_LEFT;
    float acc = IS_MAX != 0 ? uintBitsToFloat(0xff800000u) : 0.0; /* -infinity */
    int real = 0, padded = 0;
    for (int ky = 0; ky < K_H; ++ky) {
        const int iy = y0 + ky * DIL_H;
        if (iy >= IN_H + PAD_BOTTOM) break;
        for (int kx = 0; kx < K_W; ++kx) {
            const int ix = x0 + kx * DIL_W;
            if (ix >= IN_W + PAD_RIGHT) break;
            ++padded;
            if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W) continue;
            const int at = CHANNELS_LAST != 0 ? ((n * IN_H + iy) * IN_W + ix) * CHANNELS + c
                                              : ((n * CHANNELS + c) * IN_H + iy) * IN_W + ix;
            const float v = edgec_load(X_SPACE, X_OFF + at);
            if (IS_MAX != 0) acc = v > acc ? v : acc;
            else acc += v;
            ++real;
        }
    }
    if (IS_MAX == 0) {
        const int cnt = COUNT_INCLUDE_PAD != 0 ? padded : real;
        acc = cnt > 0 ? acc / float(cnt) : 0.0;
    }
    arena[Y_OFF + i] = edgec_act(acc, ACT_LO, ACT_HI);
}
