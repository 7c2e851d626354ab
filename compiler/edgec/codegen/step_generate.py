"""Greedy decoding around a step model: generate.h / generate.c with `<name>_generate(prompt, prompt_len, n, out)`.

A step model (model_zoo/matmulfree_lm.py) has inputs (token, state 1 .. k) and outputs (logits, new state 1 .. k):
input 0 is one integer token id read as a Gather index (an embedding lookup), output 0 the logits, and input i
pairs with output i (same shape and dtype) for i >= 1. `<name>_generate` zeroes the states, feeds the prompt's
tokens one per step, then feeds back the argmax of the logits (the lowest index on ties, NaN first: numpy.argmax)
until n tokens are out. Everything stays inside the model's static arena: the token and the states are written
where the model reads them (`<name>_input(i)`), and no output is copied out of the arena.

Carrying the states: after a step, new state i must move to where state i is read. The memory planner may have
put some of those buffers over others (an input dies after its last use), so the copies are ordered so that none
overwrites a state not yet copied; the token is written last, after every copy. A cycle of overlaps (which the
planner's orders have not produced so far) is broken through a static buffer of the state's size, counted in
`<NAME>_GENERATE_EXTRA_BYTES`.
"""

from __future__ import annotations

from ..errors import EdgecError
from ..ir import C_TYPES, Graph
from ..memory.plan import MemoryPlan

TOKEN_DTYPES = ("int64", "int32")
LOGIT_DTYPES = ("float32", "int8", "int32")


def step_model_problems(graph: Graph) -> list[str]:
    """Why the graph is not a step model `<name>_generate` can drive (empty when it is)."""
    problems = []
    if not graph.inputs or not graph.outputs:
        return ["no inputs or no outputs"]
    token = graph.tensors[graph.inputs[0]]
    if token.dtype not in TOKEN_DTYPES or token.elems != 1:
        problems.append(f"input 0 '{token.name}' is {token.dtype}{list(token.shape)}, not one int64 / int32 token")
    elif not graph.consumers(token.name) or any(n.op != "gather" for n in graph.consumers(token.name)):
        problems.append(f"input 0 '{token.name}' is not read as a run-time Gather index (an embedding lookup)")
    logits = graph.tensors[graph.outputs[0]]
    if logits.dtype not in LOGIT_DTYPES:
        problems.append(f"output 0 '{logits.name}' is {logits.dtype}, not logits ({', '.join(LOGIT_DTYPES)})")
    if len(graph.inputs) != len(graph.outputs):
        problems.append(f"{len(graph.inputs) - 1} state input(s) but {len(graph.outputs) - 1} state output(s)")
    for i, (src, dst) in enumerate(zip(graph.outputs[1:], graph.inputs[1:]), start=1):
        s, d = graph.tensors[src], graph.tensors[dst]
        if (s.shape, s.dtype) != (d.shape, d.dtype):
            problems.append(f"state {i}: input '{d.name}' {d.dtype}{list(d.shape)} but output '{s.name}' "
                            f"{s.dtype}{list(s.shape)}")
    return problems


def _span(graph: Graph, plan: MemoryPlan, tensor: str) -> tuple[int, int]:
    start = plan.offset_of(graph.storage_root(tensor))
    return start, start + graph.tensors[tensor].nbytes


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def carry_order(graph: Graph, plan: MemoryPlan) -> list[tuple[str, int]]:
    """The state copies in a safe order: (kind, state index) with kind "copy" (output -> input), "save"
    (output -> carry buffer) or "restore" (carry buffer -> input). A copy goes when its destination overlaps no
    pending copy's source."""
    pending = [i for i in range(1, len(graph.inputs))
               if _span(graph, plan, graph.outputs[i]) != _span(graph, plan, graph.inputs[i])]
    saved: list[int] = []
    order = []
    while pending:
        for i in pending:
            dst = _span(graph, plan, graph.inputs[i])
            if not any(_overlap(dst, _span(graph, plan, graph.outputs[j])) for j in pending if j != i):
                order.append(("copy", i))
                pending.remove(i)
                break
        else:  # a cycle: park one source aside, its destination is then free to take the others
            i = pending.pop(0)
            order.append(("save", i))
            saved.append(i)
    return order + [("restore", i) for i in saved]


