/* Which inline asm the Cortex-M float kernels (runtimes/cortex-m) may use: one test for all of them. */
#ifndef EDGEC_CM_FPU_H
#define EDGEC_CM_FPU_H

/* A single-precision FPU with VFMA (FPv4: M4; FPv5: M7, M33, M55), gcc-style inline asm, and optimisation on: at
 * -O0 gcc cannot give the asm its registers. Elsewhere (the host tests, the M0) the kernels' C loops run. */
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 4) && defined(__ARM_FEATURE_FMA) && defined(__GNUC__) && \
    defined(__OPTIMIZE__)
#define EDGEC_CM_FPU_ASM 1
#else
#define EDGEC_CM_FPU_ASM 0
#endif

/* FPv5 (M7 with double precision, M33, M55) has VMAXNM / VMINNM; FPv4 (M4) does not. */
#if EDGEC_CM_FPU_ASM && (__ARM_ARCH >= 8 || (__ARM_FP & 8))
#define EDGEC_CM_FPV5 1
#else
#define EDGEC_CM_FPV5 0
#endif

#endif
