"""Emit a model for `--target opencl`: device kernels from edgec's OpenCL C templates, and a plain-C host.

Files: model.h (the API), model.c (the program text, the launch table, init / run / deinit over the shared
host runtime runtimes/opencl/edgec_opencl.c), weights.c (every constant in one array of 32-bit words, uploaded to the
device once at init), kernels.cl (the program as the device compiles it, for reading). The device holds one
arena buffer, the memory planner's (memory/plan.py): each tensor is the arena buffer plus its planned offset,
passed to the kernels as an element offset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import EdgecError
from ..ir import Graph
from ..memory.plan import MemoryPlan
from ..passes.patch_search import TARGET_DEFAULT
from ..paths import RUNTIMES
from .c_emitter import GeneratedC, c_identifier, format_c_scalar, run_params
from .opencl_kernels import Launch, node_launches

OPENCL_RUNTIME = RUNTIMES / "opencl"
HOST_FILES = [OPENCL_RUNTIME / "edgec_opencl.c", OPENCL_RUNTIME / "edgec_opencl.h"]
COMMON = "edgec_cl_common"


@dataclass
class OpenCLLayout:
    """Where each tensor a kernel reads lives on the device: (space, offset); space 0 is the arena, 1 the weights
    buffer. The offset counts the tensor's own elements: floats, or bytes for int8 (a hybrid layer's weights and
    quantised input, read through a char pointer, or in GLSL from the 32-bit word that holds them)."""

    graph: Graph
    plan: MemoryPlan
    const_offsets: dict[str, int]  # in 32-bit words of the weights buffer

    def place(self, tensor: str | None) -> tuple[int, int]:
        if tensor is None:  # an absent bias: the kernel never reads it
            return 1, 0
        t = self.graph.tensors[tensor]
        per_word = 4 if t.dtype == "int8" else 1
        if t.is_const:
            return 1, self.const_offsets[tensor] * per_word
        offset = self.plan.offset_of(self.graph.storage_root(tensor))
        if offset % 4:  # int8 too: the Vulkan quantiser writes whole words
            raise EdgecError(f"tensor '{tensor}' is at arena byte {offset}, not a 4-byte boundary")
        return 0, offset * per_word // 4


def layout_constants(graph: Graph, per_node: list[list[Launch]]) -> tuple[dict[str, int], np.ndarray, list[int]]:
    """Every constant the launches read, in first-use order, in one array of 32-bit words uploaded once: floats as
    their bit patterns, int8 weights four to a word in memory order (the byte order of the host, which every OpenCL
    and Vulkan host shares with its device), each constant starting on a word. Returns each constant's word offset,
    the words, and per node the bytes of the constants it is the first to read."""
    consts: list[str] = []
    node_weight_bytes = []
    for launches in per_node:
        ordered = [t for launch in launches for t in launch.tensors if t and graph.tensors[t].is_const]
        fresh = [t for t in dict.fromkeys(ordered) if t not in consts]
        consts += fresh
        node_weight_bytes.append(sum(graph.tensors[t].nbytes for t in fresh))
    const_offsets, parts, total = {}, [], 0
    for t in consts:
        tensor = graph.tensors[t]
        if tensor.dtype == "int8":
            raw = np.ascontiguousarray(tensor.data, np.int8).reshape(-1).tobytes()
            words = np.frombuffer(raw + bytes(-len(raw) % 4), dtype=np.uint32)
        else:
            words = np.ascontiguousarray(tensor.data.reshape(-1), np.float32).view(np.uint32)
        const_offsets[t] = total
        parts.append(words)
        total += len(words)
    words = np.concatenate(parts) if parts else np.zeros(0, np.uint32)
    return const_offsets, words, node_weight_bytes


def check_opencl_options(options, target: str = "opencl") -> None:
    """The compile options the OpenCL (and Vulkan) target does not take (yet): refused before any work."""
    refused = [(options.quantize is not None, "--quantize (the OpenCL target compiles float models)"),
               (options.patch.mode not in ("off", TARGET_DEFAULT), "--patch"),
               (options.checksum, "--checksum"),
               (options.ecotta.enabled, "--ecotta"),
               (options.generate, "--generate"),
               (options.import_options.input_outside_arena, "--input-outside-arena"),
               (bool(getattr(options.import_options, "int8_input", False)), "--int8-input")]
    names = [name for bad, name in refused if bad]
    if names:
        raise EdgecError(f"--target {target} does not support {', '.join(names)} yet")


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
    per_node = [node_launches(node, graph) for node in graph.nodes]

    const_offsets, weights, node_weight_bytes = layout_constants(graph, per_node)
    layout = OpenCLLayout(graph, plan, const_offsets)

    kernels = sorted({launch.kernel for launches in per_node for launch in launches})
    source, common_lines, ranges = program_source(kernels)
    launch_c, n_launches = emit_launch_table(per_node, layout, prefix)
    files = {
        "model.h": emit_header(graph, plan, prefix, upper, weights.nbytes, per_node),
        "model.c": emit_model_c(graph, plan, prefix, upper, (source, common_lines, ranges), launch_c, n_launches,
                                len(weights)),
        "weights.c": emit_weights(prefix, weights),
        "kernels.cl": source,
    }
    gen = GeneratedC(files, list(HOST_FILES), int(weights.nbytes), node_weight_bytes)
    return gen, [[launch.kernel for launch in launches] for launches in per_node]


def emit_launch_table(per_node: list[list[Launch]], layout: OpenCLLayout, prefix: str) -> tuple[list[str], int]:
    decls, rows, k = [], [], 0
    for step, launches in enumerate(per_node):
        for launch in launches:
            places = [layout.place(t) for t in launch.tensors]
            extra = launch.tensor_offsets or [0] * len(places)
            ints = [off + e for (_, off), e in zip(places, extra)] + [launch.global_size] + [int(v) for v in launch.ints]
            floats = [np.float32(v) for v in launch.floats]
            decls.append(f"static const uint8_t spaces{k}[] = {{{', '.join(str(s) for s, _ in places)}}};")
            decls.append(f"static const int32_t ints{k}[] = {{{', '.join(str(v) for v in ints)}}};")
            if floats:
                decls.append(f"static const float floats{k}[] = {{{', '.join(format_c_scalar(v) for v in floats)}}};")
            rows.append(f'    {{"{launch.kernel}", {step}, {len(places)}, {len(ints)}, {len(floats)}, spaces{k}, '
                        f'ints{k}, {f"floats{k}" if floats else "NULL"}, {launch.global_size}u}},')
            k += 1
    return [*decls, "", f"static const edgec_cl_launch {prefix}_launches[{max(k, 1)}] = {{",
            *(rows or ['    {"", -1, 0, 0, 0, NULL, NULL, NULL, 0u},']), "};",
            f"#define {prefix.upper()}_NUM_LAUNCHES {k}u"], k


def emit_weights(prefix: str, words: np.ndarray) -> str:
    """The constants' 32-bit words (layout_constants): exact, and quick to write and to compile for millions of
    weights."""
    words = [f"0x{int(v):08x}u" for v in np.ascontiguousarray(words, np.uint32)] or ["0u"]
    rows = ",\n".join("    " + ", ".join(words[i:i + 8]) for i in range(0, len(words), 8))
    return "\n".join(["/* Generated by edgec. Do not edit. Every constant (float32 bit patterns; int8 weights four to a",
                      " * word, in memory order), uploaded to the device once at init. */", "#include <stdint.h>", "",
                      f"const uint32_t {prefix}_weights[{len(words)}] = {{", rows, "};", ""])


def emit_header(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int, per_node) -> str:
    lines = [
        "/* Generated by edgec. Do not edit.",
        f" * API of model '{prefix}' for OpenCL 1.2 devices (edgec --target opencl). Tensors are dense, in the model's",
        " * own layout and dtype.",
        " *",
        f" *   int {prefix}_init(void);",
        " *       Loads libOpenCL.so.1 (or the file named by $EDGEC_OPENCL_LIBRARY) with dlopen, picks the first GPU",
        " *       (else the first OpenCL device), builds the kernels, allocates the device arena and uploads the",
        " *       weights. Returns 0, or a negative EDGEC_CL_ERR_* code (edgec_opencl.h): EDGEC_CL_ERR_NO_LIBRARY",
        f" *       where no OpenCL driver is installed. {prefix}_error_detail() then says more (the build log, the",
        f" *       failing call), {prefix}_failed_layer() which layer's kernel failed (-1: none).",
        f" *   int {prefix}_run({run_params(graph)});",
        " *       Copies the inputs to the device, runs every layer's kernel in order, copies the outputs back.",
        " *       Returns 0, or a negative EDGEC_CL_ERR_* code.",
        f" *   int {prefix}_run_profiled(..., uint64_t layer_ns[{upper}_NUM_LAYERS]);",
        " *       The same, one kernel at a time, adding each layer's kernel time (OpenCL profiling events, ns).",
        f" *   void {prefix}_deinit(void);",
        " *       Releases every OpenCL object and unloads the library.",
        f" * Memory: one device buffer of {upper}_ARENA_BYTES bytes (inputs, outputs and every intermediate, at the",
        f" * memory planner's offsets) and one of {upper}_WEIGHTS_BYTES bytes of weights. Not reentrant.",
        " */",
    ]
    return "\n".join(lines + gpu_model_declarations(graph, plan, prefix, upper, weights_bytes, "edgec_opencl.h"))


def gpu_model_declarations(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int,
                           runtime_header: str) -> list[str]:
    """model.h of a GPU build after its comment: sizes, each input's and output's shape, and the API (the same
    for the OpenCL and the Vulkan host)."""
    lines = [
        f"#ifndef {upper}_MODEL_H",
        f"#define {upper}_MODEL_H",
        "",
        "#include <stddef.h>",
        "#include <stdint.h>",
        f'#include "{runtime_header}"',
        "",
    f"#define {upper}_ARENA_BYTES {plan.arena_bytes}u",
        f"#define {upper}_WEIGHTS_BYTES {weights_bytes}u",
        f"#define {upper}_NUM_INPUTS {len(graph.inputs)}",
        f"#define {upper}_NUM_OUTPUTS {len(graph.outputs)}",
        f"#define {upper}_NUM_LAYERS {len(graph.nodes)}",
    ]
    for kind, names in (("INPUT", graph.inputs), ("OUTPUT", graph.outputs)):
        for i, tname in enumerate(names):
            t = graph.tensors[tname]
            p = f"{upper}_{kind}{i}"
            lines += ["", f"/* {kind.lower()} {i}: '{tname}' {t.dtype}{list(t.shape)} */",
                      f"#define {p}_RANK {len(t.shape)}",
                      f"#define {p}_SHAPE {{{', '.join(str(d) for d in t.shape) or '1'}}}",
                      f"#define {p}_ELEMS {t.elems}u", f"#define {p}_BYTES {t.nbytes}u"]
    params = run_params(graph)
    lines += [
        "", "#ifdef __cplusplus", 'extern "C" {', "#endif", "",
        f"int {prefix}_init(void);",
        f"int {prefix}_run({params});",
        f"int {prefix}_run_profiled({params}, uint64_t *layer_ns);",
        f"void {prefix}_deinit(void);",
        f"const char *{prefix}_error_detail(void);",
        f"int {prefix}_failed_layer(void);",
        "", "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* {upper}_MODEL_H */", "",
    ]
    return lines


def gpu_run_functions(graph: Graph, prefix: str, upper: str, api: str) -> list[str]:
    """model.c's <name>_run, _run_profiled, _deinit, _error_detail and _failed_layer over a GPU host runtime
    (api: "cl", edgec_opencl.c; "vk", edgec_vulkan.c), whose functions have the same shape."""
    single = len(graph.inputs) == 1 and len(graph.outputs) == 1
    in_names = ["input"] if single else [f"input{i}" for i in range(len(graph.inputs))]
    out_names = ["output"] if single else [f"output{i}" for i in range(len(graph.outputs))]
    params = run_params(graph)
    ins = ", ".join(in_names) or "NULL"
    outs = ", ".join(out_names) or "NULL"
    return [
        f"int {prefix}_run({params}) {{",
        f"    const void *const ins[{max(len(in_names), 1)}] = {{{ins}}};",
        f"    void *const outs[{max(len(out_names), 1)}] = {{{outs}}};",
        f"    return edgec_{api}_run(&{prefix}_state, &{prefix}_model, ins, outs, NULL);",
        "}",
        "",
        f"int {prefix}_run_profiled({params}, uint64_t *layer_ns) {{",
        f"    const void *const ins[{max(len(in_names), 1)}] = {{{ins}}};",
        f"    void *const outs[{max(len(out_names), 1)}] = {{{outs}}};",
        f"    if (layer_ns == NULL) return EDGEC_{api.upper()}_ERR_ARGUMENT;",
        f"    for (int i = 0; i < {upper}_NUM_LAYERS; ++i) layer_ns[i] = 0;",
        f"    return edgec_{api}_run(&{prefix}_state, &{prefix}_model, ins, outs, layer_ns);",
        "}",
        "",
        f"void {prefix}_deinit(void) {{",
        f"    edgec_{api}_deinit(&{prefix}_state, &{prefix}_model);",
        "}",
        "",
        f"const char *{prefix}_error_detail(void) {{",
        f"    return {prefix}_state.detail;",
        "}",
        "",
        f"int {prefix}_failed_layer(void) {{",
        f"    return (int){prefix}_state.failed_layer;",
        "}",
        "",
    ]


def emit_model_c(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, program, launch_c: list[str],
                 n_launches: int, weight_elems: int) -> str:
    """program: program_source's (text, common line count, template line ranges)."""
    source, common_lines, ranges = program

    def io(names):
        return [f"    {{{plan.offset_of(graph.storage_root(t))}u, {graph.tensors[t].nbytes}u}}," for t in names]

    lines = [
        "/* Generated by edgec. Do not edit. */",
        "#include <math.h>",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        '#include "model.h"',
        "",
        f"extern const uint32_t {prefix}_weights[{max(weight_elems, 1)}]; /* 32-bit words (weights.c) */",
        "",
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
        f"static const edgec_cl_io {prefix}_inputs[{max(len(graph.inputs), 1)}] = {{",
        *(io(graph.inputs) or ["    {0u, 0u},"]), "};",
        f"static const edgec_cl_io {prefix}_outputs[{max(len(graph.outputs), 1)}] = {{",
        *(io(graph.outputs) or ["    {0u, 0u},"]), "};",
        f"static const edgec_cl_model {prefix}_model = {{",
        f"    {prefix}_source, sizeof {prefix}_source / sizeof {prefix}_source[0], {common_lines}u,",
        f"    {prefix}_templates, {len(ranges)}u,",
        f"    {prefix}_launches, {upper}_NUM_LAUNCHES,",
        f"    {upper}_ARENA_BYTES, {prefix}_weights, {upper}_WEIGHTS_BYTES,",
        f"    {prefix}_inputs, {prefix}_outputs, {len(graph.inputs)}, {len(graph.outputs)},",
        "};",
        "",
        f"static edgec_cl_state {prefix}_state;",
        f"static edgec_cl_kernel {prefix}_kernels[{max(1, n_launches)}];",
        "",
        f"int {prefix}_init(void) {{",
        f"    return edgec_cl_init(&{prefix}_state, &{prefix}_model, {prefix}_kernels);",
        "}",
        "",
        *gpu_run_functions(graph, prefix, upper, "cl"),
    ]
    return "\n".join(lines)


def add_opencl_report(report: dict, plan: MemoryPlan, kernels: list[list[str]]) -> None:
    """report.json for an OpenCL build: the device arena (one buffer, the planner's arena) and, per layer, the kernel
    template that runs it (several for a concat: one launch per input)."""
    report["backend"] = "opencl"
    report["device_arena_bytes"] = plan.arena_bytes
    report["device_weights_bytes"] = report["weights_bytes"]
    for layer, names in zip(report["layers"], kernels):
        layer["kernel"] = ",".join(dict.fromkeys(names)) or "-"
        layer["kernel_source"] = "edgec OpenCL template"
