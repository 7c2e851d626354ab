/* A hybrid layer's activation range, second step: range = the largest of the parts partial maxima, written after
   them (partial[parts]). One work-item. */
__kernel void edgec_absmax_final(__global float *partial, int partial_off, int count, int parts) {
    if ((int)get_global_id(0) >= count) return;
    float m = 0.0f;
    for (int j = 0; j < parts; ++j) m = fmax(m, partial[partial_off + j]);
    partial[partial_off + parts] = m;
}
