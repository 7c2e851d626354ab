#version 450
/* Shared by every edgec compute shader: the compiler puts it first. Binding 0 is the device arena (every
   activation at the memory planner's offsets), binding 1 the weights; a tensor's buffer (its *_SPACE: 0 arena,
   1 weights) and element offset are specialization constants, so each layer's pipeline reads exactly its own. */
layout(local_size_x = 64) in; /* EDGEC_VK_LOCAL_SIZE in edgec_vulkan.h */
layout(std430, set = 0, binding = 0) buffer EdgecArena { float arena[]; };
layout(std430, set = 0, binding = 1) readonly buffer EdgecWeights { float weights[]; };
/* The same two buffers as 32-bit words, for int8 data (four to a word; GLSL 4.50 has no 8-bit storage without an
   extension): a hybrid layer's weights and quantised input. Vulkan lets variables share a binding. */
layout(std430, set = 0, binding = 0) buffer EdgecArenaWords { uint arena_words[]; };
layout(std430, set = 0, binding = 1) readonly buffer EdgecWeightWords { uint weight_words[]; };
#define EDGEC_RANK 6

/* A constant space folds this to one load when the pipeline is specialised. */
float edgec_load(int space, int i) {
    return space == 0 ? arena[i] : weights[i];
}

/* The int8 at byte offset i of a buffer, sign-extended. */
int edgec_load_s8(int space, int i) {
    const uint word = space == 0 ? arena_words[i >> 2] : weight_words[i >> 2];
    return bitfieldExtract(int(word), (i & 3) * 8, 8);
}

/* The CPU kernels' clamp (runtimes/include/edgec_common.h): NaN passes through. */
float edgec_act(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

/* The invocation's element: the host may split a long range over a 2-D grid of workgroups. */
int edgec_index() {
    return int((gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x + gl_LocalInvocationID.x);
}
