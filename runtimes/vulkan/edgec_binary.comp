/* Element-wise a (op) b with NumPy broadcasting: the output's right-aligned shape and each operand's element strides
   (0 where broadcast). One invocation per output element; each reads its own elements before writing its own, so
   the output may be the buffer of a same-shaped input (memory/inplace.py). */
EDGEC_INT(A_SPACE) EDGEC_INT(B_SPACE) EDGEC_INT(Y_SPACE)
EDGEC_INT(A_OFF) EDGEC_INT(B_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT) EDGEC_INT(OP)
EDGEC_INT(S0) EDGEC_INT(S1) EDGEC_INT(S2) EDGEC_INT(S3) EDGEC_INT(S4) EDGEC_INT(S5)
EDGEC_INT(AS0) EDGEC_INT(AS1) EDGEC_INT(AS2) EDGEC_INT(AS3) EDGEC_INT(AS4) EDGEC_INT(AS5)
EDGEC_INT(BS0) EDGEC_INT(BS1) EDGEC_INT(BS2) EDGEC_INT(BS3) EDGEC_INT(BS4) EDGEC_INT(BS5)
EDGEC_FLOAT(ACT_LO) EDGEC_FLOAT(ACT_HI)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return; /* the range is rounded up to whole workgroups */
    const int shape[EDGEC_RANK] = int[EDGEC_RANK](S0, S1, S2, S3, S4, S5);
    const int astr[EDGEC_RANK] = int[EDGEC_RANK](AS0, AS1, AS2, AS3, AS4, AS5);
    const int bstr[EDGEC_RANK] = int[EDGEC_RANK](BS0, BS1, BS2, BS3, BS4, BS5);
    int rest = i, ao = A_OFF, bo = B_OFF;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        const int idx = rest % shape[d];
        rest /= shape[d];
        ao += idx * astr[d];
        bo += idx * bstr[d];
    }
    const float u = edgec_load(A_SPACE, ao), v = edgec_load(B_SPACE, bo);
    float r;
    if (OP == 0) r = u + v;
    else if (OP == 1) r = u - v;
    else if (OP == 2) r = u * v;
    else if (OP == 3) r = u / v;
    else if (OP == 4) r = u > v ? u : v;
    else if (OP == 5) r = u < v ? u : v;
    else r = u >= 0.0 ? u : v * u; /* prelu */
    arena[Y_OFF + i] = edgec_act(r, ACT_LO, ACT_HI);
}
