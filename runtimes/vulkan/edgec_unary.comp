/* One-input element-wise functions, by op code (codegen/opencl_kernels.py UNARY). In place is allowed. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT) EDGEC_INT(OP)
EDGEC_FLOAT(ALPHA) EDGEC_FLOAT(BETA) EDGEC_FLOAT(LO) EDGEC_FLOAT(HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const float v = edgec_load(X_SPACE, X_OFF + i);
    float r;
    if (OP == 0) r = edgec_act(v, LO, HI);
    else if (OP == 1) r = v >= 0.0 ? v : ALPHA * v;
    else if (OP == 2) r = 1.0 / (1.0 + exp(-v));
    else if (OP == 3) r = tanh(v);
    else if (OP == 4) r = edgec_act(ALPHA * v + BETA, 0.0, 1.0);
    else if (OP == 5) r = v * edgec_act(v / 6.0 + 0.5, 0.0, 1.0);
    else if (OP == 6) r = exp(v);
    else if (OP == 7) r = abs(v);
    else if (OP == 8) r = -v;
    else r = sqrt(v);
    arena[Y_OFF + i] = r;
}
