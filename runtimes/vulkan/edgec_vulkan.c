/* edgec's Vulkan host runtime (see edgec_vulkan.h). POSIX for dlopen; everything else is C99. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec_vulkan.h"

#define EDGEC_VK_WAIT_NS 600000000000ull /* a run that takes longer than 10 minutes has failed */

typedef const VkAllocationCallbacks *Alloc;
typedef edgec_vk_fn (*GetInstanceProcAddr)(VkInstance, const char *);
typedef VkResult (*CreateInstance)(const VkInstanceCreateInfo *, Alloc, VkInstance *);
typedef void (*DestroyInstance)(VkInstance, Alloc);
typedef VkResult (*EnumeratePhysicalDevices)(VkInstance, uint32_t *, VkPhysicalDevice *);
typedef void (*GetPhysicalDeviceProperties)(VkPhysicalDevice, VkPhysicalDeviceProperties *);
typedef void (*GetPhysicalDeviceQueueFamilyProperties)(VkPhysicalDevice, uint32_t *, VkQueueFamilyProperties *);
typedef void (*GetPhysicalDeviceMemoryProperties)(VkPhysicalDevice, VkPhysicalDeviceMemoryProperties *);
typedef VkResult (*CreateDevice)(VkPhysicalDevice, const VkDeviceCreateInfo *, Alloc, VkDevice *);
typedef void (*DestroyDevice)(VkDevice, Alloc);
typedef void (*GetDeviceQueue)(VkDevice, uint32_t, uint32_t, VkQueue *);
typedef VkResult (*CreateBuffer)(VkDevice, const VkBufferCreateInfo *, Alloc, VkBuffer *);
typedef void (*DestroyBuffer)(VkDevice, VkBuffer, Alloc);
typedef void (*GetBufferMemoryRequirements)(VkDevice, VkBuffer, VkMemoryRequirements *);
typedef VkResult (*AllocateMemory)(VkDevice, const VkMemoryAllocateInfo *, Alloc, VkDeviceMemory *);
typedef void (*FreeMemory)(VkDevice, VkDeviceMemory, Alloc);
typedef VkResult (*BindBufferMemory)(VkDevice, VkBuffer, VkDeviceMemory, VkDeviceSize);
typedef VkResult (*MapMemory)(VkDevice, VkDeviceMemory, VkDeviceSize, VkDeviceSize, VkMemoryMapFlags, void **);
typedef void (*UnmapMemory)(VkDevice, VkDeviceMemory);
typedef VkResult (*CreateShaderModule)(VkDevice, const VkShaderModuleCreateInfo *, Alloc, VkShaderModule *);
typedef void (*DestroyShaderModule)(VkDevice, VkShaderModule, Alloc);
typedef VkResult (*CreateDescriptorSetLayout)(VkDevice, const VkDescriptorSetLayoutCreateInfo *, Alloc,
                                              VkDescriptorSetLayout *);
typedef void (*DestroyDescriptorSetLayout)(VkDevice, VkDescriptorSetLayout, Alloc);
typedef VkResult (*CreatePipelineLayout)(VkDevice, const VkPipelineLayoutCreateInfo *, Alloc, VkPipelineLayout *);
typedef void (*DestroyPipelineLayout)(VkDevice, VkPipelineLayout, Alloc);
typedef VkResult (*CreateComputePipelines)(VkDevice, VkPipelineCache, uint32_t, const VkComputePipelineCreateInfo *,
                                           Alloc, VkPipeline *);
typedef void (*DestroyPipeline)(VkDevice, VkPipeline, Alloc);
typedef VkResult (*CreateDescriptorPool)(VkDevice, const VkDescriptorPoolCreateInfo *, Alloc, VkDescriptorPool *);
typedef void (*DestroyDescriptorPool)(VkDevice, VkDescriptorPool, Alloc);
typedef VkResult (*AllocateDescriptorSets)(VkDevice, const VkDescriptorSetAllocateInfo *, VkDescriptorSet *);
typedef void (*UpdateDescriptorSets)(VkDevice, uint32_t, const VkWriteDescriptorSet *, uint32_t, const void *);
typedef VkResult (*CreateCommandPool)(VkDevice, const VkCommandPoolCreateInfo *, Alloc, VkCommandPool *);
typedef void (*DestroyCommandPool)(VkDevice, VkCommandPool, Alloc);
typedef VkResult (*AllocateCommandBuffers)(VkDevice, const VkCommandBufferAllocateInfo *, VkCommandBuffer *);
typedef VkResult (*BeginCommandBuffer)(VkCommandBuffer, const VkCommandBufferBeginInfo *);
typedef VkResult (*EndCommandBuffer)(VkCommandBuffer);
typedef void (*CmdBindPipeline)(VkCommandBuffer, VkPipelineBindPoint, VkPipeline);
typedef void (*CmdBindDescriptorSets)(VkCommandBuffer, VkPipelineBindPoint, VkPipelineLayout, uint32_t, uint32_t,
                                      const VkDescriptorSet *, uint32_t, const uint32_t *);