def emit_generate(graph: Graph, plan: MemoryPlan, prefix: str) -> dict[str, str]:
    problems = step_model_problems(graph)
    if problems:
        raise EdgecError("--generate needs a step model (token, states) -> (logits, new states): "
                         + "; ".join(problems))
    upper = prefix.upper()
    token = graph.tensors[graph.inputs[0]]
    logits = graph.tensors[graph.outputs[0]]
    tok_t, logit_t = C_TYPES[token.dtype], C_TYPES[logits.dtype]
    order = carry_order(graph, plan)
    saved = [i for kind, i in order if kind == "save"]
    carry_bytes = max((graph.tensors[graph.inputs[i]].nbytes for i in saved), default=0)

    k = len(graph.inputs)
    run_args = ", ".join([f"{prefix}_input({i})" for i in range(k)] + [f"{prefix}_output({i})" for i in range(k)])
    zero = [f"    memset({prefix}_input({i}), 0, {graph.tensors[graph.inputs[i]].nbytes}u);" for i in range(1, k)]
    carry = []
    for kind, i in order:
        nbytes = graph.tensors[graph.inputs[i]].nbytes
        if kind == "copy":
            carry.append(f"        memmove({prefix}_input({i}), {prefix}_output({i}), {nbytes}u);")
        elif kind == "save":
            carry.append(f"        memcpy(carry.bytes, {prefix}_output({i}), {nbytes}u);")
        else:
            carry.append(f"        memcpy({prefix}_input({i}), carry.bytes, {nbytes}u);")
    nan_first = "        if (x[i] != x[i]) return i; /* NaN: numpy.argmax takes the first */\n" \
        if logits.dtype == "float32" else ""
    header = "\n".join([
        "/* Generated by edgec. Do not edit.",
        f" * Greedy decoding with the step model '{prefix}' (codegen/step_generate.py).",
        " *",
        f" *   int {prefix}_generate(const int32_t *prompt, int32_t prompt_len, int32_t n, int32_t *out);",
        " *       Zeroes the states, feeds prompt[0 .. prompt_len - 1], then writes n tokens to out, each the argmax",
        " *       of the logits (the lowest index on ties) after the token before it. Returns 0, or -1 if prompt_len",
        " *       < 1, n < 0, a pointer is NULL or a step fails. A token outside the vocabulary reads a zero",
        " *       embedding (edgec_gather). Uses the model's arena only (plus",
        f" *       {upper}_GENERATE_EXTRA_BYTES of static memory); not reentrant, and it overwrites the model's inputs.",
        " */",
        f"#ifndef {upper}_GENERATE_H",
        f"#define {upper}_GENERATE_H",
        "",
        "#include <stdint.h>",
        "",
        f"#define {upper}_VOCAB {logits.elems}",
        f"#define {upper}_GENERATE_EXTRA_BYTES {carry_bytes}u",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"int {prefix}_generate(const int32_t *prompt, int32_t prompt_len, int32_t n, int32_t *out);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {upper}_GENERATE_H */",
        "",
    ])
    source = "\n".join([
        "/* Generated by edgec. Do not edit. Greedy decoding with the step model (see generate.h). */",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "#include <string.h>",
        "",
        '#include "generate.h"',
        '#include "model.h"',
        "",
        *([f"static union {{ uint64_t align; uint8_t bytes[{carry_bytes}]; }} carry; /* breaks a cycle of state "
           "overlaps */", ""] if carry_bytes else []),
        f"static int32_t {prefix}_argmax(const {logit_t} *x, int32_t n) {{",
        "    int32_t best = 0;",
        "    for (int32_t i = 0; i < n; ++i) {",
        nan_first + "        if (x[i] > x[best]) best = i;",
        "    }",
        "    return best;",
        "}",
        "",
        f"int {prefix}_generate(const int32_t *prompt, int32_t prompt_len, int32_t n, int32_t *out) {{",
        "    if (prompt == NULL || out == NULL || prompt_len < 1 || n < 0) return -1;",
        *zero,
        "    for (int32_t step = 0; step < prompt_len + n - 1; ++step) {",
        f"        *({tok_t} *){prefix}_input(0) = ({tok_t})(step < prompt_len ? prompt[step] : out[step - prompt_len]);",
        f"        if ({prefix}_run({run_args}) != 0) return -1;",
        f"        if (step >= prompt_len - 1) out[step - prompt_len + 1] = "
        f"{prefix}_argmax((const {logit_t} *){prefix}_output(0), {upper}_VOCAB);",
        "        /* carry the states: in an order where no copy overwrites a state still to be copied */",
        *carry,
        "    }",
        "    return 0;",
        "}",
        "",
    ])
    return {"generate.h": header, "generate.c": source}
