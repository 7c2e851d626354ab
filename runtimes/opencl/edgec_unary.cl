/* One-input element-wise functions, by op code. Global size: the elements. In place is allowed. */
#define EDGEC_UN_CLAMP 0
#define EDGEC_UN_LEAKY_RELU 1
#define EDGEC_UN_SIGMOID 2
#define EDGEC_UN_TANH 3
#define EDGEC_UN_HARD_SIGMOID 4
#define EDGEC_UN_HARD_SWISH 5
#define EDGEC_UN_EXP 6
#define EDGEC_UN_ABS 7
#define EDGEC_UN_NEG 8
#define EDGEC_UN_SQRT 9
__kernel void edgec_unary(__global const float *x, __global float *y, int x_off, int y_off, int count, int op,
                          float alpha, float beta, float lo, float hi) {
    const int i = (int)get_global_id(0);
    if (i >= count) return; /* the range is rounded up to whole work-groups */
    const float v = x[x_off + i];
    float r;
    switch (op) {
    case EDGEC_UN_CLAMP: r = edgec_act(v, lo, hi); break;
    case EDGEC_UN_LEAKY_RELU: r = v >= 0.0f ? v : alpha * v; break;
    case EDGEC_UN_SIGMOID: r = 1.0f / (1.0f + exp(-v)); break;
    case EDGEC_UN_TANH: r = tanh(v); break;
    case EDGEC_UN_HARD_SIGMOID: r = edgec_act(alpha * v + beta, 0.0f, 1.0f); break;
    case EDGEC_UN_HARD_SWISH: r = v * edgec_act(v / 6.0f + 0.5f, 0.0f, 1.0f); break;
    case EDGEC_UN_EXP: r = exp(v); break;
    case EDGEC_UN_ABS: r = fabs(v); break;
    case EDGEC_UN_NEG: r = -v; break;
    default: r = sqrt(v); break; /* EDGEC_UN_SQRT */
    }
    y[y_off + i] = r;
}
