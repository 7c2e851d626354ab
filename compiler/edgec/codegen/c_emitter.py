"""Emit freestanding C for a planned graph: model.h (the API), model.c (the schedule), weights.c (flash).

The generated code follows the invariants of docs/DESIGN.md: C99, no malloc, no runtime, one static arena whose size is
a compile-time constant, const weights, and byte-identical output for the same model and options.
"""

from __future__ import annotations

import re
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import ops
from ..ir import C_TYPES, Graph
from ..memory.plan import MemoryPlan
from ..paths import RUNTIMES
from .literals import c_array_body

DTYPE_CODES = {"float32": 1, "int8": 2, "uint8": 3, "int16": 4, "int32": 5, "int64": 6, "bool": 7, "uint16": 8, "uint32": 9,
               "uint64": 10}


def c_identifier(text: str) -> str:
    ident = re.sub(r"[^0-9a-zA-Z_]", "_", text)
    if not ident or ident[0].isdigit():
        ident = "m_" + ident
    return ident


@dataclass
class EmitContext:
    """What a kernel's emit function uses to write its call."""

    graph: Graph
    plan: MemoryPlan
    prefix: str
    kernel_sets: list[str]  # runtime folders to look in, most specific first, e.g. ["cortex-m", "reference"]
    kernels_used: set[str] = field(default_factory=set)
    statics: list[str] = field(default_factory=list)
    weight_symbols: dict[str, str] = field(default_factory=dict)
    # What the emitted calls reference: graph constants (by tensor name), and constants a kernel emitter derived
    # from them (symbol -> data, e.g. weights re-laid out for one kernel set). Only these go to weights.c.
    used_consts: set[str] = field(default_factory=set)
    derived: dict[str, np.ndarray] = field(default_factory=dict)
    node_weight_bytes: list[int] = field(default_factory=list)  # per emitted node: flash bytes it reads
    step: int = -1  # the node being emitted
    fc_wide: frozenset[str] = frozenset()  # weight tensors of the fully connected layers packed wide (fc_layouts.py)
    fc_layers: list[dict] = field(default_factory=list)  # the packed fully connected layers, in graph order
    _counter: int = 0
    _derived_by_content: dict[tuple, str] = field(default_factory=dict)
    _statics_by_content: dict[tuple[str, str], str] = field(default_factory=dict)

    def use(self, kernel: str) -> None:
        """Ship runtimes/<set>/<kernel>.c and runtimes/include/<kernel>.h with the model."""
        self.kernels_used.add(kernel)

    def ptr(self, tensor: str, const: bool = False) -> str:
        t = self.graph.tensors[tensor]
        ctype = C_TYPES[t.dtype]
        if t.is_const:
            if tensor not in self.used_consts:
                self.used_consts.add(tensor)
                if self.node_weight_bytes:
                    self.node_weight_bytes[-1] += t.nbytes
            return self.weight_symbols[tensor]
        qual = "const " if const else ""
        root = self.graph.storage_root(tensor)
        if self.graph.tensors[root].state:
            return f"(({qual}{ctype} *){state_symbol(self.prefix, root)})"
        if self.graph.outside_arena(root):  # read where the caller keeps it; the planner lets nothing write there
            arg = input_arg(self.graph, root)
            return f"((const {ctype} *){arg})" if const else f"(({ctype} *)(uintptr_t){arg})"
        offset = self.plan.offset_of(root)
        return f"(({qual}{ctype} *)(arena + {offset}))"

    def derived_weights(self, node, role: str, data: np.ndarray) -> str:
        """A constant array derived from the node's constants at emit time (for instance weights re-laid out for
        one kernel set's inner loop): emitted into weights.c beside the graph's constants; returns its symbol.
        The graph constants the node's call no longer names are then not emitted at all. An array identical to
        one already derived (same dtype, shape and bytes: the per-patch copies of a layer, patch_schedule.py)
        is not emitted twice: its symbol is returned again, and its bytes count for the first node only."""
        data = np.ascontiguousarray(data)
        key = (str(data.dtype), data.shape, data.tobytes())
        if key in self._derived_by_content:
            return self._derived_by_content[key]
        base = f"{self.prefix}_{c_identifier((node.name or node.op).split('@p')[0])}_{role}"
        sym, k = base, 1
        while sym in self.derived or sym in self.weight_symbols.values():
            k += 1
            sym = f"{base}_{k}"
        self.derived[sym] = data
        self._derived_by_content[key] = sym
        self.node_weight_bytes[-1] += data.nbytes
        return sym

    def fc_layer(self, node, weights: str, rows: int, wide_extra_bytes: int) -> None:
        """Note a fully connected layer whose weights could be packed wide (once per weight tensor)."""
        if all(c["weights"] != weights for c in self.fc_layers):
            self.fc_layers.append({"name": node.name or node.outputs[0], "weights": weights, "rows": rows,
                                   "wide_extra_bytes": wide_extra_bytes})

    def arena_scratch(self, nbytes: int) -> str | None:
        """Scratch for the current node's kernel inside the arena, where no buffer lives during this step (so the
        arena does not grow): an expression for its address (8-byte aligned, like the arena), or None if no gap
        is large enough."""
        busy = sorted((self.plan.offsets[b.name], self.plan.offsets[b.name] + b.size) for b in self.plan.buffers
                      if b.first <= self.step <= b.last)
        start = 0
        for lo, hi in busy + [(self.plan.arena_bytes, self.plan.arena_bytes)]:
            if lo - start >= nbytes:
                return f"((void *)(arena + {start}))"
            start = max(start, (hi + 7) // 8 * 8)
        return None

    def static_params(self, ctype: str, fields: dict[str, object]) -> str:
        """Declare `static const ctype pN = {...}` and return its name (as a pointer expression); a struct equal
        to one already declared (e.g. the inner patches of a patch-based stage) is shared."""
        body = ", ".join(f".{k} = {format_c_scalar(v)}" for k, v in fields.items())
        if (ctype, body) in self._statics_by_content:
            return self._statics_by_content[(ctype, body)]
        self._counter += 1
        name = f"p{self._counter}"
        self.statics.append(f"static const {ctype} {name} = {{{body}}};")
        self._statics_by_content[(ctype, body)] = f"&{name}"
        return f"&{name}"


def format_c_scalar(value) -> str:
    if isinstance(value, str):  # a C expression such as an enum constant
        return value
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return c_array_body(np.array([value], np.float32))
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(format_c_scalar(v) for v in value) + "}"
    if isinstance(value, dict):  # a nested struct
        return "{" + ", ".join(f".{k} = {format_c_scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot format {value!r} as C")


@dataclass
class GeneratedC:
    files: dict[str, str]  # file name -> text
    kernel_files: list[Path]  # runtime files copied beside them
    weights_bytes: int = 0  # the constant arrays weights.c defines
    node_weights_bytes: list[int] = field(default_factory=list)  # per node: the constant bytes its call reads
    weights_crc32: int | None = None  # with checksum: the CRC-32 <name>_check() expects
    adaptation: object | None = None  # with --ecotta: codegen.adaptation.AdaptationC (its RAM figures)
    fc_layers: list[dict] = field(default_factory=list)  # EmitContext.fc_layers


def emit_c(graph: Graph, plan: MemoryPlan, name: str, kernel_sets: list[str], checksum: bool = False,
           adaptation=None, adapt_plan: MemoryPlan | None = None, fc_wide: frozenset[str] = frozenset()) -> GeneratedC:
    """checksum: also emit <name>_check(), which recomputes the weights' CRC-32 against the compile-time one.
    adaptation (passes.ecotta.Ecotta) with adapt_plan: also emit <name>_adapt() and <name>_reset()
    (codegen/adaptation.py). fc_wide: the weight tensors of the fully connected layers to pack wide
    (fc_layouts.py)."""
    ops.load_all()
    prefix = c_identifier(name)
    upper = prefix.upper()
    ctx = EmitContext(graph, plan, prefix, kernel_sets, fc_wide=frozenset(fc_wide))

    name_weights(graph, ctx)
    body = ["    EDGEC_LAYER_DONE(-1); /* layers start */", *emit_body(graph, ctx, profile=True)]
    adapt = None
    if adaptation is not None:  # --ecotta: the adaptation step, its own plan over the same arena
        from .adaptation import emit_adaptation

        adapt = emit_adaptation(adaptation, adapt_plan, ctx, graph, plan, emit_body)

    weights_c, weights_h, arrays = emit_weights(graph, ctx)
    weights_bytes = sum(data.nbytes for data in arrays.values())
    crc = weights_crc32(arrays) if checksum else None
    if checksum:
        ctx.use("edgec_crc32")
    header = emit_header(graph, plan, prefix, upper, weights_bytes, crc, adapt)
    model_c = emit_model_c(graph, plan, ctx, prefix, upper, body, weights_h, list(arrays) if checksum else None,
                           adapt)
    kernel_files = resolve_kernel_files(ctx.kernels_used, kernel_sets)
    files = {"model.h": header, "model.c": model_c, "weights.c": weights_c, "weights.h": weights_h}
    return GeneratedC(files, kernel_files, weights_bytes, list(ctx.node_weight_bytes), crc, adapt, ctx.fc_layers)


def emit_body(graph: Graph, ctx: EmitContext, profile: bool) -> list[str]:
    """The C statements of the graph's nodes in order (ctx's graph and plan); with profile, the per-layer hook
    after each."""
    body = []
    for step, node in enumerate(graph.nodes):
        ctx.step = step
        emit = ops.KERNELS.get(node.op)
        if emit is None:
            raise NotImplementedError(f"no C emitter for IR op {node.op}")
        ctx.node_weight_bytes.append(0)
        comment = f"{node.name or node.op}: {node.op} -> {', '.join(node.outputs)}".replace("*/", "* /").replace("/*", "/ *")
        body.append(f"    /* {comment} */")  # model names are free text: none may open or close a comment
        for line in emit(node, ctx).splitlines():
            body.append("    " + line)
        if profile:
            body.append(f"    EDGEC_LAYER_DONE({step});")
    return body


def name_weights(graph: Graph, ctx: EmitContext) -> None:
    # Name each constant after the first layer that reads it and its role there: conv1_weights, fc_bias. The
    # per-patch copies of a layer (`conv1@p0`, passes/patch_schedule.py) share its weights: named after the layer.
    roles = {1: "weights", 2: "bias"}
    taken: set[str] = set()
    for node in graph.nodes:
        for i, tname in enumerate(node.inputs):
            if graph.tensors[tname].is_const and tname not in ctx.weight_symbols:
                layer = (node.name or node.op).split("@p")[0]
                base = f"{ctx.prefix}_{c_identifier(layer)}_{roles.get(i, f'const{i}')}"
                sym, k = base, 1
                while sym in taken:
                    k += 1
                    sym = f"{base}_{k}"
                taken.add(sym)
                ctx.weight_symbols[tname] = sym


def emit_weights(graph: Graph, ctx: EmitContext) -> tuple[str, str, dict[str, np.ndarray]]:
    """weights.c / weights.h: the graph constants the emitted calls name, and the derived ones; and the arrays
    as emitted (symbol -> flat data, in symbol order; an empty constant is one zero)."""
    decls, defs = [], []
    arrays = {ctx.weight_symbols[t]: (graph.tensors[t].dtype, graph.tensors[t].data) for t in ctx.used_consts}
    arrays.update({sym: (str(data.dtype), data) for sym, data in ctx.derived.items()})
    emitted: dict[str, np.ndarray] = {}
    for sym in sorted(arrays):
        dtype, data = arrays[sym]
        ctype = C_TYPES[dtype]
        n = max(data.size, 1)
        decls.append(f"extern const {ctype} {sym}[{n}];")
        data = data.reshape(-1) if data.size else np.zeros(1, data.dtype)
        emitted[sym] = data
        defs.append(f"const {ctype} {sym}[{n}] = {{\n{c_array_body(data, per_line=8, indent='    ')}\n}};\n")
    guard = f"{ctx.prefix.upper()}_WEIGHTS_H"
    weights_h = "\n".join(
        ["/* Generated by edgec. Do not edit. */", f"#ifndef {guard}", f"#define {guard}",
         "#include <stdint.h>", "", *decls, "", f"#endif /* {guard} */", ""]
    )
    weights_c = "\n".join(
        ["/* Generated by edgec. Do not edit. Constant weights: they live in flash. */",
         "#include <math.h>", '#include "weights.h"', "", *defs]
    )
    return weights_c, weights_h, emitted


def weights_crc32(arrays: dict[str, np.ndarray]) -> int:
    """The CRC-32 of the weight arrays' bytes in flash, in symbol order, as <name>_check() computes it on the device
    (little-endian targets; a NaN weight as C's NAN writes it)."""
    crc = 0
    for data in arrays.values():
        if data.dtype == np.float32:
            data = np.where(np.isnan(data), np.float32("nan"), data).astype(np.float32)  # NAN: 0x7fc00000
        crc = zlib.crc32(data.astype(data.dtype.newbyteorder("<"), copy=False).tobytes(), crc)
    return crc


def emit_header(graph: Graph, plan: MemoryPlan, prefix: str, upper: str, weights_bytes: int,
                crc: int | None = None, adapt=None) -> str:
    lines = [
        "/* Generated by edgec. Do not edit.",
        f" * API of model '{prefix}'. All tensors are dense, in the model's own layout and dtype.",
        " *",
        f" *   int {prefix}_run({run_params(graph)});",
        " *       Runs one inference. Returns 0 on success, -1 if a pointer is NULL.",
        f" *   void *{prefix}_input(int i) / {prefix}_output(int i)",
        " *       Where input/output i lives inside the arena: write inputs there (and read outputs) to skip the",
        f" *       copies that {prefix}_run makes otherwise. NULL for an index out of range.",
        " *",
        *([" *       Inputs live outside the arena (edgec --input-outside-arena): the model reads them where the",
           f" *       caller keeps them, never writes them, and {prefix}_input(i) is NULL. The buffers must stay",
           " *       valid and unchanged until the run returns.",
           f" * Memory: one static arena of {upper}_ARENA_BYTES bytes (outputs and all intermediates, not the inputs);"]
          if graph.inputs_outside_arena and graph.inputs else
          [f" * Memory: one static arena of {upper}_ARENA_BYTES bytes (inputs, outputs and all intermediates);"]),
        f" * weights are const and take {upper}_WEIGHTS_BYTES bytes of flash. Not reentrant: one inference at a time.",
        " *",
        *([f" *   int {prefix}_check(void);",
           f" *       Recomputes the CRC-32 of the weights ({upper}_WEIGHTS_CRC32, edgec compile --checksum). Returns 0",
           " *       if they are intact, -1 if any byte differs: call it at start-up where weights can be damaged.",
           " *"] if crc is not None else []),
        *([f" *   void {prefix}_reset_state(void);",
           f" *       The model keeps {upper}_STATE_BYTES bytes of state from one run to the next (an SVDF's",
           " *       memory, an LSTM's h and c, as TFLite's variable tensors): zero (an int8 state: its zero point)",
           " *       at start-up; this resets it so again, e.g. before each independent sequence.",
           *([" *       TFLite resource variables start at their initialiser's value (CALL_ONCE) and random",
              " *       generators at their seed, before the first run and after each reset."]
             if has_initial_state(graph) else []),
           " *"] if graph.state_tensors() else []),
        *(adapt.header_doc if adapt else []),
        " * Per-layer profiling: built with -DEDGEC_PROFILE_LAYERS, the model calls edgec_layer_done(k) (which you",
        " * provide) after layer k, k = 0 .. NUM_LAYERS - 1 in report.json's order, and edgec_layer_done(-1) before",
        " * the first. Without it the calls compile to nothing.",
        " */",
        *model_h_guard(upper),
        "",
        "#ifndef EDGEC_DTYPE_FLOAT32",
        *[f"#define EDGEC_DTYPE_{k.upper()} {v}" for k, v in DTYPE_CODES.items()],
        "#endif",
        "",
        f"#define {upper}_ARENA_BYTES {adapt.arena_bytes if adapt else plan.arena_bytes}u",
        *(adapt.header_defines if adapt else []),
        f"#define {upper}_WEIGHTS_BYTES {weights_bytes}u",
        *([f"#define {upper}_INPUTS_OUTSIDE_ARENA 1"] if graph.inputs_outside_arena and graph.inputs else []),
        *([f"#define {upper}_STATE_BYTES {graph.state_bytes()}u"] if graph.state_tensors() else []),
        *([f"#define {upper}_WEIGHTS_CRC32 0x{crc:08x}u"] if crc is not None else []),
        f"#define {upper}_NUM_INPUTS {len(graph.inputs)}",
        f"#define {upper}_NUM_OUTPUTS {len(graph.outputs)}",
        f"#define {upper}_NUM_LAYERS {len(graph.nodes)}",
    ]
    lines += tensor_defines(graph, upper)
    lines += [
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"int {prefix}_run({run_params(graph)});",
        f"void *{prefix}_input(int i);",
        f"void *{prefix}_output(int i);",
        *([f"int {prefix}_check(void);"] if crc is not None else []),
        *([f"void {prefix}_reset_state(void);"] if graph.state_tensors() else []),
        *(adapt.header_decls if adapt else []),
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {upper}_MODEL_H */",
        "",
    ]
    return "\n".join(lines)


def model_h_guard(upper: str) -> list[str]:
    """model.h's include guard and the standard headers its declarations use."""
    return [f"#ifndef {upper}_MODEL_H", f"#define {upper}_MODEL_H", "", "#include <stddef.h>", "#include <stdint.h>"]


def tensor_defines(graph: Graph, upper: str, dtype_codes: bool = True) -> list[str]:
    """model.h's block per input and output: a comment with its name, dtype and shape, then <UPPER>_INPUT<i>_* /
    _OUTPUT<i>_*: DTYPE (where the header defines the EDGEC_DTYPE_* codes: dtype_codes), RANK, SHAPE, ELEMS, BYTES,
    and SCALE / ZERO_POINT for a tensor quantised per tensor."""
    lines = []
    for kind, names in (("INPUT", graph.inputs), ("OUTPUT", graph.outputs)):
        for i, tname in enumerate(names):
            t = graph.tensors[tname]
            p = f"{upper}_{kind}{i}"
            lines += [
                "",
                f"/* {kind.lower()} {i}: '{tname}' {t.dtype}{list(t.shape)} */",
                *([f"#define {p}_DTYPE EDGEC_DTYPE_{t.dtype.upper()}"] if dtype_codes else []),
                f"#define {p}_RANK {len(t.shape)}",
                f"#define {p}_SHAPE {{{', '.join(str(d) for d in t.shape) or '1'}}}",
                f"#define {p}_ELEMS {t.elems}u",
                f"#define {p}_BYTES {t.nbytes}u",
            ]
            if t.quant is not None and np.size(t.quant.scale) == 1:
                lines += [
                    f"#define {p}_SCALE {format_c_scalar(float(np.ravel(t.quant.scale)[0]))}",
                    f"#define {p}_ZERO_POINT {int(np.ravel(t.quant.zero_point)[0])}",
                ]
    return lines


def state_decls(graph: Graph, prefix: str) -> list[str]:
    states = graph.state_tensors()
    if not states:
        return []
    lines = ["/* State kept between runs (zero, or an int8 state's zero point, at start-up): not in the arena, which a",
             " * run reuses whole. */"]
    for t in states:
        tensor = graph.tensors[t]
        start = state_start(tensor) if tensor.state_init is None else 0
        init = f" = {{{', '.join([str(start)] * tensor.elems)}}}" if start else ""
        lines.append(f"static {C_TYPES[tensor.dtype]} {state_symbol(prefix, t)}[{tensor.elems}]{init};")
    initialised = [t for t in states if graph.tensors[t].state_init is not None]
    if initialised:
        lines.append("/* Initial values (a TFLite variable's CALL_ONCE, a generator's seed), set before the first run. */")
        for t in initialised:
            tensor = graph.tensors[t]
            lines += [f"static const {C_TYPES[tensor.dtype]} {state_symbol(prefix, t)}_init[{tensor.elems}] = {{",
                      c_array_body(tensor.state_init.astype(tensor.dtype), indent="    "), "};"]
        lines.append(f"static uint8_t {prefix}_state_ready;")
    return lines + [""]


def state_start(tensor) -> int:
    """A state's value at start-up and after a reset: TFLite Micro resets an int8 variable tensor to its zero point
    (MicroInterpreterGraph::ResetTensorData), every other one to 0."""
    if tensor.dtype == "int8" and tensor.quant is not None:
        return int(tensor.quant.zero_point[0])
    return 0


def state_reset(graph: Graph, prefix: str) -> list[str]:
    states = graph.state_tensors()
    if not states:
        return []
    lines = [f"void {prefix}_reset_state(void) {{"]
    for t in states:
        symbol = state_symbol(prefix, t)
        if graph.tensors[t].state_init is None:
            lines.append(f"    memset({symbol}, {state_start(graph.tensors[t])}, sizeof {symbol});")
        else:
            lines.append(f"    memcpy({symbol}, {symbol}_init, sizeof {symbol});")
    if has_initial_state(graph):
        lines.append(f"    {prefix}_state_ready = 1;")
    return lines + ["}", ""]


def has_initial_state(graph: Graph) -> bool:
    return any(graph.tensors[t].state_init is not None for t in graph.state_tensors())


def state_symbol(prefix: str, tensor: str) -> str:
    return f"{prefix}_state_{c_identifier(tensor)}"


def input_arg(graph: Graph, tensor: str) -> str:
    """The name of <name>_run's parameter that passes graph input `tensor`."""
    single = len(graph.inputs) == 1 and len(graph.outputs) == 1
    return "input" if single else f"input{graph.inputs.index(tensor)}"


def run_params(graph: Graph) -> str:
    if len(graph.inputs) == 1 and len(graph.outputs) == 1:
        return "const void *input, void *output"
    params = [f"const void *input{i}" for i in range(len(graph.inputs))]
    params += [f"void *output{i}" for i in range(len(graph.outputs))]
    return ", ".join(params)


def emit_model_c(graph, plan, ctx: EmitContext, prefix, upper, body, weights_h, checked: list[str] | None = None,
                 adapt=None) -> str:
    """checked: the weight symbols <name>_check() covers, in the order of the compile-time CRC (None: no check).
    adapt (codegen/adaptation.py): the adaptation step's state, functions and run prologue."""
    arena_bytes = adapt.arena_bytes if adapt else plan.arena_bytes  # both steps share the one arena
    single = len(graph.inputs) == 1 and len(graph.outputs) == 1
    in_names = ["input"] if single else [f"input{i}" for i in range(len(graph.inputs))]
    out_names = ["output"] if single else [f"output{i}" for i in range(len(graph.outputs))]
    includes = sorted(f'#include "{k}.h"' for k in ctx.kernels_used)

    copy_in, copy_out = [], []
    for arg, tname in zip(in_names, graph.inputs):
        if graph.outside_arena(tname):
            continue
        off, nbytes = plan.offset_of(graph.storage_root(tname)), graph.tensors[tname].nbytes
        copy_in.append(f"    if ((const uint8_t *){arg} != arena + {off}) memcpy(arena + {off}, {arg}, {nbytes});")
    for arg, tname in zip(out_names, graph.outputs):
        root, nbytes = graph.storage_root(tname), graph.tensors[tname].nbytes
        src = input_arg(graph, root) if graph.outside_arena(root) else f"arena + {plan.offset_of(root)}"
        copy_out.append(f"    if ((const uint8_t *){arg} != (const uint8_t *)({src})) memcpy({arg}, {src}, {nbytes});")
    null_check = " || ".join(f"{a} == NULL" for a in in_names + out_names)

    def accessor(kind, names):
        cases = [f"    case {i}: return arena + {plan.offset_of(graph.storage_root(t))};" for i, t in enumerate(names)
                 if not graph.outside_arena(graph.storage_root(t))]  # an input in the caller's buffer: NULL
        return [
            f"void *{prefix}_{kind}(int i) {{",
            *([f"    uint8_t *const arena = {prefix}_arena.bytes;"] if cases else []),
            "    switch (i) {",
            *cases,
            "    default: return NULL;",
            "    }",
            "}",
        ]

    lines = [
        "/* Generated by edgec. Do not edit. */",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "#include <string.h>",
        "#include <math.h>",
        "",
        '#include "model.h"',
        '#include "weights.h"',
        *includes,
        "",
        "#ifdef EDGEC_PROFILE_LAYERS",
        "void edgec_layer_done(int32_t index); /* the firmware's: called after each layer (see model.h) */",
        "#define EDGEC_LAYER_DONE(index) edgec_layer_done(index)",
        "#else",
        "#define EDGEC_LAYER_DONE(index) ((void)0)",
        "#endif",
        "",
        "/* One arena for every activation; the union keeps it aligned for any kernel's loads. */",
        f"static union {{ uint64_t align; uint8_t bytes[{max(arena_bytes, 8)}]; }} {prefix}_arena;",
        "",
        *state_decls(graph, prefix),
        *(adapt.state_decls if adapt else []),
        *ctx.statics,
        "",
        f"int {prefix}_run({run_params(graph)}) {{",
        f"    uint8_t *const arena = {prefix}_arena.bytes;",
        f"    if ({null_check}) return -1;",
        *([] if any("arena" in line for line in copy_in + body + copy_out if not line.lstrip().startswith("/*"))
          else ["    (void)arena; /* every tensor lives outside it */"]),
        *(adapt.run_prologue if adapt else []),
        *([f"    if (!{prefix}_state_ready) {prefix}_reset_state(); /* the state's initial values */"]
          if has_initial_state(graph) else []),
        *copy_in,
        *body,
        *copy_out,
        "    return 0;",
        "}",
        "",
        *accessor("input", graph.inputs),
        "",
        *state_reset(graph, prefix),
        *accessor("output", graph.outputs),
        "",
        *(adapt.functions if adapt else []),
    ]
    if checked is not None:
        lines += [
            f"int {prefix}_check(void) {{",
            "    uint32_t crc = 0;",
            *[f"    crc = edgec_crc32(crc, {sym}, sizeof {sym});" for sym in checked],
            f"    return crc == {upper}_WEIGHTS_CRC32 ? 0 : -1;",
            "}",
            "",
        ]
    return "\n".join(lines)


def resolve_kernel_files(kernels: set[str], kernel_sets: list[str]) -> list[Path]:
    """For each kernel: its implementation from the most specific kernel set that has one, and every header
    it includes (found by following `#include "..."` lines through runtimes/include/)."""
    files: list[Path] = []
    pending = [RUNTIMES / "include" / f"{k}.h" for k in sorted(kernels)]
    for k in sorted(kernels):
        for kset in kernel_sets:
            src = RUNTIMES / kset / f"{k}.c"
            if src.exists():
                pending.append(src)
                break
        else:
            raise FileNotFoundError(f"no implementation of kernel {k} in runtimes/{{{','.join(kernel_sets)}}}")
    while pending:
        path = pending.pop(0)
        if path in files:
            continue
        files.append(path)
        for inc in re.findall(r'^#include "([^"]+)"', path.read_text(), flags=re.M):
            header = RUNTIMES / "include" / inc
            if not header.exists():
                raise FileNotFoundError(f"{path.name} includes {inc}, which is not in runtimes/include/")
            pending.append(header)
    return sorted(files, key=lambda f: f.name)


def write_output(gen: GeneratedC, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, text in gen.files.items():
        path = out_dir / fname
        path.write_text(text)
        written.append(path)
    for src in gen.kernel_files:
        dst = out_dir / src.name
        shutil.copyfile(src, dst)
        written.append(dst)
    return written
