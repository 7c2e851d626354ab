"""Emit a model for `--target vulkan`: compute shaders from edgec's GLSL templates, compiled to SPIR-V now and embedded
in the C, and a plain-C host over runtimes/vulkan/edgec_vulkan.c.

The layers and their parameters are the OpenCL target's (codegen/opencl_kernels.py: one launch per layer, a concat
one per input); here each launch is a dispatch of its template's SPIR-V, specialised by the launch's tensors'
buffers and element offsets, its invocation count and its parameters (vulkan_shaders.py). Files: model.h (the API),
model.c (SPIR-V words per template used, the dispatch table, init / run / deinit), weights.c (every constant in one
array, uploaded once at init), kernels.glsl (the templates' GLSL as compiled, for reading). The device holds one
arena buffer, the memory planner's (memory/plan.py).
"""

from __future__ import annotations

import numpy as np

from ..errors import EdgecError
from ..ir import Graph
from ..memory.plan import MemoryPlan
from .c_emitter import GeneratedC, c_identifier
from .gpu_host_common import (ApiDoc, DeviceLayout, emit_weights, gpu_model_header, gpu_model_struct,
                              gpu_run_functions, launch_table, model_c_head)
from .opencl_kernels import Launch
from .vulkan_shaders import VULKAN_RUNTIME, compile_template, template_source

HOST_FILES = [VULKAN_RUNTIME / "edgec_vulkan.c", VULKAN_RUNTIME / "edgec_vulkan.h", VULKAN_RUNTIME / "edgec_vk_api.h"]


def constant_words(launch: Launch, layout: DeviceLayout, kinds: list[str]) -> list[int]:
    """The launch's specialization constants as 32-bit words, in the template's id order."""
    spaces, args = layout.arguments(launch)
    ints = spaces + args
    floats = [float(v) for v in launch.floats]
    want = ["INT"] * len(ints) + ["FLOAT"] * len(floats)
    if want != kinds:  # a template out of step with its launch: a bug in edgec, not in the model
        raise EdgecError(f"the Vulkan template {launch.kernel} takes {len(kinds)} constants, its launch gives "
                         f"{len(want)}")
    words = [int(v) & 0xFFFFFFFF for v in ints]
    words += [int(w) for w in np.array(floats, np.float32).view(np.uint32)]
    return words


def emit_vulkan(graph: Graph, plan: MemoryPlan, name: str) -> tuple[GeneratedC, list[list[str]]]:
    """The generated files, and per node the shader templates its dispatches run (for the report)."""
    prefix = c_identifier(name)
    upper = prefix.upper()
    layout = DeviceLayout.of(graph, plan)  # the OpenCL target's launches and buffers
    kernels = layout.kernels()
    compiled = {k: compile_template(k) for k in kernels}
    dispatch_c, n_dispatches = emit_dispatch_table(layout, prefix, kernels, compiled)
    files = {
        "model.h": emit_header(graph, plan, prefix, upper, layout.weights.nbytes),
        "model.c": emit_model_c(graph, plan, prefix, upper, kernels, compiled, dispatch_c, n_dispatches,
                                len(layout.weights)),
        "weights.c": emit_weights(prefix, layout.weights),
        "kernels.glsl": "\n".join(f"/* ===== {k}.comp ===== */\n{template_source(k)[0]}" for k in kernels),
    }
    return layout.generated(files, HOST_FILES), layout.node_kernels()


def emit_dispatch_table(layout: DeviceLayout, prefix: str, kernels: list[str], compiled: dict) -> tuple[list[str], int]:
    def dispatch_c(k: int, step: int, launch: Launch) -> tuple[list[str], str]:
        words = constant_words(launch, layout, compiled[launch.kernel][1])
        return ([f"static const uint32_t constants{k}[] = {{{', '.join(f'{w}u' for w in words)}}};"],
                f"    {{{kernels.index(launch.kernel)}u, {step}, {len(words)}u, constants{k}, {launch.global_size}u}}, "
                f"/* {launch.kernel} */")

    return launch_table(layout, prefix, "edgec_vk_dispatch", "dispatches", "    {0u, -1, 0u, NULL, 0u},", dispatch_c)


