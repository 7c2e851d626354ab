"""What the OpenCL and the Vulkan host emitters (opencl_host.py, vulkan_host.py) share: every layer's launches
(opencl_kernels.py) and where their tensors live on the device, the weights as one array of 32-bit words, model.h's
declarations, and model.c's head, input / output tables, model struct and run functions over the two host
runtimes (runtimes/opencl/edgec_opencl.c, runtimes/vulkan/edgec_vulkan.c), whose APIs have the same shape: the
prefix `edgec_cl_` or `edgec_vk_` ("cl" / "vk" below) tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import EdgecError
from ..ir import Graph
from ..memory.plan import MemoryPlan
from ..passes.patch_search import TARGET_DEFAULT
from .c_emitter import GeneratedC, model_h_guard, run_params, tensor_defines
from .opencl_kernels import Launch, node_launches

KERNEL_SOURCE = {"opencl": "edgec OpenCL template", "vulkan": "edgec GLSL template (SPIR-V)"}  # report.json


@dataclass
class DeviceLayout:
    """Every layer's launches, and where each tensor a launch reads lives on the device: (space, offset); space 0
    is the arena, 1 the weights buffer. The offset counts the tensor's own elements: floats, or bytes for int8 (a
    hybrid layer's weights and quantised input, read through a char pointer, or in GLSL from the 32-bit word that
    holds them)."""

    graph: Graph
    plan: MemoryPlan
    per_node: list[list[Launch]]
    const_offsets: dict[str, int]  # in 32-bit words of the weights buffer
    weights: np.ndarray  # the weights buffer's words (layout_constants)
    node_weight_bytes: list[int]  # per node: the constant bytes it is the first to read

    @classmethod
    def of(cls, graph: Graph, plan: MemoryPlan) -> DeviceLayout:
        per_node = [node_launches(node, graph) for node in graph.nodes]
        const_offsets, weights, node_weight_bytes = layout_constants(graph, per_node)
        return cls(graph, plan, per_node, const_offsets, weights, node_weight_bytes)

    def kernels(self) -> list[str]:
        """The templates the launches run, sorted: each is in the program once."""
        return sorted({launch.kernel for launches in self.per_node for launch in launches})

    def node_kernels(self) -> list[list[str]]:
        """Per node, the templates its launches run (for the report)."""
        return [[launch.kernel for launch in launches] for launches in self.per_node]

    def generated(self, files: dict[str, str], host_files: list[Path]) -> GeneratedC:
        return GeneratedC(files, list(host_files), int(self.weights.nbytes), self.node_weight_bytes)

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

    def arguments(self, launch: Launch) -> tuple[list[int], list[int]]:
        """The launch's tensors' spaces, and its int arguments in the templates' order: each tensor's element
        offset, the work-item count, the int parameters."""
        places = [self.place(t) for t in launch.tensors]
        extra = launch.tensor_offsets or [0] * len(places)
        offsets = [off + e for (_, off), e in zip(places, extra)]
        return [s for s, _ in places], offsets + [launch.global_size] + [int(v) for v in launch.ints]


def launch_table(layout: DeviceLayout, prefix: str, ctype: str, table: str, empty_row: str,
                 launch_c: Callable[[int, int, Launch], tuple[list[str], str]]) -> tuple[list[str], int]:
    """model.c's table of every launch in order, <prefix>_<table>, and <PREFIX>_NUM_<TABLE>: launch_c(k, layer,
    launch) gives launch k's declarations (its argument arrays) and its row. Returns the lines and the count."""
    decls, rows = [], []
    for step, launches in enumerate(layout.per_node):
        for launch in launches:
            launch_decls, row = launch_c(len(rows), step, launch)
            decls += launch_decls
            rows.append(row)
    k = len(rows)
    return [*decls, "", f"static const {ctype} {prefix}_{table}[{max(k, 1)}] = {{", *(rows or [empty_row]), "};",
            f"#define {prefix.upper()}_NUM_{table.upper()} {k}u"], k


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


def check_gpu_options(options, target: str = "opencl") -> None:
    """The compile options the OpenCL and Vulkan targets do not take (yet): refused before any work."""
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


def emit_weights(prefix: str, words: np.ndarray) -> str:
    """The constants' 32-bit words (layout_constants): exact, and quick to write and to compile for millions of
    weights."""
    words = [f"0x{int(v):08x}u" for v in np.ascontiguousarray(words, np.uint32)] or ["0u"]
    rows = ",\n".join("    " + ", ".join(words[i:i + 8]) for i in range(0, len(words), 8))
    return "\n".join(["/* Generated by edgec. Do not edit. Every constant (float32 bit patterns; int8 weights four to a",
                      " * word, in memory order), uploaded to the device once at init. */", "#include <stdint.h>", "",
                      f"const uint32_t {prefix}_weights[{len(words)}] = {{", rows, "};", ""])


