/* Mean over some axes (ReduceMean, GlobalAveragePool): the kept dims' shape and strides, the reduced dims' shape and
   strides, right-aligned to rank 6. One work-item per output element. */
__kernel void edgec_mean(__global const float *x, __global float *y, int x_off, int y_off, int count,
                         int o0, int o1, int o2, int o3, int o4, int o5, int os0, int os1, int os2, int os3, int os4,
                         int os5, int r0, int r1, int r2, int r3, int r4, int r5, int rs0, int rs1, int rs2, int rs3,
                         int rs4, int rs5, int red_count) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int oshape[EDGEC_RANK] = {o0, o1, o2, o3, o4, o5}, ostr[EDGEC_RANK] = {os0, os1, os2, os3, os4, os5};
    const int rshape[EDGEC_RANK] = {r0, r1, r2, r3, r4, r5}, rstr[EDGEC_RANK] = {rs0, rs1, rs2, rs3, rs4, rs5};
    int rest = i, base = x_off;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        base += (rest % oshape[d]) * ostr[d];
        rest /= oshape[d];
    }
    float acc = 0.0f;
    for (int j = 0; j < red_count; ++j) {
        int r = j, at = base;
        for (int d = EDGEC_RANK - 1; d >= 0; --d) {
            at += (r % rshape[d]) * rstr[d];
            r /= rshape[d];
        }
        acc += x[at];
    }
    y[y_off + i] = acc / (float)red_count;
}
