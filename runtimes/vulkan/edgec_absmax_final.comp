/* A hybrid layer's activation range, second step: range = the largest of the PARTS partial maxima, written after
   them. One invocation. */
EDGEC_INT(P_SPACE) EDGEC_INT(P_OFF) EDGEC_INT(COUNT) EDGEC_INT(PARTS)

void main() {
    if (edgec_index() >= COUNT) return;
    float m = 0.0;
    for (int j = 0; j < PARTS; ++j) m = max(m, arena[P_OFF + j]);
    arena[P_OFF + PARTS] = m;
}
