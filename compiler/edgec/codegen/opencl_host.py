"""Emit a model for `--target opencl`: device kernels from edgec's OpenCL C templates, and a plain-C host.

Files: model.h (the API), model.c (the program text, the launch table, init / run / deinit over the shared
host runtime runtimes/opencl/edgec_opencl.c), weights.c (every constant in one array of 32-bit words, uploaded to the
device once at init), kernels.cl (the program as the device compiles it, for reading). The device holds one
arena buffer, the memory planner's (memory/plan.py): each tensor is the arena buffer plus its planned offset,
passed to the kernels as an element offset.
"""

from __future__ import annotations

import numpy as np

from ..ir import Graph
from ..memory.plan import MemoryPlan
from ..paths import RUNTIMES
from .c_emitter import GeneratedC, c_identifier, format_c_scalar
from .gpu_host_common import (ApiDoc, DeviceLayout, emit_weights, gpu_model_header, gpu_model_struct,
                              gpu_run_functions, launch_table, model_c_head)
from .opencl_kernels import Launch

OPENCL_RUNTIME = RUNTIMES / "opencl"
HOST_FILES = [OPENCL_RUNTIME / "edgec_opencl.c", OPENCL_RUNTIME / "edgec_opencl.h"]
COMMON = "edgec_cl_common"


def program_source(kernels: list[str]) -> tuple[str, int, list[tuple[str, int, int]]]:
    """The program text (edgec_cl_common.cl, then each template), the common part's line count, and each template's
    (kernel, first line, line count): the host builds the templates one by one to name the layer that fails."""
    lines = (OPENCL_RUNTIME / f"{COMMON}.cl").read_text().splitlines()
    common_lines, ranges = len(lines), []
    for k in sorted(kernels):
        text = (OPENCL_RUNTIME / f"{k}.cl").read_text().splitlines()
        ranges.append((k, len(lines), len(text)))
        lines += text
    return "\n".join(lines) + "\n", common_lines, ranges


def c_string(line: str) -> str:
    return '"' + line.replace("\\", "\\\\").replace('"', '\\"') + '\\n"'


def emit_opencl(graph: Graph, plan: MemoryPlan, name: str) -> tuple[GeneratedC, list[list[str]]]:
    """The generated files, and per node the kernel templates its launches run (for the report)."""
    prefix = c_identifier(name)
    upper = prefix.upper()
    layout = DeviceLayout.of(graph, plan)
    source, common_lines, ranges = program_source(layout.kernels())
    launch_c, n_launches = emit_launch_table(layout, prefix)
    files = {
        "model.h": emit_header(graph, plan, prefix, upper, layout.weights.nbytes),
        "model.c": emit_model_c(graph, plan, prefix, upper, (source, common_lines, ranges), launch_c, n_launches,
                                len(layout.weights)),
        "weights.c": emit_weights(prefix, layout.weights),
        "kernels.cl": source,
    }
    return layout.generated(files, HOST_FILES), layout.node_kernels()


def emit_launch_table(layout: DeviceLayout, prefix: str) -> tuple[list[str], int]:
    def launch_c(k: int, step: int, launch: Launch) -> tuple[list[str], str]:
        spaces, ints = layout.arguments(launch)
        floats = [np.float32(v) for v in launch.floats]
        decls = [f"static const uint8_t spaces{k}[] = {{{', '.join(str(s) for s in spaces)}}};",
                 f"static const int32_t ints{k}[] = {{{', '.join(str(v) for v in ints)}}};"]
        if floats:
            decls.append(f"static const float floats{k}[] = {{{', '.join(format_c_scalar(v) for v in floats)}}};")
        return decls, (f'    {{"{launch.kernel}", {step}, {len(spaces)}, {len(ints)}, {len(floats)}, spaces{k}, '
                       f'ints{k}, {f"floats{k}" if floats else "NULL"}, {launch.global_size}u}},')

    return launch_table(layout, prefix, "edgec_cl_launch", "launches", '    {"", -1, 0, 0, 0, NULL, NULL, NULL, 0u},',
                        launch_c)


def emit_header(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int) -> str:
    doc = ApiDoc(init=[
        " *       Loads libOpenCL.so.1 (or the file named by $EDGEC_OPENCL_LIBRARY) with dlopen, picks the first GPU",
        " *       (else the first OpenCL device), builds the kernels, allocates the device arena and uploads the",
        " *       weights. Returns 0, or a negative EDGEC_CL_ERR_* code (edgec_opencl.h): EDGEC_CL_ERR_NO_LIBRARY",
        f" *       where no OpenCL driver is installed. {prefix}_error_detail() then says more (the build log, the",
        f" *       failing call), {prefix}_failed_layer() which layer's kernel failed (-1: none).",
    ], run=[
        " *       Copies the inputs to the device, runs every layer's kernel in order, copies the outputs back.",
        " *       Returns 0, or a negative EDGEC_CL_ERR_* code.",
    ], run_profiled=[
        " *       The same, one kernel at a time, adding each layer's kernel time (OpenCL profiling events, ns).",
    ], deinit=[
        " *       Releases every OpenCL object and unloads the library.",
    ], memory=[
        f" * Memory: one device buffer of {upper}_ARENA_BYTES bytes (inputs, outputs and every intermediate, at the",
        f" * memory planner's offsets) and one of {upper}_WEIGHTS_BYTES bytes of weights. Not reentrant.",
    ])
    return gpu_model_header(graph, plan, prefix, upper, weights_bytes, "OpenCL 1.2", "opencl", "edgec_opencl.h", doc)


def emit_model_c(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, program, launch_c: list[str],
                 n_launches: int, weight_elems: int) -> str:
    """program: program_source's (text, common line count, template line ranges)."""
    source, common_lines, ranges = program
    lines = [
        *model_c_head(prefix, weight_elems, ["math.h", "stddef.h", "stdint.h"]),
        "/* The device program: edgec's OpenCL C kernel templates this model uses (kernels.cl). */",
        f"static const char *const {prefix}_source[] = {{",
        *[f"    {c_string(line)}," for line in source.splitlines()],
        "};",
        f"static const edgec_cl_template {prefix}_templates[{max(len(ranges), 1)}] = {{",
        *([f'    {{"{k}", {first}u, {n}u}},' for k, first, n in ranges] or ['    {"", 0u, 0u},']),
        "};",
        "",
        "/* One launch per layer (a concat: one per input), in order: kernel, layer, tensors, parameters. */",
        *launch_c,
        "",
        *gpu_model_struct(graph, plan, prefix, upper, "cl", [
            f"    {prefix}_source, sizeof {prefix}_source / sizeof {prefix}_source[0], {common_lines}u,",
            f"    {prefix}_templates, {len(ranges)}u,",
            f"    {prefix}_launches, {upper}_NUM_LAUNCHES,"]),
        f"static edgec_cl_kernel {prefix}_kernels[{max(1, n_launches)}];",
        "",
        f"int {prefix}_init(void) {{",
        f"    return edgec_cl_init(&{prefix}_state, &{prefix}_model, {prefix}_kernels);",
        "}",
        "",
        *gpu_run_functions(graph, prefix, upper, "cl"),
    ]
    return "\n".join(lines)
