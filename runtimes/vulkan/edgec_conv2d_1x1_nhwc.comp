/* Pointwise convolution (1x1 kernel, no padding, one group), NHWC, weights [out_c][in_c]: a matrix product of the
   pixels by the weights. One invocation per output element. */
EDGEC_INT(X_SPACE) EDGEC_INT(W_SPACE) EDGEC_INT(B_SPACE) EDGEC_INT(Y_SPACE)
EDGEC_INT(X_OFF) EDGEC_INT(W_OFF) EDGEC_INT(B_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(IN_H) EDGEC_INT(IN_W) EDGEC_INT(IN_C) EDGEC_INT(OUT_H) EDGEC_INT(OUT_W) EDGEC_INT(OUT_C)
EDGEC_INT(STRIDE_H) EDGEC_INT(STRIDE_W) EDGEC_INT(HAS_BIAS) EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int oc = i % OUT_C;
    int t = i / OUT_C;
    const int ox = t % OUT_W;
    t /= OUT_W;
    const int oy = t % OUT_H;
    const int n = t / OUT_H;
    const int xp = X_OFF + ((n * IN_H + oy * STRIDE_H) * IN_W + ox * STRIDE_W) * IN_C;
    const int wp = W_OFF + oc * IN_C;
    vec4 acc4 = vec4(0.0);
    int c = 0;
    for (; c + 4 <= IN_C; c += 4)
        acc4 += vec4(edgec_load(X_SPACE, xp + c), edgec_load(X_SPACE, xp + c + 1), edgec_load(X_SPACE, xp + c + 2),
                     edgec_load(X_SPACE, xp + c + 3)) *
                vec4(edgec_load(W_SPACE, wp + c), edgec_load(W_SPACE, wp + c + 1), edgec_load(W_SPACE, wp + c + 2),
                     edgec_load(W_SPACE, wp + c + 3));
    float acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
    for (; c < IN_C; ++c) acc += edgec_load(X_SPACE, xp + c) * edgec_load(W_SPACE, wp + c);
    if (HAS_BIAS != 0) acc += edgec_load(B_SPACE, B_OFF + oc);
    arena[Y_OFF + i] = edgec_act(acc, ACT_LO, ACT_HI);
}
