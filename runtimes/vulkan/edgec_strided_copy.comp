/* y[i] = x[sum idx_d * stride_d] over the output's right-aligned shape: transposes, slices, broadcasts. One
   invocation per output element. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(S0) EDGEC_INT(S1) EDGEC_INT(S2) EDGEC_INT(S3) EDGEC_INT(S4) EDGEC_INT(S5)
EDGEC_INT(T0) EDGEC_INT(T1) EDGEC_INT(T2) EDGEC_INT(T3) EDGEC_INT(T4) EDGEC_INT(T5)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    /* the dims written out, innermost first: lavapipe does not fold a loop over an array of constants (4x slower) */
    int rest = i, at = X_OFF;
    at += (rest % S5) * T5; rest /= S5;
    at += (rest % S4) * T4; rest /= S4;
    at += (rest % S3) * T3; rest /= S3;
    at += (rest % S2) * T2; rest /= S2;
    at += (rest % S1) * T1; rest /= S1;
    at += rest * T0;
    arena[Y_OFF + i] = edgec_load(X_SPACE, at);
}
