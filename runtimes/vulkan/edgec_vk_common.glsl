#version 450
/* Shared by every edgec compute shader: the compiler puts it first. Binding 0 is the device arena (every
   activation at the memory planner's offsets), binding 1 the weights; a tensor's buffer (its *_SPACE: 0 arena,
   1 weights) and element offset are specialization constants, so each layer's pipeline reads exactly its own. */
layout(local_size_x = 64) in; /* EDGEC_VK_LOCAL_SIZE in edgec_vulkan.h */
layout(std430, set = 0, binding = 0) buffer EdgecArena { float arena[]; };
layout(std430, set = 0, binding = 1) readonly buffer EdgecWeights { float weights[]; };
#define EDGEC_RANK 6

/* A constant space folds this to one load when the pipeline is specialised. */
float edgec_load(int space, int i) {
    return space == 0 ? arena[i] : weights[i];
}

/* The CPU kernels' clamp (runtimes/include/edgec_common.h): NaN passes through. */
float edgec_act(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

/* The invocation's element: the host may split a long range over a 2-D grid of workgroups. */
int edgec_index() {
    return int((gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x + gl_LocalInvocationID.x);
}
