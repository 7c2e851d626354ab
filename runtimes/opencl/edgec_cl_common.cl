/* Shared by every edgec OpenCL program. */
#define EDGEC_RANK 6

/* The CPU kernels' clamp (runtimes/include/edgec_common.h): NaN passes through. */
inline float edgec_act(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

/* The coordinates of element i of an NHWC tensor [n][out_h][out_w][out_c] (a convolution's one work-item per output
   element): (oc, ox, oy, n) in (x, y, z, w). */
inline int4 edgec_nhwc_coords(int i, int out_h, int out_w, int out_c) {
    const int oc = i % out_c, t = i / out_c;
    const int ox = t % out_w, u = t / out_w;
    return (int4)(oc, ox, u % out_h, u / out_h);
}
