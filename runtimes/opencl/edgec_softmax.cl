/* Softmax (or log-softmax) along one axis of a dense [outer][axis][inner] tensor, max-subtracted. One work-item per
   (outer, inner) row; global size outer * inner. */
__kernel void edgec_softmax(__global const float *x, __global float *y, int x_off, int y_off, int count, int axis, int inner,
                            int log_softmax, float beta) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int base = (i / inner) * axis * inner + i % inner;
    const __global float *xp = x + x_off + base;
    __global float *yp = y + y_off + base;
    float mx = -INFINITY;
    for (int j = 0; j < axis; ++j) mx = fmax(mx, xp[j * inner]);
    float sum = 0.0f;
    for (int j = 0; j < axis; ++j) sum += exp(beta * (xp[j * inner] - mx));
    if (log_softmax) {
        const float ls = log(sum);
        for (int j = 0; j < axis; ++j) yp[j * inner] = beta * (xp[j * inner] - mx) - ls;
    } else {
        for (int j = 0; j < axis; ++j) yp[j * inner] = exp(beta * (xp[j * inner] - mx)) / sum;
    }
}
