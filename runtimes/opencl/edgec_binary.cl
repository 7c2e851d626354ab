/* Element-wise a (op) b with NumPy broadcasting: the output's right-aligned shape and each operand's element strides
   (0 where broadcast). Global size: the output's elements. Each work-item reads its own elements before writing
   its own, so the output may be the buffer of a same-shaped input (memory/inplace.py). */
#define EDGEC_OP_ADD 0
#define EDGEC_OP_SUB 1
#define EDGEC_OP_MUL 2
#define EDGEC_OP_DIV 3
#define EDGEC_OP_MAX 4
#define EDGEC_OP_MIN 5
#define EDGEC_OP_PRELU 6
__kernel void edgec_binary(__global const float *a, __global const float *b, __global float *y,
                           int a_off, int b_off, int y_off, int count, int op,
                           int s0, int s1, int s2, int s3, int s4, int s5,
                           int as0, int as1, int as2, int as3, int as4, int as5,
                           int bs0, int bs1, int bs2, int bs3, int bs4, int bs5, float act_lo, float act_hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const int shape[EDGEC_RANK] = {s0, s1, s2, s3, s4, s5};
    const int astr[EDGEC_RANK] = {as0, as1, as2, as3, as4, as5}, bstr[EDGEC_RANK] = {bs0, bs1, bs2, bs3, bs4, bs5};
    int rest = i, ao = a_off, bo = b_off;
    for (int d = EDGEC_RANK - 1; d >= 0; --d) {
        const int idx = rest % shape[d];
        rest /= shape[d];
        ao += idx * astr[d];
        bo += idx * bstr[d];
    }
    const float u = a[ao], v = b[bo];
    float r;
    switch (op) {
    case EDGEC_OP_ADD: r = u + v; break;
    case EDGEC_OP_SUB: r = u - v; break;
    case EDGEC_OP_MUL: r = u * v; break;
    case EDGEC_OP_DIV: r = u / v; break;
    case EDGEC_OP_MAX: r = u > v ? u : v; break;
    case EDGEC_OP_MIN: r = u < v ? u : v; break;
    default: r = u >= 0.0f ? u : v * u; break; /* EDGEC_OP_PRELU */
    }
    y[y_off + i] = edgec_act(r, act_lo, act_hi);
}
