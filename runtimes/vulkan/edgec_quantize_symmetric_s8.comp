/* LiteRT's symmetric input quantisation (runtimes/reference/edgec_hybrid_quantize.c, SymmetricQuantizeFloats):
   q = clamp(round(x * (127 / range)), -127, 127), halfway cases away from zero as roundf (GLSL's round() may go
   either way); all zero when range is 0. One invocation per 32-bit word of q: four int8, little-endian. Q_OFF is a
   byte offset on a word boundary. */
EDGEC_INT(X_SPACE) EDGEC_INT(R_SPACE) EDGEC_INT(Q_SPACE)
EDGEC_INT(X_OFF) EDGEC_INT(R_OFF) EDGEC_INT(Q_OFF) EDGEC_INT(COUNT) EDGEC_INT(N)

float round_half_away(float v) {
    const float t = trunc(v);
    return abs(v - t) >= 0.5 ? t + sign(v) : t; /* v - t is exact */
}

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const float r = arena[R_OFF];
    const float inv = 127.0 / r;
    uint word = 0u;
    for (int k = 0; k < 4 && 4 * i + k < N; ++k) {
        const float x = edgec_load(X_SPACE, X_OFF + 4 * i + k);
        const float v = r == 0.0 ? 0.0 : clamp(round_half_away(x * inv), -127.0, 127.0);
        word |= (uint(int(v)) & 0xFFu) << (8 * k);
    }
    arena_words[(Q_OFF >> 2) + i] = word;
}