typedef void (*CmdDispatch)(VkCommandBuffer, uint32_t, uint32_t, uint32_t);
typedef void (*CmdPipelineBarrier)(VkCommandBuffer, VkPipelineStageFlags, VkPipelineStageFlags, VkDependencyFlags,
                                   uint32_t, const VkMemoryBarrier *, uint32_t, const VkBufferMemoryBarrier *,
                                   uint32_t, const VkImageMemoryBarrier *);
typedef void (*CmdCopyBuffer)(VkCommandBuffer, VkBuffer, VkBuffer, uint32_t, const VkBufferCopy *);
typedef void (*CmdWriteTimestamp)(VkCommandBuffer, VkPipelineStageFlags, VkQueryPool, uint32_t);
typedef void (*CmdResetQueryPool)(VkCommandBuffer, VkQueryPool, uint32_t, uint32_t);
typedef VkResult (*CreateFence)(VkDevice, const VkFenceCreateInfo *, Alloc, VkFence *);
typedef void (*DestroyFence)(VkDevice, VkFence, Alloc);
typedef VkResult (*ResetFences)(VkDevice, uint32_t, const VkFence *);
typedef VkResult (*WaitForFences)(VkDevice, uint32_t, const VkFence *, VkBool32, uint64_t);
typedef VkResult (*QueueSubmit)(VkQueue, uint32_t, const VkSubmitInfo *, VkFence);
typedef VkResult (*CreateQueryPool)(VkDevice, const VkQueryPoolCreateInfo *, Alloc, VkQueryPool *);
typedef void (*DestroyQueryPool)(VkDevice, VkQueryPool, Alloc);
typedef VkResult (*GetQueryPoolResults)(VkDevice, VkQueryPool, uint32_t, uint32_t, size_t, void *, VkDeviceSize,
                                        VkQueryResultFlags);
typedef VkResult (*DeviceWaitIdle)(VkDevice);

#define EDGEC_VK_FUNCTIONS(X) \
    X(CreateInstance) X(DestroyInstance) X(EnumeratePhysicalDevices) X(GetPhysicalDeviceProperties) \
    X(GetPhysicalDeviceQueueFamilyProperties) X(GetPhysicalDeviceMemoryProperties) X(CreateDevice) X(DestroyDevice) \
    X(GetDeviceQueue) X(CreateBuffer) X(DestroyBuffer) X(GetBufferMemoryRequirements) X(AllocateMemory) \
    X(FreeMemory) X(BindBufferMemory) X(MapMemory) X(UnmapMemory) X(CreateShaderModule) X(DestroyShaderModule) \
    X(CreateDescriptorSetLayout) X(DestroyDescriptorSetLayout) X(CreatePipelineLayout) X(DestroyPipelineLayout) \
    X(CreateComputePipelines) X(DestroyPipeline) X(CreateDescriptorPool) X(DestroyDescriptorPool) \
    X(AllocateDescriptorSets) X(UpdateDescriptorSets) X(CreateCommandPool) X(DestroyCommandPool) \
    X(AllocateCommandBuffers) X(BeginCommandBuffer) X(EndCommandBuffer) X(CmdBindPipeline) \
    X(CmdBindDescriptorSets) X(CmdDispatch) X(CmdPipelineBarrier) X(CmdCopyBuffer) X(CmdWriteTimestamp) \
    X(CmdResetQueryPool) X(CreateFence) X(DestroyFence) X(ResetFences) X(WaitForFences) X(QueueSubmit) \
    X(CreateQueryPool) X(DestroyQueryPool) X(GetQueryPoolResults) X(DeviceWaitIdle)

#define EDGEC_VK_ENUM(name) F_##name,
#define EDGEC_VK_NAME(name) "vk" #name,
enum { EDGEC_VK_FUNCTIONS(EDGEC_VK_ENUM) F_COUNT };
static const char *const entry_points[F_COUNT] = {EDGEC_VK_FUNCTIONS(EDGEC_VK_NAME)};
typedef char entry_table_fits[(int)(sizeof(((edgec_vk_state *)0)->fn) / sizeof(edgec_vk_fn)) >= F_COUNT ? 1 : -1];

#define VK(s, name) ((name)(s)->fn[F_##name])

static int fail(edgec_vk_state *s, int code, VkResult status, int32_t layer, const char *what) {
    s->last_vk_error = status;
    s->failed_layer = layer;
    if (layer >= 0) snprintf(s->detail, sizeof s->detail, "layer %d: %s (VkResult %d)", (int)layer, what, (int)status);
    else snprintf(s->detail, sizeof s->detail, "%s (VkResult %d)", what, (int)status);
    return code;
}

