/* Convolution, NHWC input and output, OHWI weights (I = in_c / groups), any stride, padding, dilation and groups.
   One invocation per output element. */
EDGEC_INT(X_SPACE) EDGEC_INT(W_SPACE) EDGEC_INT(B_SPACE) EDGEC_INT(Y_SPACE)
EDGEC_INT(X_OFF) EDGEC_INT(W_OFF) EDGEC_INT(B_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(IN_H) EDGEC_INT(IN_W) EDGEC_INT(IN_C) EDGEC_INT(OUT_H) EDGEC_INT(OUT_W) EDGEC_INT(OUT_C)
EDGEC_INT(K_H) EDGEC_INT(K_W) EDGEC_INT(STRIDE_H) EDGEC_INT(STRIDE_W) EDGEC_INT(PAD_TOP) EDGEC_INT(PAD_LEFT)
EDGEC_INT(DIL_H) EDGEC_INT(DIL_W) EDGEC_INT(GROUPS) EDGEC_INT(HAS_BIAS) EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int oc = i % OUT_C;
    int t = i / OUT_C;
    const int ox = t % OUT_W;
    t /= OUT_W;
    const int oy = t % OUT_H;
    const int n = t / OUT_H;
    const int group_in = IN_C / GROUPS, g = oc / (OUT_C / GROUPS);
    float acc = HAS_BIAS != 0 ? edgec_load(B_SPACE, B_OFF + oc) : 0.0;
    const int wo = W_OFF + oc * K_H * K_W * group_in;
    for (int ky = 0; ky < K_H; ++ky) {
        const int iy = oy * STRIDE_H - PAD_TOP + ky * DIL_H;
        if (iy < 0 || iy >= IN_H) continue;
        for (int kx = 0; kx < K_W; ++kx) {
            const int ix = ox * STRIDE_W - PAD_LEFT + kx * DIL_W;
            if (ix < 0 || ix >= IN_W) continue;
            const int xp = X_OFF + ((n * IN_H + iy) * IN_W + ix) * IN_C + g * group_in;
            const int wp = wo + (ky * K_W + kx) * group_in;
            for (int c = 0; c < group_in; ++c) acc += edgec_load(X_SPACE, xp + c) * edgec_load(W_SPACE, wp + c);
        }
    }
    arena[Y_OFF + i] = edgec_act(acc, ACT_LO, ACT_HI);
}
