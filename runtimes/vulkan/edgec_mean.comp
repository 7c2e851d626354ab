/* Mean over some axes (ReduceMean, GlobalAveragePool): the kept dims' shape and strides, the reduced dims' shape and
   strides, right-aligned to rank 6. One invocation per output element. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(O0) EDGEC_INT(O1) EDGEC_INT(O2) EDGEC_INT(O3) EDGEC_INT(O4) EDGEC_INT(O5)
EDGEC_INT(OS0) EDGEC_INT(OS1) EDGEC_INT(OS2) EDGEC_INT(OS3) EDGEC_INT(OS4) EDGEC_INT(OS5)
EDGEC_INT(R0) EDGEC_INT(R1) EDGEC_INT(R2) EDGEC_INT(R3) EDGEC_INT(R4) EDGEC_INT(R5)
EDGEC_INT(RS0) EDGEC_INT(RS1) EDGEC_INT(RS2) EDGEC_INT(RS3) EDGEC_INT(RS4) EDGEC_INT(RS5)
EDGEC_INT(RED_COUNT)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int oshape[EDGEC_RANK] = int[EDGEC_RANK](O0, O1, O2, O3, O4, O5);
    const int ostr[EDGEC_RANK] = int[EDGEC_RANK](OS0, OS1, OS2, OS3, OS4, OS5);
    const int rshape[EDGEC_RANK] = int[EDGEC_RANK](R0, R1, R2, R3, R4, R5);
    const int rstr[EDGEC_RANK] = int[EDGEC_RANK](RS0, RS1, RS2, RS3, RS4, RS5);
    int rest = i, base = X_OFF;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        base += (rest % oshape[d]) * ostr[d];
        rest /= oshape[d];
    }
    float acc = 0.0;
    for (int j = 0; j < RED_COUNT; ++j) {
        int r = j, at = base;
        for (int d = EDGEC_RANK - 1; d >= 0; --d) {
            at += (r % rshape[d]) * rstr[d];
            r /= rshape[d];
        }
        acc += edgec_load(X_SPACE, at);
    }
    arena[Y_OFF + i] = acc / float(RED_COUNT);
}