/* The loader, vkGetInstanceProcAddr, then vkCreateInstance (global); the rest once the instance exists. */
static int load_library(edgec_vk_state *s, GetInstanceProcAddr *get) {
    const char *path = getenv(EDGEC_VK_LIBRARY_ENV);
    if (path == NULL || path[0] == '\0') path = EDGEC_VK_LIBRARY;
    s->library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (s->library == NULL) {
        snprintf(s->detail, sizeof s->detail, "cannot load %s: no Vulkan loader / driver installed?", path);
        return EDGEC_VK_ERR_NO_LIBRARY;
    }
    void *sym = dlsym(s->library, "vkGetInstanceProcAddr");
    if (sym == NULL) {
        snprintf(s->detail, sizeof s->detail, "%s has no vkGetInstanceProcAddr", path);
        return EDGEC_VK_ERR_MISSING_SYMBOL;
    }
    memcpy(get, &sym, sizeof sym); /* POSIX: a data pointer from dlsym holds a function's address */
    return EDGEC_VK_OK;
}

static int load_entry_points(edgec_vk_state *s, GetInstanceProcAddr get, int first, int last) {
    for (int i = first; i < last; ++i) {
        s->fn[i] = get(s->instance, entry_points[i]);
        if (s->fn[i] == NULL) {
            snprintf(s->detail, sizeof s->detail, "the Vulkan loader has no %s", entry_points[i]);
            return EDGEC_VK_ERR_MISSING_SYMBOL;
        }
    }
    return EDGEC_VK_OK;
}

static int create_instance(edgec_vk_state *s) {
    VkApplicationInfo app;
    memset(&app, 0, sizeof app);
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "edgec";
    app.pEngineName = "edgec";
    app.apiVersion = VK_API_VERSION_1_0;
    VkInstanceCreateInfo info;
    memset(&info, 0, sizeof info);
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    VkResult r = VK(s, CreateInstance)(&info, NULL, &s->instance);
    if (r != VK_SUCCESS) {
        s->instance = NULL;
        return fail(s, EDGEC_VK_ERR_NO_DEVICE, r, -1, "vkCreateInstance: no Vulkan driver (ICD)?");
    }
    return EDGEC_VK_OK;
}

/* The first discrete or integrated GPU with a compute queue, else the first device with one (lavapipe on a CPU). */
static int pick_device(edgec_vk_state *s) {
    VkPhysicalDevice devices[16];
    uint32_t n = 16;
    VkResult r = VK(s, EnumeratePhysicalDevices)(s->instance, &n, devices);
    if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0) return fail(s, EDGEC_VK_ERR_NO_DEVICE, r, -1, "no Vulkan device");
    for (int pass = 0; pass < 2; ++pass)
        for (uint32_t d = 0; d < n; ++d) {
            VkPhysicalDeviceProperties props;
            VK(s, GetPhysicalDeviceProperties)(devices[d], &props);
            const int gpu = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ||
                            props.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
            if (pass == 0 && !gpu) continue;
            VkQueueFamilyProperties families[16];
            uint32_t nf = 16;
            VK(s, GetPhysicalDeviceQueueFamilyProperties)(devices[d], &nf, families);
            for (uint32_t f = 0; f < nf && f < 16; ++f) {
                if (!(families[f].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
                s->physical = devices[d];
                s->queue_family = f;
                s->timestamp_period = props.limits.timestampPeriod;
                const uint32_t bits = families[f].timestampValidBits;
                s->timestamp_mask = bits == 0 ? 0 : (bits >= 64 ? ~0ull : ((1ull << bits) - 1));
                s->max_groups[0] = props.limits.maxComputeWorkGroupCount[0];
                s->max_groups[1] = props.limits.maxComputeWorkGroupCount[1];
                VK(s, GetPhysicalDeviceMemoryProperties)(devices[d], &s->memory);
                return EDGEC_VK_OK;
            }
        }
    snprintf(s->detail, sizeof s->detail, "no Vulkan device with a compute queue among %u", (unsigned)n);
    return EDGEC_VK_ERR_NO_DEVICE;
}

static int create_device(edgec_vk_state *s) {
    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue;
    memset(&queue, 0, sizeof queue);
    queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue.queueFamilyIndex = s->queue_family;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;
    VkDeviceCreateInfo info;
    memset(&info, 0, sizeof info);
    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue;
    VkResult r = VK(s, CreateDevice)(s->physical, &info, NULL, &s->device);
    if (r != VK_SUCCESS) {
        s->device = NULL;
        return fail(s, EDGEC_VK_ERR_DEVICE, r, -1, "vkCreateDevice");
    }
    VK(s, GetDeviceQueue)(s->device, s->queue_family, 0, &s->queue);
    VkCommandPoolCreateInfo pool;
    memset(&pool, 0, sizeof pool);
    pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool.queueFamilyIndex = s->queue_family;
    r = VK(s, CreateCommandPool)(s->device, &pool, NULL, &s->command_pool);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_DEVICE, r, -1, "vkCreateCommandPool");
    VkFenceCreateInfo fence;
    memset(&fence, 0, sizeof fence);
    fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    r = VK(s, CreateFence)(s->device, &fence, NULL, &s->fence);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_DEVICE, r, -1, "vkCreateFence");
    return EDGEC_VK_OK;
}

