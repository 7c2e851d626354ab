/* edgec's OpenCL host runtime: plain C99 + POSIX dlopen, no OpenCL headers or library needed at build time.
 *
 * The model's generated model.c describes its program (OpenCL C source lines) and its launches (one kernel
 * with its tensors and parameters each, in execution order); this file loads libOpenCL at run time, so a binary
 * built with it starts on a machine without any OpenCL driver and then fails with EDGEC_CL_ERR_NO_LIBRARY.
 * Every function returns an error code; nothing is printed, nothing aborts.
 */
#ifndef EDGEC_OPENCL_H
#define EDGEC_OPENCL_H

#include <stddef.h>
#include <stdint.h>

#define EDGEC_CL_OK 0
#define EDGEC_CL_ERR_ARGUMENT (-1)        /* a NULL pointer */
#define EDGEC_CL_ERR_NO_LIBRARY (-2)      /* libOpenCL could not be loaded (no driver / ICD loader installed) */
#define EDGEC_CL_ERR_MISSING_SYMBOL (-3)  /* the library lacks an OpenCL 1.2 entry point */
#define EDGEC_CL_ERR_NO_DEVICE (-4)       /* no OpenCL platform or device */
#define EDGEC_CL_ERR_CONTEXT (-5)         /* context or command queue creation failed */
#define EDGEC_CL_ERR_BUILD (-6)           /* the kernel program did not build: see the detail text (the first
                                             layer whose template fails alone, and its build log) */
#define EDGEC_CL_ERR_KERNEL (-7)          /* a layer's kernel could not be created or given its arguments */
#define EDGEC_CL_ERR_MEMORY (-8)          /* the device arena or weights buffer could not be allocated */
#define EDGEC_CL_ERR_RUN (-9)             /* a transfer or a layer's launch failed */
#define EDGEC_CL_ERR_NOT_INITIALIZED (-10)

/* The library edgec_cl_init loads: this soname, unless the environment variable EDGEC_OPENCL_LIBRARY names
   another file (a vendor's library outside the search path, or a missing one to test the failure). */
#define EDGEC_CL_LIBRARY "libOpenCL.so.1"
#define EDGEC_CL_LIBRARY_ENV "EDGEC_OPENCL_LIBRARY"

/* Opaque OpenCL handles, as in CL/cl.h (same struct tags, own typedef names). */
typedef struct _cl_platform_id *edgec_cl_platform;
typedef struct _cl_device_id *edgec_cl_device;
typedef struct _cl_context *edgec_cl_context;
typedef struct _cl_command_queue *edgec_cl_queue;
typedef struct _cl_mem *edgec_cl_mem;
typedef struct _cl_program *edgec_cl_program;
typedef struct _cl_kernel *edgec_cl_kernel;
typedef struct _cl_event *edgec_cl_event;

/* One kernel launch: the kernel's __global pointers (space 0: the arena, 1: the weights), then int arguments
   (the pointers' element offsets first, then global_size), then float arguments; global_size work-items in
   work-groups of one local size for the whole model (so that a compiler specialising kernels per work-group
   size, as PoCL does, compiles each kernel once), the range rounded up: the kernels skip items past the end. */
typedef struct {
    const char *kernel;
    int32_t layer; /* report.json's layer index */
    uint8_t n_buffers, n_ints, n_floats;
    const uint8_t *spaces;
    const int32_t *ints;
    const float *floats;
    size_t global_size;
} edgec_cl_launch;

typedef struct {
    size_t offset, bytes; /* in the arena */
} edgec_cl_io;

/* Where one kernel template's lines are in the program text. */
typedef struct {
    const char *kernel;
    uint32_t first_line, lines;
} edgec_cl_template;

typedef struct {
    const char *const *source; /* program text, one string per line */
    size_t source_lines;
    size_t common_lines;       /* the first lines, shared by every template (edgec_cl_common.cl) */
    const edgec_cl_template *templates;
    size_t n_templates;
    const edgec_cl_launch *launches;
    size_t n_launches;
    size_t arena_bytes;
    const void *weights;
    size_t weights_bytes;
    const edgec_cl_io *inputs, *outputs;
    size_t n_inputs, n_outputs;
} edgec_cl_model;

typedef void (*edgec_cl_fn)(void); /* the stored type of a loaded entry point (cast back before a call) */

typedef struct {
    void *library;
    edgec_cl_fn fn[24]; /* entry points, in edgec_opencl.c's order */
    edgec_cl_context context;
    edgec_cl_queue queue;
    edgec_cl_program program;
    edgec_cl_mem arena, weights;
    edgec_cl_kernel *kernels; /* n_launches, the model's storage */
    edgec_cl_device device;
    size_t local_size;        /* work-items per work-group, every launch */
    int32_t last_cl_error;     /* the OpenCL status of the call that failed */
    int32_t failed_layer;      /* the layer whose kernel failed, -1 if none */
    char detail[2048];         /* the build log, or the OpenCL call that failed */
} edgec_cl_state;

int edgec_cl_init(edgec_cl_state *s, const edgec_cl_model *m, edgec_cl_kernel *kernels);
/* inputs / outputs: one pointer per model input / output. layer_ns: NULL, or one uint64_t per layer (zeroed by the
   caller) that receives the sum of the layer's kernel times from OpenCL profiling events, in nanoseconds. */
int edgec_cl_run(edgec_cl_state *s, const edgec_cl_model *m, const void *const *inputs, void *const *outputs,
                 uint64_t *layer_ns);
void edgec_cl_deinit(edgec_cl_state *s, const edgec_cl_model *m);
const char *edgec_cl_error_name(int code);

#endif /* EDGEC_OPENCL_H */
