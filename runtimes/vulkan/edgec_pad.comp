/* Constant padding, rank <= 6 (right-aligned input shape, output shape and leading pads). One invocation per output
   element. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(I0) EDGEC_INT(I1) EDGEC_INT(I2) EDGEC_INT(I3) EDGEC_INT(I4) EDGEC_INT(I5)
EDGEC_INT(O0) EDGEC_INT(O1) EDGEC_INT(O2) EDGEC_INT(O3) EDGEC_INT(O4) EDGEC_INT(O5)
EDGEC_INT(P0) EDGEC_INT(P1) EDGEC_INT(P2) EDGEC_INT(P3) EDGEC_INT(P4) EDGEC_INT(P5) EDGEC_FLOAT(VALUE)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int ishape[EDGEC_RANK] = int[EDGEC_RANK](I0, I1, I2, I3, I4, I5);
    const int oshape[EDGEC_RANK] = int[EDGEC_RANK](O0, O1, O2, O3, O4, O5);
    const int before[EDGEC_RANK] = int[EDGEC_RANK](P0, P1, P2, P3, P4, P5);
    int rest = i, at = 0, stride = 1;
    bool inside = true;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        const int idx = rest % oshape[d] - before[d];
        rest /= oshape[d];
        if (idx < 0 || idx >= ishape[d]) inside = false;
        at += idx * stride;
        stride *= ishape[d];
    }
    arena[Y_OFF + i] = inside ? edgec_load(X_SPACE, X_OFF + at) : VALUE;
}