/* A buffer with its own memory: of a type with all of `required`, preferring one that also has `preferred`. */
static int make_buffer(edgec_vk_state *s, size_t bytes, VkBufferUsageFlags usage, VkMemoryPropertyFlags required,
                       VkMemoryPropertyFlags preferred, VkBuffer *buffer, VkDeviceMemory *memory, const char *what) {
    VkBufferCreateInfo info;
    memset(&info, 0, sizeof info);
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = bytes > 0 ? bytes : 4;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkResult r = VK(s, CreateBuffer)(s->device, &info, NULL, buffer);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_MEMORY, r, -1, what);
    VkMemoryRequirements req;
    VK(s, GetBufferMemoryRequirements)(s->device, *buffer, &req);
    uint32_t type = VK_MAX_MEMORY_TYPES;
    for (int pass = 0; pass < 2 && type == VK_MAX_MEMORY_TYPES; ++pass) {
        const VkMemoryPropertyFlags want = pass == 0 ? required | preferred : required;
        for (uint32_t t = 0; t < s->memory.memoryTypeCount; ++t)
            if ((req.memoryTypeBits & (1u << t)) && (s->memory.memoryTypes[t].propertyFlags & want) == want) {
                type = t;
                break;
            }
    }
    if (type == VK_MAX_MEMORY_TYPES) return fail(s, EDGEC_VK_ERR_MEMORY, 0, -1, what);
    VkMemoryAllocateInfo alloc;
    memset(&alloc, 0, sizeof alloc);
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = type;
    r = VK(s, AllocateMemory)(s->device, &alloc, NULL, memory);
    if (r == VK_SUCCESS) r = VK(s, BindBufferMemory)(s->device, *buffer, *memory, 0);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_MEMORY, r, -1, what);
    return EDGEC_VK_OK;
}

static VkCommandBuffer new_commands(edgec_vk_state *s) {
    VkCommandBufferAllocateInfo info;
    memset(&info, 0, sizeof info);
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    info.commandPool = s->command_pool;
    info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    info.commandBufferCount = 1;
    VkCommandBuffer cb = NULL;
    if (VK(s, AllocateCommandBuffers)(s->device, &info, &cb) != VK_SUCCESS) return NULL;
    VkCommandBufferBeginInfo begin;
    memset(&begin, 0, sizeof begin);
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    if (VK(s, BeginCommandBuffer)(cb, &begin) != VK_SUCCESS) return NULL;
    return cb;
}

static void barrier(edgec_vk_state *s, VkCommandBuffer cb, VkPipelineStageFlags src_stage, VkAccessFlags src,
                    VkPipelineStageFlags dst_stage, VkAccessFlags dst) {
    VkMemoryBarrier b;
    memset(&b, 0, sizeof b);
    b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    b.srcAccessMask = src;
    b.dstAccessMask = dst;
    VK(s, CmdPipelineBarrier)(cb, src_stage, dst_stage, 0, 1, &b, 0, NULL, 0, NULL);
}

static int submit_and_wait(edgec_vk_state *s, VkCommandBuffer cb, const char *what) {
    VkSubmitInfo submit;
    memset(&submit, 0, sizeof submit);
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cb;
    VkResult r = VK(s, ResetFences)(s->device, 1, &s->fence);
    if (r == VK_SUCCESS) r = VK(s, QueueSubmit)(s->queue, 1, &submit, s->fence);
    if (r == VK_SUCCESS) r = VK(s, WaitForFences)(s->device, 1, &s->fence, 1, EDGEC_VK_WAIT_NS);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RUN, r, -1, what);
    return EDGEC_VK_OK;
}

