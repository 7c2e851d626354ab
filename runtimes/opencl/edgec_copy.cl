/* A dense copy (a reshape the planner could not make a view). Global size: the elements. */
__kernel void edgec_copy(__global const float *x, __global float *y, int x_off, int y_off, int count) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    y[y_off + i] = x[x_off + i];
}
