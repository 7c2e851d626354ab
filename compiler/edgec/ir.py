"""edgec's graph IR: the form the memory planner and the C emitter work on.

Relax is where models are imported and where TVM's own passes run. After that, the module is lowered to this
small IR: a list of kernel calls in execution order over named tensors. It is plain Python on purpose: the
passes that follow (fusion, quantization, patch scheduling, in-place rewrites) are easy to read and to test,
and `Graph.dump()` prints it between any two of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_RANK = 6  # EDGEC_MAX_RANK (runtimes/include/edgec_common.h): the kernels' fixed-size shape arrays
DTYPE_BYTES = {"float32": 4, "int32": 4, "int16": 2, "int8": 1, "uint8": 1, "int64": 8, "bool": 1,
               "uint16": 2, "uint32": 4, "uint64": 8}
C_TYPES = {
    "float32": "float",
    "int32": "int32_t",
    "int16": "int16_t",
    "int8": "int8_t",
    "uint8": "uint8_t",
    "int64": "int64_t",
    "bool": "uint8_t",
    "uint16": "uint16_t",
    "uint32": "uint32_t",
    "uint64": "uint64_t",
}

# IR ops whose kernel may write its output over an input of the same shape and element size: output element i
# depends only on element i of that input (and on other inputs), which the kernel reads before it writes.
# Operator modules register their ops here (ops/elementwise.py); the memory planner (memory/inplace.py) then
# lets the output take over the input's buffer when the input dies at that node.
IN_PLACE_OPS: set[str] = set()
# IR ops whose kernel may write its output over one input only (its index), which has the output's shape: element i
# of that input is read before element i of the output is written, and the node's other inputs are read from
# elsewhere (a convolution fused with its residual add: the output over the residual, passes/fuse_conv_add.py).
IN_PLACE_INPUTS: dict[str, int] = {}
# IR ops whose kernel needs arena scratch of its own while it runs: op -> bytes(graph, node). The planner gives
# each such node a buffer `scratch_buffer(node)` live at its step only (memory/liveness.py), so every planner and
# the lower bound see it; the emitter passes its address.
SCRATCH_OPS: dict[str, Any] = {}


def scratch_buffer(node: "Node") -> str:
    return f"{node.outputs[0]}.scratch"


@dataclass
class QuantParams:
    """Affine quantization: real = scale * (q - zero_point); per-channel along `axis` when scale has > 1 entry."""

    scale: np.ndarray
    zero_point: np.ndarray
    axis: int = 0


@dataclass
class Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: str
    data: np.ndarray | None = None  # set for constants (weights), which live in flash
    quant: QuantParams | None = None
    alias_of: str | None = None  # a view (reshape) that shares the storage of another tensor
    # kept from one run to the next (an SVDF's memory, a TFLite LSTM's h and c): its own static buffer, not the
    # arena; zero at start-up and after <name>_reset_state()
    state: bool = False
    # a TFLite resource variable's initial value (passes/state_variables.py): what the state holds before the first
    # run and after <name>_reset_state() instead of zero
    state_init: np.ndarray | None = None

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def elems(self) -> int:
        n = 1
        for d in self.shape:
            n *= int(d)
        return n

    @property
    def nbytes(self) -> int:
        return self.elems * DTYPE_BYTES[self.dtype]


@dataclass
class Node:
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass
class Graph:
    tensors: dict[str, Tensor] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    # --input-outside-arena: the inputs stay in the caller's buffers (a camera or DMA buffer): the planner leaves
    # them out of the arena and the kernels read them where they are. Nothing may write over them.
    inputs_outside_arena: bool = False

    def outside_arena(self, root: str) -> bool:
        """True for the storage root of an input that lives in the caller's buffer."""
        return self.inputs_outside_arena and root in self.inputs

    def state_tensors(self) -> list[str]:
        """The tensors kept between runs (Tensor.state) that some node reads or writes, in node order."""
        seen: list[str] = []
        for node in self.nodes:
            for name in node.inputs + node.outputs:
                if self.tensors[name].state and name not in seen:
                    seen.append(name)
        return seen

    def state_bytes(self) -> int:
        return sum(self.tensors[t].nbytes for t in self.state_tensors())

    def add_tensor(self, tensor: Tensor) -> Tensor:
        if tensor.name in self.tensors:
            raise ValueError(f"duplicate tensor name {tensor.name}")
        self.tensors[tensor.name] = tensor
        return tensor

    def fresh_name(self, base: str) -> str:
        name, i = base, 0
        while name in self.tensors:
            i += 1
            name = f"{base}_{i}"
        return name

    def add_const(self, base: str, data: np.ndarray) -> str:
        data = np.ascontiguousarray(data)
        name = self.fresh_name(base)
        self.add_tensor(Tensor(name, tuple(int(d) for d in data.shape), str(data.dtype), data=data))
        return name

    def producer(self, tensor: str) -> Node | None:
        """The first node that writes `tensor`. Only after patch scheduling does a tensor have several writers (the
        `paste` of each patch into the stage output), and the passes that ask for producers run before it."""
        for node in self.nodes:
            if tensor in node.outputs:
                return node
        return None

    def consumers(self, tensor: str) -> list[Node]:
        return [n for n in self.nodes if tensor in n.inputs]

    def storage_root(self, tensor: str) -> str:
        """The tensor whose memory a view ultimately shares."""
        while self.tensors[tensor].alias_of is not None:
            tensor = self.tensors[tensor].alias_of
        return tensor

    def remove_unused_tensors(self) -> None:
        used = set(self.inputs) | set(self.outputs)
        for n in self.nodes:
            used.update(n.inputs)
            used.update(n.outputs)
        used.update(t.alias_of for t in self.tensors.values() if t.alias_of is not None)
        for name in list(self.tensors):
            if name not in used:
                del self.tensors[name]

    def dump(self) -> str:
        def desc(name: str) -> str:
            t = self.tensors[name]
            kind = "const " if t.is_const else ""
            view = f" view-of {t.alias_of}" if t.alias_of else ""
            return f"{name}: {kind}{t.dtype}{list(t.shape)}{view}"

        lines = ["inputs:  " + ", ".join(desc(i) for i in self.inputs)]
        for n in self.nodes:
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(n.attrs.items()) if not isinstance(v, np.ndarray))
            lines.append(f"  {', '.join(n.outputs)} = {n.op}({', '.join(n.inputs)}) {{{attrs}}}  # {n.name}")
        lines.append("outputs: " + ", ".join(desc(o) for o in self.outputs))
        return "\n".join(lines)