/* The weights, once: through a host-visible staging buffer into the (device-local) weights buffer. */
static int upload_weights(edgec_vk_state *s, const edgec_vk_model *m) {
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    int rc = make_buffer(s, m->weights_bytes, usage, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, &s->weights,
                         &s->weights_memory, "the weights buffer");
    if (rc != EDGEC_VK_OK || m->weights_bytes == 0) return rc;
    VkBuffer staging = 0;
    VkDeviceMemory memory = 0;
    void *mapped = NULL;
    rc = make_buffer(s, m->weights_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0, &staging, &memory,
                     "the weights' staging buffer");
    if (rc == EDGEC_VK_OK) {
        VkResult r = VK(s, MapMemory)(s->device, memory, 0, VK_WHOLE_SIZE, 0, &mapped);
        if (r != VK_SUCCESS) rc = fail(s, EDGEC_VK_ERR_MEMORY, r, -1, "mapping the weights' staging buffer");
    }
    if (rc == EDGEC_VK_OK) {
        memcpy(mapped, m->weights, m->weights_bytes);
        VK(s, UnmapMemory)(s->device, memory);
        VkCommandBuffer cb = new_commands(s);
        if (cb == NULL) rc = fail(s, EDGEC_VK_ERR_RECORD, 0, -1, "the upload's command buffer");
        if (rc == EDGEC_VK_OK) {
            VkBufferCopy region = {0, 0, m->weights_bytes};
            VK(s, CmdCopyBuffer)(cb, staging, s->weights, 1, &region);
            barrier(s, cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT);
            VkResult r = VK(s, EndCommandBuffer)(cb);
            rc = r == VK_SUCCESS ? submit_and_wait(s, cb, "uploading the weights")
                                 : fail(s, EDGEC_VK_ERR_RECORD, r, -1, "the upload's command buffer");
        }
    }
    if (staging) VK(s, DestroyBuffer)(s->device, staging, NULL);
    if (memory) VK(s, FreeMemory)(s->device, memory, NULL);
    return rc;
}

static int create_buffers(edgec_vk_state *s, const edgec_vk_model *m) {
    const VkBufferUsageFlags arena_usage =
        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    int rc = make_buffer(s, m->arena_bytes, arena_usage, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, &s->arena,
                         &s->arena_memory, "the device arena");
    size_t io_bytes = 0;
    for (size_t i = 0; i < m->n_inputs; ++i) io_bytes += m->inputs[i].bytes;
    for (size_t i = 0; i < m->n_outputs; ++i) io_bytes += m->outputs[i].bytes;
    if (rc == EDGEC_VK_OK)
        rc = make_buffer(s, io_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0, &s->staging,
                         &s->staging_memory, "the input / output staging buffer");
    if (rc == EDGEC_VK_OK) {
        void *mapped = NULL;
        VkResult r = VK(s, MapMemory)(s->device, s->staging_memory, 0, VK_WHOLE_SIZE, 0, &mapped);
        if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_MEMORY, r, -1, "mapping the staging buffer");
        s->mapped = mapped;
    }
    if (rc == EDGEC_VK_OK) rc = upload_weights(s, m);
    return rc;
}

