"""int8 ADD_N (frontend/tflite_int8.py): one kernel call over all the inputs (runtimes/reference/
edgec_add_n_s8.c), which gets them as an array of pointers built where it is called.

IR node: inputs the n int8 tensors (same shape and quantisation); output the int8 sum; attrs the kernel's
offsets, shifts and multipliers (edgec_add_n_s8_params)."""

from __future__ import annotations

from . import kernel


@kernel("add_n_s8")
def emit_add_n_s8(node, ctx):
    y = ctx.graph.tensors[node.outputs[0]]
    lo, hi = node.attrs["act"]
    fields = {k: v for k, v in node.attrs.items() if k != "act"}
    params = ctx.static_params("edgec_add_n_s8_params", dict(count=len(node.inputs), size=y.elems, **fields,
                                                             act_min=lo, act_max=hi))
    ctx.use("edgec_add_n_s8")
    ptrs = ", ".join(ctx.ptr(t, const=True) for t in node.inputs)
    return (f"{{ const int8_t *const add_n_inputs[{len(node.inputs)}] = {{{ptrs}}}; "
            f"edgec_add_n_s8(add_n_inputs, {ctx.ptr(node.outputs[0])}, {params}); }}")
