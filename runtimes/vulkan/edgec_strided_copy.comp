/* y[i] = x[sum idx_d * stride_d] over the output's right-aligned shape: transposes, slices, broadcasts. One
   invocation per output element. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(S0) EDGEC_INT(S1) EDGEC_INT(S2) EDGEC_INT(S3) EDGEC_INT(S4) EDGEC_INT(S5)
EDGEC_INT(T0) EDGEC_INT(T1) EDGEC_INT(T2) EDGEC_INT(T3) EDGEC_INT(T4) EDGEC_INT(T5)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int shape[EDGEC_RANK] = int[EDGEC_RANK](S0, S1, S2, S3, S4, S5);
    const int str[EDGEC_RANK] = int[EDGEC_RANK](T0, T1, T2, T3, T4, T5);
    int rest = i, at = X_OFF;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        at += (rest % shape[d]) * str[d];
        rest /= shape[d];
    }
    arena[Y_OFF + i] = edgec_load(X_SPACE, at);
}