class ApiDoc(NamedTuple):
    """model.h's comment lines on each function (indented under its signature) and on memory: the runtime's own."""

    init: list[str]
    run: list[str]
    run_profiled: list[str]
    deinit: list[str]
    memory: list[str]


def gpu_model_header(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int, device: str,
                     target: str, runtime_header: str, doc: ApiDoc) -> str:
    """model.h of a GPU build: the API's comment, sizes, each input's and output's shape, and the API."""
    params = run_params(graph)
    lines = [
        "/* Generated by edgec. Do not edit.",
        f" * API of model '{prefix}' for {device} devices (edgec --target {target}). Tensors are dense, in the model's",
        " * own layout and dtype.",
        " *",
        f" *   int {prefix}_init(void);", *doc.init,
        f" *   int {prefix}_run({params});", *doc.run,
        f" *   int {prefix}_run_profiled(..., uint64_t layer_ns[{upper}_NUM_LAYERS]);", *doc.run_profiled,
        f" *   void {prefix}_deinit(void);", *doc.deinit,
        *doc.memory,
        " */",
        *model_h_guard(upper),
        f'#include "{runtime_header}"',
        "",
        f"#define {upper}_ARENA_BYTES {plan.arena_bytes}u",
        f"#define {upper}_WEIGHTS_BYTES {weights_bytes}u",
        f"#define {upper}_NUM_INPUTS {len(graph.inputs)}",
        f"#define {upper}_NUM_OUTPUTS {len(graph.outputs)}",
        f"#define {upper}_NUM_LAYERS {len(graph.nodes)}",
        *tensor_defines(graph, upper, dtype_codes=False),
        "", "#ifdef __cplusplus", 'extern "C" {', "#endif", "",
        f"int {prefix}_init(void);",
        f"int {prefix}_run({params});",
        f"int {prefix}_run_profiled({params}, uint64_t *layer_ns);",
        f"void {prefix}_deinit(void);",
        f"const char *{prefix}_error_detail(void);",
        f"int {prefix}_failed_layer(void);",
        "", "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* {upper}_MODEL_H */", "",
    ]
    return "\n".join(lines)


def model_c_head(prefix: str, weight_elems: int, includes: list[str]) -> list[str]:
    """model.c's first lines: the includes and the weights array (weights.c)."""
    return ["/* Generated by edgec. Do not edit. */", *(f"#include <{h}>" for h in includes), "",
            '#include "model.h"', "",
            f"extern const uint32_t {prefix}_weights[{max(weight_elems, 1)}]; /* 32-bit words (weights.c) */", ""]


def gpu_model_struct(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, api: str,
                     program: list[str]) -> list[str]:
    """model.c's input and output tables (arena offset, bytes), the edgec_<api>_model (program: its first fields,
    the runtime's own: the program text or the shaders, and the launches) and the runtime state."""

    def io(names):
        return [f"    {{{plan.offset_of(graph.storage_root(t))}u, {graph.tensors[t].nbytes}u}}," for t in names]

    return [
        f"static const edgec_{api}_io {prefix}_inputs[{max(len(graph.inputs), 1)}] = {{",
        *(io(graph.inputs) or ["    {0u, 0u},"]), "};",
        f"static const edgec_{api}_io {prefix}_outputs[{max(len(graph.outputs), 1)}] = {{",
        *(io(graph.outputs) or ["    {0u, 0u},"]), "};",
        f"static const edgec_{api}_model {prefix}_model = {{",
        *program,
        f"    {upper}_ARENA_BYTES, {prefix}_weights, {upper}_WEIGHTS_BYTES,",
        f"    {prefix}_inputs, {prefix}_outputs, {len(graph.inputs)}, {len(graph.outputs)},",
        "};",
        "",
        f"static edgec_{api}_state {prefix}_state;",
    ]


def gpu_run_functions(graph: Graph, prefix: str, upper: str, api: str) -> list[str]:
    """model.c's <name>_run, _run_profiled, _deinit, _error_detail and _failed_layer over a GPU host runtime."""
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


def add_gpu_report(report: dict, plan: MemoryPlan, kernels: list[list[str]], backend: str) -> None:
    """report.json for a GPU build: the device arena (one buffer, the planner's arena) and, per layer, the templates
    that run it (several for a hybrid layer or a concat, each named once)."""
    report["backend"] = backend
    report["device_arena_bytes"] = plan.arena_bytes
    report["device_weights_bytes"] = report["weights_bytes"]
    for layer, names in zip(report["layers"], kernels):
        layer["kernel"] = ",".join(dict.fromkeys(names)) or "-"
        layer["kernel_source"] = KERNEL_SOURCE[backend]