def emit_header(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int) -> str:
    doc = ApiDoc(init=[
        " *       Loads libvulkan.so.1 (or the file named by $EDGEC_VULKAN_LIBRARY) with dlopen, picks the first GPU",
        " *       (else the first Vulkan device) with a compute queue, builds one compute pipeline per layer from the",
        " *       embedded SPIR-V, allocates the device arena, uploads the weights and records every dispatch into one",
        " *       command buffer. Returns 0, or a negative EDGEC_VK_ERR_* code (edgec_vulkan.h):",
        f" *       EDGEC_VK_ERR_NO_LIBRARY where no Vulkan loader is installed. {prefix}_error_detail() then says",
        f" *       more (the failing call), {prefix}_failed_layer() which layer's pipeline failed (-1: none).",
    ], run=[
        " *       Copies the inputs in, submits the command buffer and waits, copies the outputs out. Returns 0, or a",
        " *       negative EDGEC_VK_ERR_* code.",
    ], run_profiled=[
        " *       The same with timestamp queries around every dispatch: each layer's time in ns (zeroed first).",
    ], deinit=[
        " *       Releases every Vulkan object and unloads the library.",
    ], memory=[
        f" * Memory: one device buffer of {upper}_ARENA_BYTES bytes (inputs, outputs and every intermediate, at the",
        f" * memory planner's offsets), one of {upper}_WEIGHTS_BYTES bytes of weights, and a host-visible staging",
        " * buffer for the inputs and outputs. Not reentrant.",
    ])
    return gpu_model_header(graph, plan, prefix, upper, weights_bytes, "Vulkan 1.0", "vulkan", "edgec_vulkan.h", doc)


def spirv_array(name: str, words: list[int]) -> list[str]:
    rows = [", ".join(f"0x{w:08x}u" for w in words[i:i + 8]) for i in range(0, len(words), 8)]
    return [f"static const uint32_t {name}[{len(words)}] = {{", *(f"    {r}," for r in rows), "};"]


def emit_model_c(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, kernels: list[str], compiled: dict,
                 dispatch_c: list[str], n_dispatches: int, weight_elems: int) -> str:
    spirv = []
    for k in kernels:
        spirv += [f"/* {k}.comp (SPIR-V, glslangValidator) */", *spirv_array(f"spirv_{k}", compiled[k][0]), ""]
    n_shaders = max(len(kernels), 1)
    lines = [
        *model_c_head(prefix, weight_elems, ["stddef.h", "stdint.h"]),
        "/* The compute shaders: edgec's GLSL templates this model uses (kernels.glsl), compiled at compile time. */",
        *spirv,
        f"static const edgec_vk_shader {prefix}_shaders[{n_shaders}] = {{",
        *([f'    {{"{k}", spirv_{k}, sizeof spirv_{k} / sizeof spirv_{k}[0]}},' for k in kernels]
          or ['    {"", NULL, 0},']),
        "};",
        "",
        "/* One dispatch per layer (a concat: one per input), in order: shader, layer, specialization constants, count. */",
        *dispatch_c,
        "",
        *gpu_model_struct(graph, plan, prefix, upper, "vk", [
            f"    {prefix}_shaders, {len(kernels)}u,",
            f"    {prefix}_dispatches, {upper}_NUM_DISPATCHES,"]),
        f"static VkShaderModule {prefix}_modules[{n_shaders}];",
        f"static VkPipeline {prefix}_pipelines[{max(1, n_dispatches)}];",
        f"static uint64_t {prefix}_timestamps[{n_dispatches + 1}];",
        "",
        f"int {prefix}_init(void) {{",
        f"    edgec_vk_storage storage = {{{prefix}_modules, {prefix}_pipelines, {prefix}_timestamps}};",
        f"    return edgec_vk_init(&{prefix}_state, &{prefix}_model, storage);",
        "}",
        "",
        *gpu_run_functions(graph, prefix, upper, "vk"),
    ]
    return "\n".join(lines)
