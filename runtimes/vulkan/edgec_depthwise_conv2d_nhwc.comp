/* Depthwise convolution, NHWC, weights [k_h][k_w][out_c] (out_c = in_c * multiplier). One invocation per output
   element. */
EDGEC_INT(X_SPACE) EDGEC_INT(W_SPACE) EDGEC_INT(B_SPACE) EDGEC_INT(Y_SPACE)
EDGEC_INT(X_OFF) EDGEC_INT(W_OFF) EDGEC_INT(B_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(IN_H) EDGEC_INT(IN_W) EDGEC_INT(IN_C) EDGEC_INT(OUT_H) EDGEC_INT(OUT_W) EDGEC_INT(OUT_C)
EDGEC_INT(K_H) EDGEC_INT(K_W) EDGEC_INT(STRIDE_H) EDGEC_INT(STRIDE_W) EDGEC_INT(PAD_TOP) EDGEC_INT(PAD_LEFT)
EDGEC_INT(DIL_H) EDGEC_INT(DIL_W) EDGEC_INT(HAS_BIAS) EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int oc = i % OUT_C;
    int t = i / OUT_C;
    const int ox = t % OUT_W;
    t /= OUT_W;
    const int oy = t % OUT_H;
    const int n = t / OUT_H;
    const int ic = oc / (OUT_C / IN_C);
    float acc = HAS_BIAS != 0 ? edgec_load(B_SPACE, B_OFF + oc) : 0.0;
    for (int ky = 0; ky < K_H; ++ky) {
        const int iy = oy * STRIDE_H - PAD_TOP + ky * DIL_H;
        if (iy < 0 || iy >= IN_H) continue;
        for (int kx = 0; kx < K_W; ++kx) {
            const int ix = ox * STRIDE_W - PAD_LEFT + kx * DIL_W;
            if (ix < 0 || ix >= IN_W) continue;
            acc += edgec_load(X_SPACE, X_OFF + ((n * IN_H + iy) * IN_W + ix) * IN_C + ic) *
                   edgec_load(W_SPACE, W_OFF + (ky * K_W + kx) * OUT_C + oc);
        }
    }
    arena[Y_OFF + i] = edgec_act(acc, ACT_LO, ACT_HI);
}
