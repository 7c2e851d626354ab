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
    /* the dims written out, innermost first: lavapipe does not fold a loop over an array of constants */
    int rest = i, ao = A_OFF, bo = B_OFF, idx;
    idx = rest % S5; rest /= S5; ao += idx * AS5; bo += idx * BS5;
    idx = rest % S4; rest /= S4; ao += idx * AS4; bo += idx * BS4;
    idx = rest % S3; rest /= S3; ao += idx * AS3; bo += idx * BS3;
    idx = rest % S2; rest /= S2; ao += idx * AS2; bo += idx * BS2;
    idx = rest % S1; rest /= S1; ao += idx * AS1; bo += idx * BS1;
    ao += rest * AS0; bo += rest * BS0;
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
