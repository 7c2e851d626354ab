/* Softmax (or log-softmax) along one axis of a dense [outer][axis][inner] tensor, max-subtracted. One invocation per
   (outer, inner) row. */
EDGEC_INT(X_SPACE) EDGEC_INT(Y_SPACE) EDGEC_INT(X_OFF) EDGEC_INT(Y_OFF) EDGEC_INT(COUNT) EDGEC_INT(AXIS)
EDGEC_INT(INNER) EDGEC_INT(LOG_SOFTMAX) EDGEC_FLOAT(BETA)

void main() {
    const int i = edgec_index();
    if (i >= COUNT) return;
    const int base = (i / INNER) * AXIS * INNER + i % INNER;
    const int xp = X_OFF + base, yp = Y_OFF + base;
    float mx = uintBitsToFloat(0xff800000u); /* -infinity */
    for (int j = 0; j < AXIS; ++j) mx = max(mx, edgec_load(X_SPACE, xp + j * INNER));
    float sum = 0.0;
    for (int j = 0; j < AXIS; ++j) sum += exp(BETA * (edgec_load(X_SPACE, xp + j * INNER) - mx));
    if (LOG_SOFTMAX != 0) {
        const float ls = log(sum);
        for (int j = 0; j < AXIS; ++j) arena[yp + j * INNER] = BETA * (edgec_load(X_SPACE, xp + j * INNER) - mx) - ls;
    } else {
        for (int j = 0; j < AXIS; ++j) arena[yp + j * INNER] = exp(BETA * (edgec_load(X_SPACE, xp + j * INNER) - mx)) / sum;
    }
}