/* One descriptor set for every pipeline: binding 0 the arena, binding 1 the weights. */
static int create_descriptors(edgec_vk_state *s) {
    VkDescriptorSetLayoutBinding bindings[2];
    memset(bindings, 0, sizeof bindings);
    for (uint32_t b = 0; b < 2; ++b) {
        bindings[b].binding = b;
        bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[b].descriptorCount = 1;
        bindings[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo layout;
    memset(&layout, 0, sizeof layout);
    layout.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    layout.bindingCount = 2;
    layout.pBindings = bindings;
    VkResult r = VK(s, CreateDescriptorSetLayout)(s->device, &layout, NULL, &s->set_layout);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RECORD, r, -1, "vkCreateDescriptorSetLayout");
    VkPipelineLayoutCreateInfo pipeline;
    memset(&pipeline, 0, sizeof pipeline);
    pipeline.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    pipeline.setLayoutCount = 1;
    pipeline.pSetLayouts = &s->set_layout;
    r = VK(s, CreatePipelineLayout)(s->device, &pipeline, NULL, &s->pipeline_layout);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RECORD, r, -1, "vkCreatePipelineLayout");
    VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2};
    VkDescriptorPoolCreateInfo pool;
    memset(&pool, 0, sizeof pool);
    pool.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pool.maxSets = 1;
    pool.poolSizeCount = 1;
    pool.pPoolSizes = &size;
    r = VK(s, CreateDescriptorPool)(s->device, &pool, NULL, &s->descriptor_pool);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RECORD, r, -1, "vkCreateDescriptorPool");
    VkDescriptorSetAllocateInfo alloc;
    memset(&alloc, 0, sizeof alloc);
    alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    alloc.descriptorPool = s->descriptor_pool;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &s->set_layout;
    r = VK(s, AllocateDescriptorSets)(s->device, &alloc, &s->descriptor_set);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RECORD, r, -1, "vkAllocateDescriptorSets");
    VkDescriptorBufferInfo buffers[2] = {{s->arena, 0, VK_WHOLE_SIZE}, {s->weights, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet writes[2];
    memset(writes, 0, sizeof writes);
    for (uint32_t b = 0; b < 2; ++b) {
        writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[b].dstSet = s->descriptor_set;
        writes[b].dstBinding = b;
        writes[b].descriptorCount = 1;
        writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[b].pBufferInfo = &buffers[b];
    }
    VK(s, UpdateDescriptorSets)(s->device, 2, writes, 0, NULL);
    return EDGEC_VK_OK;
}

/* One shader module per template, one compute pipeline per dispatch (the template specialised by its constants). */
static int create_pipelines(edgec_vk_state *s, const edgec_vk_model *m) {
    for (size_t i = 0; i < m->n_shaders; ++i) {
        VkShaderModuleCreateInfo info;
        memset(&info, 0, sizeof info);
        info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
        info.codeSize = m->shaders[i].words * 4;
        info.pCode = m->shaders[i].code;
        VkResult r = VK(s, CreateShaderModule)(s->device, &info, NULL, &s->storage.modules[i]);
        if (r != VK_SUCCESS) {  /* named by the first layer that runs the shader */
            int32_t layer = -1;
            for (size_t d = 0; d < m->n_dispatches && layer < 0; ++d)
                if (m->dispatches[d].shader == i) layer = m->dispatches[d].layer;
            s->storage.modules[i] = 0;
            char what[160];
            snprintf(what, sizeof what, "vkCreateShaderModule %s", m->shaders[i].name);
            return fail(s, EDGEC_VK_ERR_PIPELINE, r, layer, what);
        }
    }
    VkSpecializationMapEntry entries[EDGEC_VK_MAX_CONSTANTS];
    for (uint32_t k = 0; k < EDGEC_VK_MAX_CONSTANTS; ++k) {
        entries[k].constantID = k;
        entries[k].offset = 4 * k;
        entries[k].size = 4;
    }
    for (size_t i = 0; i < m->n_dispatches; ++i) {
        const edgec_vk_dispatch *d = &m->dispatches[i];
        if (d->n_constants > EDGEC_VK_MAX_CONSTANTS || d->shader >= m->n_shaders)
            return fail(s, EDGEC_VK_ERR_ARGUMENT, 0, d->layer, "a dispatch with too many constants");
        VkSpecializationInfo spec = {d->n_constants, entries, 4 * (size_t)d->n_constants, d->constants};
        VkComputePipelineCreateInfo info;
        memset(&info, 0, sizeof info);
        info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
        info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
        info.stage.module = s->storage.modules[d->shader];
        info.stage.pName = "main";
        info.stage.pSpecializationInfo = &spec;
        info.layout = s->pipeline_layout;
        VkResult r = VK(s, CreateComputePipelines)(s->device, 0, 1, &info, NULL, &s->storage.pipelines[i]);
        if (r != VK_SUCCESS) {
            s->storage.pipelines[i] = 0;
            return fail(s, EDGEC_VK_ERR_PIPELINE, r, d->layer, m->shaders[d->shader].name);
        }
    }
    return EDGEC_VK_OK;
}

/* Inputs staged in, every dispatch with a barrier after it (the next layer reads what it wrote; the arena's bytes are
   reused), outputs staged out. With profile: a timestamp before the first dispatch and after each one. */
static int record(edgec_vk_state *s, const edgec_vk_model *m, int profile, VkCommandBuffer *out) {
    VkCommandBuffer cb = new_commands(s);
    if (cb == NULL) return fail(s, EDGEC_VK_ERR_RECORD, 0, -1, "allocating a command buffer");
    size_t at = 0;
    for (size_t i = 0; i < m->n_inputs; ++i) {
        VkBufferCopy region = {at, m->inputs[i].offset, m->inputs[i].bytes};
        if (region.size) VK(s, CmdCopyBuffer)(cb, s->staging, s->arena, 1, &region);
        at += m->inputs[i].bytes;
    }
    barrier(s, cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
    VK(s, CmdBindDescriptorSets)(cb, VK_PIPELINE_BIND_POINT_COMPUTE, s->pipeline_layout, 0, 1, &s->descriptor_set, 0, NULL);
    if (profile) {
        VK(s, CmdResetQueryPool)(cb, s->queries, 0, (uint32_t)m->n_dispatches + 1);
        VK(s, CmdWriteTimestamp)(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, s->queries, 0);
    }
    for (size_t i = 0; i < m->n_dispatches; ++i) {
        const edgec_vk_dispatch *d = &m->dispatches[i];
        uint32_t groups = (d->count + EDGEC_VK_LOCAL_SIZE - 1) / EDGEC_VK_LOCAL_SIZE, gy = 1;
        if (groups > s->max_groups[0]) {  /* a 2-D grid; the shader flattens it and skips the tail */
            gy = (groups + s->max_groups[0] - 1) / s->max_groups[0];
            groups = s->max_groups[0];
            if (gy > s->max_groups[1]) return fail(s, EDGEC_VK_ERR_RECORD, 0, d->layer, "too many workgroups");
        }
        VK(s, CmdBindPipeline)(cb, VK_PIPELINE_BIND_POINT_COMPUTE, s->storage.pipelines[i]);
        VK(s, CmdDispatch)(cb, groups, gy, 1);
        if (profile) VK(s, CmdWriteTimestamp)(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, s->queries, (uint32_t)i + 1);
        barrier(s, cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT);
    }
    for (size_t i = 0; i < m->n_outputs; ++i) {
        VkBufferCopy region = {m->outputs[i].offset, at, m->outputs[i].bytes};
        if (region.size) VK(s, CmdCopyBuffer)(cb, s->arena, s->staging, 1, &region);
        at += m->outputs[i].bytes;
    }
    barrier(s, cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
            VK_ACCESS_HOST_READ_BIT);
    VkResult r = VK(s, EndCommandBuffer)(cb);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RECORD, r, -1, "vkEndCommandBuffer");
    *out = cb;
    return EDGEC_VK_OK;
}

static int record_commands(edgec_vk_state *s, const edgec_vk_model *m) {
    int rc = record(s, m, 0, &s->run_commands);
    if (rc != EDGEC_VK_OK || s->timestamp_mask == 0) return rc;
    VkQueryPoolCreateInfo info;
    memset(&info, 0, sizeof info);
    info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
    info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    info.queryCount = (uint32_t)m->n_dispatches + 1;
    VkResult r = VK(s, CreateQueryPool)(s->device, &info, NULL, &s->queries);
    if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RECORD, r, -1, "vkCreateQueryPool");
    return record(s, m, 1, &s->profiled_commands);
}

