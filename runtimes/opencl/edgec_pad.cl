/* Constant padding, rank <= 6 (right-aligned input shape, output shape and leading pads). One work-item per output
   element. */
__kernel void edgec_pad(__global const float *x, __global float *y, int x_off, int y_off, int count,
                        int i0, int i1, int i2, int i3, int i4, int i5, int o0, int o1, int o2, int o3, int o4, int o5,
                        int p0, int p1, int p2, int p3, int p4, int p5, float value) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int ishape[EDGEC_RANK] = {i0, i1, i2, i3, i4, i5}, oshape[EDGEC_RANK] = {o0, o1, o2, o3, o4, o5};
    const int before[EDGEC_RANK] = {p0, p1, p2, p3, p4, p5};
    int rest = i, at = 0, stride = 1, inside = 1;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        const int idx = rest % oshape[d] - before[d];
        rest /= oshape[d];
        if (idx < 0 || idx >= ishape[d]) inside = 0;
        at += idx * stride;
        stride *= ishape[d];
    }
    y[y_off + i] = inside ? x[x_off + at] : value;
}
