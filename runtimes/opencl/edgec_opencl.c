/* edgec's OpenCL host runtime (see edgec_opencl.h). POSIX for dlopen; everything else is C99. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec_opencl.h"

/* The few OpenCL 1.2 types and constants this file uses (values from the Khronos headers). */
typedef int32_t cl_int;
typedef uint32_t cl_uint;
typedef uint64_t cl_bitfield;
#define CL_SUCCESS 0
#define CL_DEVICE_TYPE_GPU ((cl_bitfield)1 << 2)
#define CL_DEVICE_TYPE_ALL ((cl_bitfield)0xFFFFFFFF)
#define CL_MEM_READ_WRITE ((cl_bitfield)1 << 0)
#define CL_MEM_READ_ONLY ((cl_bitfield)1 << 2)
#define CL_MEM_COPY_HOST_PTR ((cl_bitfield)1 << 5)
#define CL_QUEUE_PROFILING_ENABLE ((cl_bitfield)1 << 1)
#define CL_PROGRAM_BUILD_LOG 0x1183
#define CL_PROFILING_COMMAND_START 0x1282
#define CL_PROFILING_COMMAND_END 0x1283
#define CL_KERNEL_WORK_GROUP_SIZE 0x11B0
#define EDGEC_CL_LOCAL_SIZE 64 /* the work-group size unless a kernel allows fewer */

typedef cl_int (*GetPlatformIDs)(cl_uint, edgec_cl_platform *, cl_uint *);
typedef cl_int (*GetDeviceIDs)(edgec_cl_platform, cl_bitfield, cl_uint, edgec_cl_device *, cl_uint *);
typedef edgec_cl_context (*CreateContext)(const intptr_t *, cl_uint, const edgec_cl_device *,
                                          void (*)(const char *, const void *, size_t, void *), void *, cl_int *);
typedef edgec_cl_queue (*CreateCommandQueue)(edgec_cl_context, edgec_cl_device, cl_bitfield, cl_int *);
typedef edgec_cl_mem (*CreateBuffer)(edgec_cl_context, cl_bitfield, size_t, void *, cl_int *);
typedef edgec_cl_program (*CreateProgramWithSource)(edgec_cl_context, cl_uint, const char **, const size_t *, cl_int *);
typedef cl_int (*BuildProgram)(edgec_cl_program, cl_uint, const edgec_cl_device *, const char *,
                               void (*)(edgec_cl_program, void *), void *);
typedef cl_int (*GetProgramBuildInfo)(edgec_cl_program, edgec_cl_device, cl_uint, size_t, void *, size_t *);
typedef edgec_cl_kernel (*CreateKernel)(edgec_cl_program, const char *, cl_int *);
typedef cl_int (*SetKernelArg)(edgec_cl_kernel, cl_uint, size_t, const void *);
typedef cl_int (*EnqueueNDRangeKernel)(edgec_cl_queue, edgec_cl_kernel, cl_uint, const size_t *, const size_t *,
                                       const size_t *, cl_uint, const edgec_cl_event *, edgec_cl_event *);
typedef cl_int (*EnqueueWriteBuffer)(edgec_cl_queue, edgec_cl_mem, cl_uint, size_t, size_t, const void *, cl_uint,
                                     const edgec_cl_event *, edgec_cl_event *);
typedef cl_int (*EnqueueReadBuffer)(edgec_cl_queue, edgec_cl_mem, cl_uint, size_t, size_t, void *, cl_uint,
                                    const edgec_cl_event *, edgec_cl_event *);
typedef cl_int (*Finish)(edgec_cl_queue);
typedef cl_int (*GetEventProfilingInfo)(edgec_cl_event, cl_uint, size_t, void *, size_t *);
typedef cl_int (*WaitForEvents)(cl_uint, const edgec_cl_event *);
typedef cl_int (*ReleaseEvent)(edgec_cl_event);
typedef cl_int (*ReleaseKernel)(edgec_cl_kernel);
typedef cl_int (*ReleaseProgram)(edgec_cl_program);
typedef cl_int (*ReleaseMemObject)(edgec_cl_mem);
typedef cl_int (*ReleaseCommandQueue)(edgec_cl_queue);
typedef cl_int (*ReleaseContext)(edgec_cl_context);
typedef cl_int (*GetKernelWorkGroupInfo)(edgec_cl_kernel, edgec_cl_device, cl_uint, size_t, void *, size_t *);

