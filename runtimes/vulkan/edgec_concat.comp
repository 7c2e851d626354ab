/* One input of a concatenation into its slot: rows of IN_ROW elements into rows of OUT_ROW at column OFFSET. One
   dispatch per input. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT)
EDGEC_INT(IN_ROW) EDGEC_INT(OUT_ROW) EDGEC_INT(OFFSET)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    arena[Y_OFF + (i / IN_ROW) * OUT_ROW + OFFSET + i % IN_ROW] = edgec_load(X_SPACE, X_OFF + i);
}