int edgec_vk_init(edgec_vk_state *s, const edgec_vk_model *m, edgec_vk_storage storage) {
    if (s == NULL || m == NULL || (storage.modules == NULL && m->n_shaders > 0) ||
        ((storage.pipelines == NULL || storage.timestamps == NULL) && m->n_dispatches > 0))
        return EDGEC_VK_ERR_ARGUMENT;
    memset(s, 0, sizeof *s);
    s->failed_layer = -1;
    s->storage = storage;
    for (size_t i = 0; i < m->n_shaders; ++i) storage.modules[i] = 0;
    for (size_t i = 0; i < m->n_dispatches; ++i) storage.pipelines[i] = 0;
    GetInstanceProcAddr get = NULL;
    int rc = load_library(s, &get);
    if (rc == EDGEC_VK_OK) rc = load_entry_points(s, get, F_CreateInstance, F_CreateInstance + 1);
    if (rc == EDGEC_VK_OK) rc = create_instance(s);
    if (rc == EDGEC_VK_OK) rc = load_entry_points(s, get, F_CreateInstance + 1, F_COUNT);
    if (rc == EDGEC_VK_OK) rc = pick_device(s);
    if (rc == EDGEC_VK_OK) rc = create_device(s);
    if (rc == EDGEC_VK_OK) rc = create_buffers(s, m);
    if (rc == EDGEC_VK_OK) rc = create_descriptors(s);
    if (rc == EDGEC_VK_OK) rc = create_pipelines(s, m);
    if (rc == EDGEC_VK_OK) rc = record_commands(s, m);
    if (rc != EDGEC_VK_OK) edgec_vk_deinit(s, m);
    return rc;
}