enum {
    F_GetPlatformIDs, F_GetDeviceIDs, F_CreateContext, F_CreateCommandQueue, F_CreateBuffer,
    F_CreateProgramWithSource, F_BuildProgram, F_GetProgramBuildInfo, F_CreateKernel, F_SetKernelArg,
    F_EnqueueNDRangeKernel, F_EnqueueWriteBuffer, F_EnqueueReadBuffer, F_Finish, F_GetEventProfilingInfo,
    F_WaitForEvents, F_ReleaseEvent, F_ReleaseKernel, F_ReleaseProgram, F_ReleaseMemObject, F_ReleaseCommandQueue,
    F_ReleaseContext, F_GetKernelWorkGroupInfo, F_COUNT
};
static const char *const entry_points[F_COUNT] = {
    "clGetPlatformIDs", "clGetDeviceIDs", "clCreateContext", "clCreateCommandQueue", "clCreateBuffer",
    "clCreateProgramWithSource", "clBuildProgram", "clGetProgramBuildInfo", "clCreateKernel", "clSetKernelArg",
    "clEnqueueNDRangeKernel", "clEnqueueWriteBuffer", "clEnqueueReadBuffer", "clFinish", "clGetEventProfilingInfo",
    "clWaitForEvents", "clReleaseEvent", "clReleaseKernel", "clReleaseProgram", "clReleaseMemObject",
    "clReleaseCommandQueue", "clReleaseContext", "clGetKernelWorkGroupInfo",
};
typedef char entry_table_fits[(int)(sizeof(((edgec_cl_state *)0)->fn) / sizeof(edgec_cl_fn)) >= F_COUNT ? 1 : -1];

#define CL(s, name) ((name)(s)->fn[F_##name])

static int fail(edgec_cl_state *s, int code, cl_int status, int32_t layer, const char *what) {
    s->last_cl_error = status;
    s->failed_layer = layer;
    if (layer >= 0) snprintf(s->detail, sizeof s->detail, "layer %d: %s (OpenCL status %d)", (int)layer, what, (int)status);
    else snprintf(s->detail, sizeof s->detail, "%s (OpenCL status %d)", what, (int)status);
    return code;
}

static int load_library(edgec_cl_state *s) {
    const char *path = getenv(EDGEC_CL_LIBRARY_ENV);
    if (path == NULL || path[0] == '\0') path = EDGEC_CL_LIBRARY;
    s->library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (s->library == NULL) {
        snprintf(s->detail, sizeof s->detail, "cannot load %s: no OpenCL driver (ICD loader) installed?", path);
        return EDGEC_CL_ERR_NO_LIBRARY;
    }
    for (int i = 0; i < F_COUNT; ++i) {
        void *sym = dlsym(s->library, entry_points[i]);
        if (sym == NULL) {
            snprintf(s->detail, sizeof s->detail, "%s has no %s", path, entry_points[i]);
            return EDGEC_CL_ERR_MISSING_SYMBOL;
        }
        memcpy(&s->fn[i], &sym, sizeof sym); /* POSIX: a data pointer from dlsym holds a function's address */
    }
    return EDGEC_CL_OK;
}

/* The first GPU of any platform, else the first device of any kind (a CPU implementation such as PoCL). */
static int pick_device(edgec_cl_state *s, edgec_cl_device *device) {
    edgec_cl_platform platforms[16];
    cl_uint n = 0;
    if (CL(s, GetPlatformIDs)(16, platforms, &n) != CL_SUCCESS || n == 0) {
        snprintf(s->detail, sizeof s->detail, "no OpenCL platform");
        return EDGEC_CL_ERR_NO_DEVICE;
    }
    if (n > 16) n = 16;
    const cl_bitfield kinds[2] = {CL_DEVICE_TYPE_GPU, CL_DEVICE_TYPE_ALL};
    for (int k = 0; k < 2; ++k)
        for (cl_uint p = 0; p < n; ++p) {
            cl_uint found = 0;
            if (CL(s, GetDeviceIDs)(platforms[p], kinds[k], 1, device, &found) == CL_SUCCESS && found > 0)
                return EDGEC_CL_OK;
        }
    snprintf(s->detail, sizeof s->detail, "no OpenCL device on %u platform(s)", (unsigned)n);
    return EDGEC_CL_ERR_NO_DEVICE;
}

