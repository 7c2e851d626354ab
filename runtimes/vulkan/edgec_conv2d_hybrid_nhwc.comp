/* Hybrid convolution (runtimes/include/edgec_conv2d_hybrid.h, LiteRT's symmetric EvalHybrid): the int8 input Q
   (quantised by edgec_quantize_symmetric_s8, scale range / 127) times the OHWI int8 weights into an int32 sum over
   the in-bounds window, then y = acc * (in_scale * w_scale[0]) + bias[oc], clamped. Int8 offsets are in bytes. NHWC,
   any stride, padding, dilation and groups. One invocation per output element of one batch. */
EDGEC_INT(Q_SPACE) EDGEC_INT(W_SPACE) EDGEC_INT(WS_SPACE) EDGEC_INT(B_SPACE) EDGEC_INT(R_SPACE) EDGEC_INT(Y_SPACE)
EDGEC_INT(Q_OFF) EDGEC_INT(W_OFF) EDGEC_INT(WS_OFF) EDGEC_INT(B_OFF) EDGEC_INT(R_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(IN_H) EDGEC_INT(IN_W) EDGEC_INT(IN_C) EDGEC_INT(OUT_H) EDGEC_INT(OUT_W) EDGEC_INT(OUT_C)
EDGEC_INT(K_H) EDGEC_INT(K_W) EDGEC_INT(STRIDE_H) EDGEC_INT(STRIDE_W) EDGEC_INT(PAD_TOP) EDGEC_INT(PAD_LEFT)
EDGEC_INT(DIL_H) EDGEC_INT(DIL_W) EDGEC_INT(GROUPS) EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int oc = i % OUT_C;
    const int t = i / OUT_C;
    const int ox = t % OUT_W, oy = t / OUT_W;
    const int group_in = IN_C / GROUPS, g = oc / (OUT_C / GROUPS);
    const int wo = W_OFF + oc * K_H * K_W * group_in;
    int acc = 0;
    for (int ky = 0; ky < K_H; ++ky) {
        const int iy = oy * STRIDE_H - PAD_TOP + ky * DIL_H;
        if (iy < 0 || iy >= IN_H) continue;
        for (int kx = 0; kx < K_W; ++kx) {
            const int ix = ox * STRIDE_W - PAD_LEFT + kx * DIL_W;
            if (ix < 0 || ix >= IN_W) continue;
            const int qp = Q_OFF + (iy * IN_W + ix) * IN_C + g * group_in;
            const int wp = wo + (ky * K_W + kx) * group_in;
            for (int c = 0; c < group_in; ++c) acc += edgec_load_s8(Q_SPACE, qp + c) * edgec_load_s8(W_SPACE, wp + c);
        }
    }
    const float r = edgec_load(R_SPACE, R_OFF);
    const float in_scale = r == 0.0 ? 1.0 : r / 127.0;
    const float scale = in_scale * edgec_load(WS_SPACE, WS_OFF);
    precise float y = float(acc) * scale; /* precise: rounded apart from the sum, as the C kernel does */
    y += edgec_load(B_SPACE, B_OFF + oc);
    arena[Y_OFF + i] = edgec_act(y, ACT_LO, ACT_HI);
}