int edgec_vk_run(edgec_vk_state *s, const edgec_vk_model *m, const void *const *inputs, void *const *outputs,
                 uint64_t *layer_ns) {
    if (s == NULL || m == NULL || inputs == NULL || outputs == NULL) return EDGEC_VK_ERR_ARGUMENT;
    if (s->run_commands == NULL) return EDGEC_VK_ERR_NOT_INITIALIZED;
    if (layer_ns != NULL && s->profiled_commands == NULL) {
        snprintf(s->detail, sizeof s->detail, "the device's compute queue has no timestamps");
        return EDGEC_VK_ERR_NO_TIMESTAMPS;
    }
    for (size_t i = 0; i < m->n_inputs; ++i) if (inputs[i] == NULL) return EDGEC_VK_ERR_ARGUMENT;
    for (size_t i = 0; i < m->n_outputs; ++i) if (outputs[i] == NULL) return EDGEC_VK_ERR_ARGUMENT;
    size_t at = 0;
    for (size_t i = 0; i < m->n_inputs; ++i) {
        memcpy(s->mapped + at, inputs[i], m->inputs[i].bytes);
        at += m->inputs[i].bytes;
    }
    int rc = submit_and_wait(s, layer_ns ? s->profiled_commands : s->run_commands, "running the model");
    if (rc != EDGEC_VK_OK) return rc;
    for (size_t i = 0; i < m->n_outputs; ++i) {
        memcpy(outputs[i], s->mapped + at, m->outputs[i].bytes);
        at += m->outputs[i].bytes;
    }
    if (layer_ns) {
        const uint32_t n = (uint32_t)m->n_dispatches + 1;
        VkResult r = VK(s, GetQueryPoolResults)(s->device, s->queries, 0, n, n * sizeof(uint64_t),
                                                s->storage.timestamps, sizeof(uint64_t),
                                                VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
        if (r != VK_SUCCESS) return fail(s, EDGEC_VK_ERR_RUN, r, -1, "reading the timestamps");
        for (size_t i = 0; i < m->n_dispatches; ++i) {
            const uint64_t ticks = (s->storage.timestamps[i + 1] - s->storage.timestamps[i]) & s->timestamp_mask;
            layer_ns[m->dispatches[i].layer] += (uint64_t)((double)ticks * (double)s->timestamp_period);
        }
    }
    return EDGEC_VK_OK;
}

void edgec_vk_deinit(edgec_vk_state *s, const edgec_vk_model *m) {
    if (s == NULL || m == NULL) return;
    if (s->device) {
        VK(s, DeviceWaitIdle)(s->device);
        for (size_t i = 0; s->storage.pipelines && i < m->n_dispatches; ++i)
            if (s->storage.pipelines[i]) VK(s, DestroyPipeline)(s->device, s->storage.pipelines[i], NULL);
        for (size_t i = 0; s->storage.modules && i < m->n_shaders; ++i)
            if (s->storage.modules[i]) VK(s, DestroyShaderModule)(s->device, s->storage.modules[i], NULL);
        if (s->queries) VK(s, DestroyQueryPool)(s->device, s->queries, NULL);
        if (s->command_pool) VK(s, DestroyCommandPool)(s->device, s->command_pool, NULL); /* frees its buffers */
        if (s->fence) VK(s, DestroyFence)(s->device, s->fence, NULL);
        if (s->descriptor_pool) VK(s, DestroyDescriptorPool)(s->device, s->descriptor_pool, NULL);
        if (s->pipeline_layout) VK(s, DestroyPipelineLayout)(s->device, s->pipeline_layout, NULL);
        if (s->set_layout) VK(s, DestroyDescriptorSetLayout)(s->device, s->set_layout, NULL);
        if (s->mapped) VK(s, UnmapMemory)(s->device, s->staging_memory);
        const VkBuffer buffers[3] = {s->staging, s->weights, s->arena};
        const VkDeviceMemory memories[3] = {s->staging_memory, s->weights_memory, s->arena_memory};
        for (int i = 0; i < 3; ++i) {
            if (buffers[i]) VK(s, DestroyBuffer)(s->device, buffers[i], NULL);
            if (memories[i]) VK(s, FreeMemory)(s->device, memories[i], NULL);
        }
        VK(s, DestroyDevice)(s->device, NULL);
    }
    if (s->instance) VK(s, DestroyInstance)(s->instance, NULL);
    if (s->library) dlclose(s->library);
    const edgec_vk_storage storage = s->storage;
    const int32_t last = s->last_vk_error, layer = s->failed_layer;
    char detail[sizeof s->detail];
    memcpy(detail, s->detail, sizeof detail);
    memset(s, 0, sizeof *s); /* every handle gone: a run now says "not initialized" */
    s->storage = storage;
    s->last_vk_error = last;
    s->failed_layer = layer;
    memcpy(s->detail, detail, sizeof detail);
}

const char *edgec_vk_error_name(int code) {
    switch (code) {
    case EDGEC_VK_OK: return "ok";
    case EDGEC_VK_ERR_ARGUMENT: return "a NULL argument";
    case EDGEC_VK_ERR_NO_LIBRARY: return "the Vulkan library (libvulkan.so.1) cannot be loaded: no Vulkan driver installed";
    case EDGEC_VK_ERR_MISSING_SYMBOL: return "the Vulkan library lacks a Vulkan 1.0 function";
    case EDGEC_VK_ERR_NO_DEVICE: return "no Vulkan driver, device or compute queue";
    case EDGEC_VK_ERR_DEVICE: return "the Vulkan device or its command objects cannot be created";
    case EDGEC_VK_ERR_PIPELINE: return "a layer's compute pipeline did not build";
    case EDGEC_VK_ERR_RECORD: return "the descriptors or command buffer cannot be set up";
    case EDGEC_VK_ERR_MEMORY: return "the device arena, weights or staging buffer cannot be allocated";
    case EDGEC_VK_ERR_RUN: return "a Vulkan submission failed";
    case EDGEC_VK_ERR_NOT_INITIALIZED: return "not initialized: call <name>_init first";
    case EDGEC_VK_ERR_NO_TIMESTAMPS: return "the Vulkan queue has no timestamps: no per-layer profiling";
    default: return "unknown error";
    }
}