static void build_log(edgec_cl_state *s, edgec_cl_program program, edgec_cl_device device, char *out, size_t cap) {
    size_t len = 0;
    out[0] = '\0';
    CL(s, GetProgramBuildInfo)(program, device, CL_PROGRAM_BUILD_LOG, cap - 1, out, &len);
    out[cap - 1] = '\0';
}

/* After the whole program failed to build: build each template alone (after the common lines) and name the first
   layer whose template fails, with that build's log. Returns the layer, or -1 if every template builds alone. */
static int32_t find_failing_layer(edgec_cl_state *s, const edgec_cl_model *m, edgec_cl_device device) {
    for (size_t t = 0; t < m->n_templates; ++t) {
        const edgec_cl_template *tp = &m->templates[t];
        const size_t n = m->common_lines + tp->lines;
        const char **lines = malloc(n * sizeof *lines);
        if (lines == NULL) return -1;
        for (size_t i = 0; i < m->common_lines; ++i) lines[i] = m->source[i];
        for (size_t i = 0; i < tp->lines; ++i) lines[m->common_lines + i] = m->source[tp->first_line + i];
        cl_int status = CL_SUCCESS;
        edgec_cl_program program = CL(s, CreateProgramWithSource)(s->context, (cl_uint)n, lines, NULL, &status);
        free(lines);
        if (program == NULL || status != CL_SUCCESS) return -1;
        status = CL(s, BuildProgram)(program, 1, &device, "-cl-std=CL1.2", NULL, NULL);
        int32_t layer = -1;
        if (status != CL_SUCCESS) {
            for (size_t l = 0; l < m->n_launches && layer < 0; ++l)
                if (strcmp(m->launches[l].kernel, tp->kernel) == 0) layer = m->launches[l].layer;
            char log[sizeof s->detail - 96];
            build_log(s, program, device, log, sizeof log);
            snprintf(s->detail, sizeof s->detail, "layer %d: kernel template %s did not build: %s", (int)layer,
                     tp->kernel, log);
        }
        CL(s, ReleaseProgram)(program);
        if (status != CL_SUCCESS) return layer;
    }
    return -1;
}

static int build_program(edgec_cl_state *s, const edgec_cl_model *m, edgec_cl_device device) {
    cl_int status = CL_SUCCESS;
    s->program = CL(s, CreateProgramWithSource)(s->context, (cl_uint)m->source_lines, (const char **)m->source, NULL,
                                                 &status);
    if (s->program == NULL || status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_BUILD, status, -1, "clCreateProgramWithSource");
    status = CL(s, BuildProgram)(s->program, 1, &device, "-cl-std=CL1.2", NULL, NULL);
    if (status != CL_SUCCESS) {
        s->last_cl_error = status;
        build_log(s, s->program, device, s->detail, sizeof s->detail);
        s->failed_layer = find_failing_layer(s, m, device);
        return EDGEC_CL_ERR_BUILD;
    }
    return EDGEC_CL_OK;
}

