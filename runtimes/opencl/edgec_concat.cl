/* One input of a concatenation into its slot: rows of in_row elements into rows of out_row at column offset.
   Global size outer * in_row; a concat is one launch per input. */
__kernel void edgec_concat(__global const float *x, __global float *y, int x_off, int y_off, int count, int in_row, int out_row,
                           int offset) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    y[y_off + (i / in_row) * out_row + offset + i % in_row] = x[x_off + i];
}
