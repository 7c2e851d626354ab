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
from .c_emitter import GeneratedC, c_identifier, run_params
from .opencl_host import OpenCLLayout, emit_weights, gpu_model_declarations, gpu_run_functions
from .opencl_kernels import Launch, node_launches
from .vulkan_shaders import VULKAN_RUNTIME, compile_template, template_source

HOST_FILES = [VULKAN_RUNTIME / "edgec_vulkan.c", VULKAN_RUNTIME / "edgec_vulkan.h", VULKAN_RUNTIME / "edgec_vk_api.h"]


def constant_words(launch: Launch, layout: OpenCLLayout, kinds: list[str]) -> list[int]:
    """The launch's specialization constants as 32-bit words, in the template's id order."""
    places = [layout.place(t) for t in launch.tensors]
    extra = launch.tensor_offsets or [0] * len(places)
    ints = [s for s, _ in places] + [off + e for (_, off), e in zip(places, extra)] + [launch.global_size]
    ints += [int(v) for v in launch.ints]
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
    per_node = [node_launches(node, graph) for node in graph.nodes]

    consts: list[str] = []  # in first-use order, as the OpenCL target lays them out
    node_weight_bytes = []
    for launches in per_node:
        ordered = [t for launch in launches for t in launch.tensors if t and graph.tensors[t].is_const]
        fresh = [t for t in dict.fromkeys(ordered) if t not in consts]
        consts += fresh
        node_weight_bytes.append(sum(graph.tensors[t].nbytes for t in fresh))
    const_offsets, total = {}, 0
    for t in consts:
        const_offsets[t] = total
        total += graph.tensors[t].elems
    layout = OpenCLLayout(graph, plan, const_offsets)
    weights = (np.concatenate([graph.tensors[t].data.reshape(-1).astype(np.float32) for t in consts])
               if consts else np.zeros(0, np.float32))

    kernels = sorted({launch.kernel for launches in per_node for launch in launches})
    compiled = {k: compile_template(k) for k in kernels}
    dispatch_c, n_dispatches = emit_dispatch_table(per_node, layout, prefix, kernels, compiled)
    files = {
        "model.h": emit_header(graph, plan, prefix, upper, weights.nbytes),
        "model.c": emit_model_c(graph, plan, prefix, upper, kernels, compiled, dispatch_c, n_dispatches, len(weights)),
        "weights.c": emit_weights(prefix, weights),
        "kernels.glsl": "\n".join(f"/* ===== {k}.comp ===== */\n{template_source(k)[0]}" for k in kernels),
    }
    gen = GeneratedC(files, list(HOST_FILES), int(weights.nbytes), node_weight_bytes)
    return gen, [[launch.kernel for launch in launches] for launches in per_node]


def emit_dispatch_table(per_node: list[list[Launch]], layout: OpenCLLayout, prefix: str, kernels: list[str],
                        compiled: dict) -> tuple[list[str], int]:
    decls, rows, k = [], [], 0
    for step, launches in enumerate(per_node):
        for launch in launches:
            words = constant_words(launch, layout, compiled[launch.kernel][1])
            decls.append(f"static const uint32_t constants{k}[] = {{{', '.join(f'{w}u' for w in words)}}};")
            rows.append(f"    {{{kernels.index(launch.kernel)}u, {step}, {len(words)}u, constants{k}, "
                        f"{launch.global_size}u}}, /* {launch.kernel} */")
            k += 1
    return [*decls, "", f"static const edgec_vk_dispatch {prefix}_dispatches[{max(k, 1)}] = {{",
            *(rows or ["    {0u, -1, 0u, NULL, 0u},"]), "};",
            f"#define {prefix.upper()}_NUM_DISPATCHES {k}u"], k