static int create_kernels(edgec_cl_state *s, const edgec_cl_model *m) {
    s->local_size = EDGEC_CL_LOCAL_SIZE;
    for (size_t i = 0; i < m->n_launches; ++i) {
        const edgec_cl_launch *l = &m->launches[i];
        cl_int status = CL_SUCCESS;
        s->kernels[i] = CL(s, CreateKernel)(s->program, l->kernel, &status);
        if (s->kernels[i] == NULL || status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_KERNEL, status, l->layer, l->kernel);
        cl_uint arg = 0;
        for (uint8_t b = 0; b < l->n_buffers && status == CL_SUCCESS; ++b)
            status = CL(s, SetKernelArg)(s->kernels[i], arg++, sizeof(edgec_cl_mem), l->spaces[b] ? &s->weights : &s->arena);
        for (uint8_t k = 0; k < l->n_ints && status == CL_SUCCESS; ++k)
            status = CL(s, SetKernelArg)(s->kernels[i], arg++, sizeof(int32_t), &l->ints[k]);
        for (uint8_t k = 0; k < l->n_floats && status == CL_SUCCESS; ++k)
            status = CL(s, SetKernelArg)(s->kernels[i], arg++, sizeof(float), &l->floats[k]);
        if (status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_KERNEL, status, l->layer, "clSetKernelArg");
        size_t most = 0;  /* the largest work-group this kernel can run on the device */
        status = CL(s, GetKernelWorkGroupInfo)(s->kernels[i], s->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof most, &most, NULL);
        if (status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_KERNEL, status, l->layer, "clGetKernelWorkGroupInfo");
        while (s->local_size > 1 && s->local_size > most) s->local_size /= 2;
    }
    return EDGEC_CL_OK;
}

int edgec_cl_init(edgec_cl_state *s, const edgec_cl_model *m, edgec_cl_kernel *kernels) {
    if (s == NULL || m == NULL || (kernels == NULL && m->n_launches > 0)) return EDGEC_CL_ERR_ARGUMENT;
    memset(s, 0, sizeof *s);
    s->failed_layer = -1;
    s->kernels = kernels;
    for (size_t i = 0; i < m->n_launches; ++i) kernels[i] = NULL;
    int rc = load_library(s);
    if (rc == EDGEC_CL_OK) rc = pick_device(s, &s->device);
    edgec_cl_device device = s->device;
    cl_int status = CL_SUCCESS;
    if (rc == EDGEC_CL_OK) {
        s->context = CL(s, CreateContext)(NULL, 1, &device, NULL, NULL, &status);
        if (s->context == NULL || status != CL_SUCCESS) rc = fail(s, EDGEC_CL_ERR_CONTEXT, status, -1, "clCreateContext");
    }
    if (rc == EDGEC_CL_OK) {
        s->queue = CL(s, CreateCommandQueue)(s->context, device, CL_QUEUE_PROFILING_ENABLE, &status);
        if (s->queue == NULL || status != CL_SUCCESS) rc = fail(s, EDGEC_CL_ERR_CONTEXT, status, -1, "clCreateCommandQueue");
    }
    if (rc == EDGEC_CL_OK) {  /* the arena: every activation, at the memory planner's offsets */
        s->arena = CL(s, CreateBuffer)(s->context, CL_MEM_READ_WRITE, m->arena_bytes > 0 ? m->arena_bytes : 4, NULL, &status);
        if (s->arena == NULL || status != CL_SUCCESS) rc = fail(s, EDGEC_CL_ERR_MEMORY, status, -1, "the device arena");
    }
    if (rc == EDGEC_CL_OK) {  /* the weights, uploaded once */
        if (m->weights_bytes > 0)
            s->weights = CL(s, CreateBuffer)(s->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, m->weights_bytes,
                                             (void *)(uintptr_t)m->weights, &status);
        else
            s->weights = CL(s, CreateBuffer)(s->context, CL_MEM_READ_ONLY, 4, NULL, &status);
        if (s->weights == NULL || status != CL_SUCCESS) rc = fail(s, EDGEC_CL_ERR_MEMORY, status, -1, "the weights buffer");
    }
    if (rc == EDGEC_CL_OK) rc = build_program(s, m, device);
    if (rc == EDGEC_CL_OK) rc = create_kernels(s, m);
    if (rc != EDGEC_CL_OK) edgec_cl_deinit(s, m);
    return rc;
}

