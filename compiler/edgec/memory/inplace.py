"""In-place operators: an element-wise output takes over the buffer of an input that dies at its node.

A view (Tensor.alias_of) always shares its source's storage. An in-place output shares an input's storage only
when that is safe, so it is decided here, at planning time, and never written into the IR:
  - the op is in ir.IN_PLACE_OPS (its kernel reads element i of the input before writing element i), or in
    ir.IN_PLACE_INPUTS, which names the one input it may write over (and then no other input may share that
    buffer);
  - the input has the output's shape and element size, and its buffer is exactly the output's size;
  - the input's buffer (with every view and earlier in-place output that shares it) is last used at this node;
  - that buffer does not hold a graph input (the caller may pass the input where it lives in the arena and
    read it again afterwards).
Merges chain (conv -> relu -> sigmoid all in one buffer). Liveness then treats each merged group as one buffer,
so the planner and the lower bound both work on the merged buffers.
"""

from __future__ import annotations

from ..ir import DTYPE_BYTES, IN_PLACE_INPUTS, IN_PLACE_OPS, Graph


def in_place_merges(graph: Graph) -> dict[str, str]:
    """{output tensor: storage root of the buffer it writes into} for every node that may run in place."""
    from .. import ops

    ops.load_all()  # operator modules register their in-place ops on import
    last: dict[str, int] = {}
    touched_at: list[tuple[int, str]] = [(-1, t) for t in graph.inputs]
    for step, node in enumerate(graph.nodes):
        touched_at += [(step, t) for t in node.inputs + node.outputs]
    touched_at += [(len(graph.nodes), t) for t in graph.outputs]
    for step, t in touched_at:
        if not graph.tensors[t].is_const:
            root = graph.storage_root(t)
            last[root] = max(last.get(root, step), step)
    # graph inputs, and state (kept for the next run; a variable's old value may be read after its last use here)
    input_roots = {graph.storage_root(t) for t in graph.inputs} | set(graph.state_tensors())

    merged: dict[str, str] = {}  # storage root -> buffer (group) root
    group_last: dict[str, int] = {}  # buffer root -> last step any member is used

    def buffer_of(tensor: str) -> str:
        root = graph.storage_root(tensor)
        return merged.get(root, root)

    def last_use(buf: str) -> int:
        return group_last.get(buf, last[buf])

    for step, node in enumerate(graph.nodes):
        if (node.op not in IN_PLACE_OPS and node.op not in IN_PLACE_INPUTS) or len(node.outputs) != 1:
            continue
        out = node.outputs[0]
        out_t = graph.tensors[out]
        if out_t.alias_of is not None or out in graph.inputs or out_t.state:
            continue
        only = IN_PLACE_INPUTS.get(node.op)
        for inp in node.inputs if only is None else [node.inputs[only]]:
            in_t = graph.tensors[inp]
            if in_t.is_const or in_t.shape != out_t.shape or DTYPE_BYTES[in_t.dtype] != DTYPE_BYTES[out_t.dtype]:
                continue
            buf = buffer_of(inp)
            if buf in input_roots or last_use(buf) != step or graph.tensors[buf].nbytes != out_t.nbytes:
                continue
            # Any other input read from the same buffer must be read at the same index as the output is written.
            if any(buffer_of(o) == buf and graph.tensors[o].shape != out_t.shape
                   for o in node.inputs if not graph.tensors[o].is_const):
                continue
            if only is not None and any(buffer_of(o) == buf for i, o in enumerate(node.inputs)
                                        if i != only and not graph.tensors[o].is_const):
                continue
            merged[out] = buf
            group_last[buf] = max(last_use(buf), last[out])
            break
    return merged
