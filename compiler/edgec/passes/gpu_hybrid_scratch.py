"""GPU targets: give each hybrid (dynamic-range quantized) layer a float scratch tensor for its activation range.

On the CPU a hybrid kernel finds max|x| of its input in a loop and keeps it in a register. On the GPU the reduction
is its own launches (codegen/opencl_kernels.py: partial maxima over chunks of the input, then their maximum), and
the quantisation and the integer convolution read the result from device memory. This pass appends that memory to
the node as one more output, `qrange`: float32[chunks + 1] (the partial maxima, then the range), so the memory
planner places it like the node's int8 `qinput` scratch (live at the node's step only). The CPU targets never run it.
"""

from __future__ import annotations

import math

from ..ir import Graph, Tensor

HYBRID_OPS = ("conv2d_hybrid", "fully_connected_hybrid")
CHUNK_MIN = 64  # elements per partial maximum, at least
MAX_CHUNKS = 256  # partial maxima per reduction, at most (the final maximum reads them in one work-item)


def absmax_chunks(elems: int) -> int:
    """How many partial maxima the range of `elems` activations is reduced through."""
    return max(1, min(MAX_CHUNKS, math.ceil(elems / CHUNK_MIN)))


def run(graph: Graph) -> Graph:
    for node in graph.nodes:
        if node.op not in HYBRID_OPS or len(node.outputs) != 2:
            continue
        per_row = graph.tensors[node.outputs[1]].elems  # qinput: one batch (conv) or one row (fully connected)
        name = graph.fresh_name(f"{node.outputs[0]}_qrange")
        graph.add_tensor(Tensor(name, (absmax_chunks(per_row) + 1,), "float32"))
        node.outputs.append(name)
    return graph
