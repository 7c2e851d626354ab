/* A hybrid layer's activation range, first step: the largest |x| of each chunk of N floats (the last chunk may be
   short). Maxima are exact, so any split gives the CPU kernel's max|x|. One invocation per chunk. */
EDGEC_INT(X_SPACE) EDGEC_INT(P_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(P_OFF) EDGEC_INT(COUNT) EDGEC_INT(N) EDGEC_INT(CHUNK)

void main() {
    const int j = edgec_index();
    if (j >= COUNT) return;
    const int end = min(N, (j + 1) * CHUNK);
    float m = 0.0;
    for (int i = j * CHUNK; i < end; ++i) m = max(m, abs(edgec_load(X_SPACE, X_OFF + i)));
    arena[P_OFF + j] = m;
}
