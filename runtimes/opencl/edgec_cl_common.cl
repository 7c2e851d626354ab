/* Shared by every edgec OpenCL program. */
#define EDGEC_RANK 6

/* The CPU kernels' clamp (runtimes/include/edgec_common.h): NaN passes through. */
inline float edgec_act(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}