int edgec_cl_run(edgec_cl_state *s, const edgec_cl_model *m, const void *const *inputs, void *const *outputs,
                 uint64_t *layer_ns) {
    if (s == NULL || m == NULL || inputs == NULL || outputs == NULL) return EDGEC_CL_ERR_ARGUMENT;
    if (s->queue == NULL) return EDGEC_CL_ERR_NOT_INITIALIZED;
    for (size_t i = 0; i < m->n_inputs; ++i) if (inputs[i] == NULL) return EDGEC_CL_ERR_ARGUMENT;
    for (size_t i = 0; i < m->n_outputs; ++i) if (outputs[i] == NULL) return EDGEC_CL_ERR_ARGUMENT;
    cl_int status = CL_SUCCESS;
    for (size_t i = 0; i < m->n_inputs; ++i) {
        status = CL(s, EnqueueWriteBuffer)(s->queue, s->arena, 1, m->inputs[i].offset, m->inputs[i].bytes, inputs[i],
                                           0, NULL, NULL);
        if (status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_RUN, status, -1, "writing an input");
    }
    for (size_t i = 0; i < m->n_launches; ++i) {
        const edgec_cl_launch *l = &m->launches[i];
        edgec_cl_event event = NULL;
        const size_t global = (l->global_size + s->local_size - 1) / s->local_size * s->local_size;
        status = CL(s, EnqueueNDRangeKernel)(s->queue, s->kernels[i], 1, NULL, &global, &s->local_size, 0, NULL,
                                             layer_ns ? &event : NULL);
        if (status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_RUN, status, l->layer, l->kernel);
        if (layer_ns) {  /* one launch at a time, each timed by its event */
            uint64_t start = 0, end = 0;
            status = CL(s, WaitForEvents)(1, &event);
            if (status == CL_SUCCESS)
                status = CL(s, GetEventProfilingInfo)(event, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
            if (status == CL_SUCCESS)
                status = CL(s, GetEventProfilingInfo)(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
            CL(s, ReleaseEvent)(event);
            if (status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_RUN, status, l->layer, "profiling");
            layer_ns[l->layer] += end - start;
        }
    }
    for (size_t i = 0; i < m->n_outputs; ++i) {
        status = CL(s, EnqueueReadBuffer)(s->queue, s->arena, 1, m->outputs[i].offset, m->outputs[i].bytes, outputs[i],
                                          0, NULL, NULL);
        if (status != CL_SUCCESS) return fail(s, EDGEC_CL_ERR_RUN, status, -1, "reading an output");
    }
    return EDGEC_CL_OK;
}

void edgec_cl_deinit(edgec_cl_state *s, const edgec_cl_model *m) {
    if (s == NULL || m == NULL) return;
    if (s->queue) CL(s, Finish)(s->queue);
    for (size_t i = 0; s->kernels && i < m->n_launches; ++i)
        if (s->kernels[i]) { CL(s, ReleaseKernel)(s->kernels[i]); s->kernels[i] = NULL; }
    if (s->program) CL(s, ReleaseProgram)(s->program);
    if (s->weights) CL(s, ReleaseMemObject)(s->weights);
    if (s->arena) CL(s, ReleaseMemObject)(s->arena);
    if (s->queue) CL(s, ReleaseCommandQueue)(s->queue);
    if (s->context) CL(s, ReleaseContext)(s->context);
    s->program = NULL; s->weights = s->arena = NULL; s->queue = NULL; s->context = NULL;
    if (s->library) dlclose(s->library);
    s->library = NULL;
}

const char *edgec_cl_error_name(int code) {
    switch (code) {
    case EDGEC_CL_OK: return "ok";
    case EDGEC_CL_ERR_ARGUMENT: return "a NULL argument";
    case EDGEC_CL_ERR_NO_LIBRARY: return "the OpenCL library (libOpenCL.so.1) cannot be loaded: no OpenCL driver installed";
    case EDGEC_CL_ERR_MISSING_SYMBOL: return "the OpenCL library lacks an OpenCL 1.2 function";
    case EDGEC_CL_ERR_NO_DEVICE: return "no OpenCL platform or device";
    case EDGEC_CL_ERR_CONTEXT: return "the OpenCL context or command queue cannot be created";
    case EDGEC_CL_ERR_BUILD: return "the OpenCL kernels did not build";
    case EDGEC_CL_ERR_KERNEL: return "a layer's OpenCL kernel cannot be created";
    case EDGEC_CL_ERR_MEMORY: return "the device arena or weights cannot be allocated";
    case EDGEC_CL_ERR_RUN: return "an OpenCL transfer or kernel launch failed";
    case EDGEC_CL_ERR_NOT_INITIALIZED: return "not initialized: call <name>_init first";
    default: return "unknown error";
    }
}
