/* Batched matrix product y[..][m][n] = sum_k a[..][m][k] * b[..][k][n] (+ bias[n]), the batch dims broadcast
   (right-aligned shape and per-operand element strides of each matrix, 0 where broadcast). One invocation per
   output element. */
EDGEC_INT(A_SPACE) EDGEC_INT(B_SPACE) EDGEC_INT(BIAS_SPACE) EDGEC_INT(Y_SPACE)
EDGEC_INT(A_OFF) EDGEC_INT(B_OFF) EDGEC_INT(BIAS_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(M) EDGEC_INT(K) EDGEC_INT(N)
EDGEC_INT(S0) EDGEC_INT(S1) EDGEC_INT(S2) EDGEC_INT(S3) EDGEC_INT(S4) EDGEC_INT(S5)
EDGEC_INT(AS0) EDGEC_INT(AS1) EDGEC_INT(AS2) EDGEC_INT(AS3) EDGEC_INT(AS4) EDGEC_INT(AS5)
EDGEC_INT(BS0) EDGEC_INT(BS1) EDGEC_INT(BS2) EDGEC_INT(BS3) EDGEC_INT(BS4) EDGEC_INT(BS5)
EDGEC_INT(HAS_BIAS) EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int col = i % N, row = (i / N) % M;
    int batch = i / (M * N);
    const int shape[EDGEC_RANK] = int[EDGEC_RANK](S0, S1, S2, S3, S4, S5);
    const int astr[EDGEC_RANK] = int[EDGEC_RANK](AS0, AS1, AS2, AS3, AS4, AS5);
    const int bstr[EDGEC_RANK] = int[EDGEC_RANK](BS0, BS1, BS2, BS3, BS4, BS5);
    int ao = A_OFF, bo = B_OFF;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        const int idx = batch % shape[d];
        batch /= shape[d];
        ao += idx * astr[d];
        bo += idx * bstr[d];
    }
    const int ap = ao + row * K, bp = bo + col;
    float acc = 0.0;
    for (int j = 0; j < K; ++j) acc += edgec_load(A_SPACE, ap + j) * edgec_load(B_SPACE, bp + j * N);
    if (HAS_BIAS != 0) acc += edgec_load(BIAS_SPACE, BIAS_OFF + col);
    arena[Y_OFF + i] = edgec_act(acc, ACT_LO, ACT_HI);
}
