/* edgec's Vulkan host runtime: plain C99 + POSIX dlopen, no Vulkan headers or library needed at build time
 * (edgec_vk_api.h declares the few Vulkan 1.0 types it uses).
 *
 * The model's generated model.c holds its compute shaders as SPIR-V words (compiled by edgec at compile time from
 * its GLSL templates, the .comp files here) and its dispatches (one shader and its specialization constants each,
 * in execution order). This file loads libvulkan at run time, so a binary built with it starts on a machine without
 * any Vulkan driver and then fails with EDGEC_VK_ERR_NO_LIBRARY. Init builds one compute pipeline per dispatch,
 * one device arena and one weights buffer (uploaded once), and records every dispatch into one command buffer;
 * a run copies the inputs in, submits that command buffer, waits, and copies the outputs out. Every function
 * returns an error code; nothing is printed, nothing aborts.
 */
#ifndef EDGEC_VULKAN_H
#define EDGEC_VULKAN_H

#include <stddef.h>
#include <stdint.h>

#include "edgec_vk_api.h"

#define EDGEC_VK_OK 0
#define EDGEC_VK_ERR_ARGUMENT (-1)        /* a NULL pointer, or a dispatch with too many constants */
#define EDGEC_VK_ERR_NO_LIBRARY (-2)      /* libvulkan could not be loaded (no Vulkan loader / driver installed) */
#define EDGEC_VK_ERR_MISSING_SYMBOL (-3)  /* the library lacks a Vulkan 1.0 entry point */
#define EDGEC_VK_ERR_NO_DEVICE (-4)       /* no Vulkan instance, device or compute queue */
#define EDGEC_VK_ERR_DEVICE (-5)          /* the logical device or its command objects could not be created */
#define EDGEC_VK_ERR_PIPELINE (-6)        /* a layer's shader module or compute pipeline did not build */
#define EDGEC_VK_ERR_RECORD (-7)          /* descriptors or the command buffer could not be set up */
#define EDGEC_VK_ERR_MEMORY (-8)          /* the device arena, weights or staging buffer could not be allocated */
#define EDGEC_VK_ERR_RUN (-9)             /* a submission failed or did not finish */
#define EDGEC_VK_ERR_NOT_INITIALIZED (-10)
#define EDGEC_VK_ERR_NO_TIMESTAMPS (-11)  /* the queue has no timestamps: no per-layer profiling */

/* The library edgec_vk_init loads: this soname, unless the environment variable EDGEC_VULKAN_LIBRARY names another
   file (a vendor's loader outside the search path, or a missing one to test the failure). */
#define EDGEC_VK_LIBRARY "libvulkan.so.1"
#define EDGEC_VK_LIBRARY_ENV "EDGEC_VULKAN_LIBRARY"
#define EDGEC_VK_LOCAL_SIZE 64u   /* invocations per workgroup, every shader (local_size_x in the templates) */
#define EDGEC_VK_MAX_CONSTANTS 64u /* specialization constants per dispatch */

/* A shader template compiled to SPIR-V. */
typedef struct {
    const char *name;
    const uint32_t *code;
    size_t words;
} edgec_vk_shader;

/* One dispatch: a shader specialised by its constants (ids 0..n_constants-1, 32-bit ints or float bit patterns:
   the tensors' buffers, their element offsets, the invocation count, the layer's parameters), over count
   invocations in workgroups of EDGEC_VK_LOCAL_SIZE. */
typedef struct {
    uint32_t shader;
    int32_t layer; /* report.json's layer index */
    uint32_t n_constants;
    const uint32_t *constants;
    uint32_t count;
} edgec_vk_dispatch;

typedef struct {
    size_t offset, bytes; /* in the arena */
} edgec_vk_io;

typedef struct {
    const edgec_vk_shader *shaders;
    size_t n_shaders;
    const edgec_vk_dispatch *dispatches;
    size_t n_dispatches;
    size_t arena_bytes;
    const void *weights;
    size_t weights_bytes;
    const edgec_vk_io *inputs, *outputs;
    size_t n_inputs, n_outputs;
} edgec_vk_model;

/* Storage the generated model.c owns, sized for its model. */
typedef struct {
    VkShaderModule *modules;  /* n_shaders */
    VkPipeline *pipelines;    /* n_dispatches */
    uint64_t *timestamps;     /* n_dispatches + 1 */
} edgec_vk_storage;

typedef void (*edgec_vk_fn)(void); /* the stored type of a loaded entry point (cast back before a call) */

typedef struct {
    void *library;
    edgec_vk_fn fn[56]; /* entry points, in edgec_vulkan.c's order */
    edgec_vk_storage storage;
    VkInstance instance;
    VkPhysicalDevice physical;
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;
    VkPhysicalDeviceMemoryProperties memory;
    VkBuffer arena, weights, staging;
    VkDeviceMemory arena_memory, weights_memory, staging_memory;
    unsigned char *mapped; /* the staging buffer: inputs, then outputs */
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout pipeline_layout;
    VkDescriptorPool descriptor_pool;
    VkDescriptorSet descriptor_set;
    VkCommandPool command_pool;
    VkCommandBuffer run_commands, profiled_commands; /* recorded once at init */
    VkFence fence;
    VkQueryPool queries;   /* 0 when the queue has no timestamps */
    float timestamp_period; /* ns per tick */
    uint64_t timestamp_mask;
    uint32_t max_groups[2];
    int32_t last_vk_error; /* the VkResult of the call that failed */
    int32_t failed_layer;  /* the layer whose pipeline failed, -1 if none */
    char detail[512];      /* the Vulkan call that failed */
} edgec_vk_state;

int edgec_vk_init(edgec_vk_state *s, const edgec_vk_model *m, edgec_vk_storage storage);
/* inputs / outputs: one pointer per model input / output. layer_ns: NULL, or one uint64_t per layer (zeroed by the
   caller) that receives the sum of the layer's dispatch times from timestamp queries, in nanoseconds. */
int edgec_vk_run(edgec_vk_state *s, const edgec_vk_model *m, const void *const *inputs, void *const *outputs,
                 uint64_t *layer_ns);
void edgec_vk_deinit(edgec_vk_state *s, const edgec_vk_model *m);
const char *edgec_vk_error_name(int code);

#endif /* EDGEC_VULKAN_H */
