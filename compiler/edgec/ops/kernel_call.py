"""The C call of a kernel in runtimes/ with the argument order they share: the inputs read-only, then the
output, then what else the kernel takes (its params struct, a count, a scratch pointer)."""

from __future__ import annotations


def kernel_call(ctx, node, fn: str, *trailing: object, inputs: int | None = 1) -> str:
    """`fn(the node's first `inputs` inputs (None: all of them), its first output, *trailing);`."""
    args = [ctx.ptr(t, const=True) for t in node.inputs[:inputs]] + [ctx.ptr(node.outputs[0])]
    args += [str(a) for a in trailing]
    return f"{fn}({', '.join(args)});"


def params_call(ctx, node, fn: str, fields: dict, *, source: str | None = None, inputs: int | None = 1) -> str:
    """kernel_call of `fn` with its struct `<fn>_params` made of `fields`, shipping runtimes/*/<source>.c
    (default: the file named after fn)."""
    params = ctx.static_params(f"{fn}_params", fields)
    ctx.use(source or fn)
    return kernel_call(ctx, node, fn, params, inputs=inputs)