def emit_header(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int) -> str:
    lines = [
        "/* Generated by edgec. Do not edit.",
        f" * API of model '{prefix}' for Vulkan 1.0 devices (edgec --target vulkan). Tensors are dense, in the model's",
        " * own layout and dtype.",
        " *",
        f" *   int {prefix}_init(void);",
        " *       Loads libvulkan.so.1 (or the file named by $EDGEC_VULKAN_LIBRARY) with dlopen, picks the first GPU",
        " *       (else the first Vulkan device) with a compute queue, builds one compute pipeline per layer from the",
        " *       embedded SPIR-V, allocates the device arena, uploads the weights and records every dispatch into one",
        " *       command buffer. Returns 0, or a negative EDGEC_VK_ERR_* code (edgec_vulkan.h):",
        f" *       EDGEC_VK_ERR_NO_LIBRARY where no Vulkan loader is installed. {prefix}_error_detail() then says",
        f" *       more (the failing call), {prefix}_failed_layer() which layer's pipeline failed (-1: none).",
        f" *   int {prefix}_run({run_params(graph)});",
        " *       Copies the inputs in, submits the command buffer and waits, copies the outputs out. Returns 0, or a",
        " *       negative EDGEC_VK_ERR_* code.",
        f" *   int {prefix}_run_profiled(..., uint64_t layer_ns[{upper}_NUM_LAYERS]);",
        " *       The same with timestamp queries around every dispatch: each layer's time in ns (zeroed first).",
        f" *   void {prefix}_deinit(void);",
        " *       Releases every Vulkan object and unloads the library.",
        f" * Memory: one device buffer of {upper}_ARENA_BYTES bytes (inputs, outputs and every intermediate, at the",
        f" * memory planner's offsets), one of {upper}_WEIGHTS_BYTES bytes of weights, and a host-visible staging",
        " * buffer for the inputs and outputs. Not reentrant.",
        " */",
    ]
    return "\n".join(lines + gpu_model_declarations(graph, plan, prefix, upper, weights_bytes, "edgec_vulkan.h"))


def spirv_array(name: str, words: list[int]) -> list[str]:
    rows = [", ".join(f"0x{w:08x}u" for w in words[i:i + 8]) for i in range(0, len(words), 8)]
    return [f"static const uint32_t {name}[{len(words)}] = {{", *(f"    {r}," for r in rows), "};"]


def emit_model_c(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, kernels: list[str], compiled: dict,
                 dispatch_c: list[str], n_dispatches: int, weight_elems: int) -> str:

    def io(names):
        return [f"    {{{plan.offset_of(graph.storage_root(t))}u, {graph.tensors[t].nbytes}u}}," for t in names]

    spirv = []
    for k in kernels:
        spirv += [f"/* {k}.comp (SPIR-V, glslangValidator) */", *spirv_array(f"spirv_{k}", compiled[k][0]), ""]
    n_shaders = max(len(kernels), 1)
    lines = [
        "/* Generated by edgec. Do not edit. */",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        '#include "model.h"',
        "",
        f"extern const uint32_t {prefix}_weights[{max(weight_elems, 1)}]; /* float32 bit patterns (weights.c) */",
        "",
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
        f"static const edgec_vk_io {prefix}_inputs[{max(len(graph.inputs), 1)}] = {{",
        *(io(graph.inputs) or ["    {0u, 0u},"]), "};",
        f"static const edgec_vk_io {prefix}_outputs[{max(len(graph.outputs), 1)}] = {{",
        *(io(graph.outputs) or ["    {0u, 0u},"]), "};",
        f"static const edgec_vk_model {prefix}_model = {{",
        f"    {prefix}_shaders, {len(kernels)}u,",
        f"    {prefix}_dispatches, {upper}_NUM_DISPATCHES,",
        f"    {upper}_ARENA_BYTES, {prefix}_weights, {upper}_WEIGHTS_BYTES,",
        f"    {prefix}_inputs, {prefix}_outputs, {len(graph.inputs)}, {len(graph.outputs)},",
        "};",
        "",
        f"static edgec_vk_state {prefix}_state;",
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


def add_vulkan_report(report: dict, plan: MemoryPlan, kernels: list[list[str]]) -> None:
    """report.json for a Vulkan build: the device arena and, per layer, the shader template that runs it."""
    report["backend"] = "vulkan"
    report["device_arena_bytes"] = plan.arena_bytes
    report["device_weights_bytes"] = report["weights_bytes"]
    for layer, names in zip(report["layers"], kernels):
        layer["kernel"] = ",".join(dict.fromkeys(names)) or "-"
        layer["kernel_source"] = "edgec GLSL template (SPIR-V)"
