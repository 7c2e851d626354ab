"""--ecotta K: EcoTTA meta-networks (Song et al., CVPR 2023) and the graph of one on-device adaptation step.

The frozen network is cut after K of its convolutions (the partition points: given by name, or the K conv outputs
with the fewest bytes, which keeps what the step must hold small). After each point a meta-network runs: a
BatchNorm on running estimates and a 1x1 conv block added residually (runtimes/include/edgec_ecotta_f32.h), grouped
with `--ecotta-groups`: its weights are most of what adaptation adds to RAM. Only
the meta-networks learn; their parameters live in RAM, the deployed copy in flash (`<name>_reset()`).

The adaptation step is a second graph over the same tensors, planned by the same planner into the same arena:
  - forward: the inference graph, with each meta-network updating its running estimates from this sample, and a
    1-bit mask kept after every clamped frozen layer the backward pass crosses (its ReLU's gradient);
  - loss: entropy of the softmax if the sample is confident (below `entropy_margin * ln(classes)`), plus
    `reg_weight` times the mean |y_k - x_k| of every meta-network (x_k: the frozen part's output; no gradient);
  - backward: from the logits down to the first meta-network, through the frozen layers by their input gradients
    only (no weight gradients: their inputs are not kept); each meta-network's parameter gradients, then its SGD
    update at once (the layers below never read its parameters), so one meta-network's gradients are live at a time.
What the forward pass must keep for the backward pass is simply what the planner sees live: each meta-network's
input x_k (float) and the masks. The arena grows to the larger of the two graphs' plans; `adaptation_bytes` is
that growth plus the RAM state (parameters, running estimates, the loss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import EdgecError, UnsupportedModelError
from ..ir import Graph, Node, Tensor

# Frozen layers the backward pass can cross: their input gradient needs their constants only.
BACKWARD_OPS = ("conv2d", "mean", "matmul")


@dataclass
class EcottaOptions:
    parts: int = 0  # K meta-networks; 0: off
    points: list[str] = field(default_factory=list)  # layer names (the per-layer table's) to attach them to
    lr: float = 0.001
    reg_weight: float = 0.5  # lambda of the self-distilled regulariser
    momentum: float = 0.05  # running estimates: blend of each new sample
    groups: int = 1  # of each meta-network's 1x1 conv block (1: full C x C; more: C x C / groups weights)
    eps: float = 1e-5
    entropy_margin: float = 0.4  # confident: entropy < margin * ln(classes) (EATA's, as EcoTTA uses)
    init: Path | None = None  # .npy of the deployed parameters (a warm-up's result), in the layout of `layout`

    @property
    def enabled(self) -> bool:
        return self.parts > 0


@dataclass
class MetaNet:
    layer: str  # the frozen layer it follows
    tensor: str  # that layer's output x_k
    output: str  # y_k
    pixels: int
    channels: int
    theta_offset: int  # gamma, beta, W in the trainable parameters
    stats_offset: int  # mean, var in the running estimates
    group_channels: int  # inputs per output channel of its 1x1 conv block

    @property
    def trainable(self) -> int:
        return 2 * self.channels + self.channels * self.group_channels


@dataclass
class Ecotta:
    options: EcottaOptions
    metas: list[MetaNet]
    theta: np.ndarray  # deployed trainable parameters, float32
    stats: np.ndarray  # deployed running estimates, float32
    classes: int
    adapt_graph: Graph | None = None

    @property
    def threshold(self) -> float:
        return float(self.options.entropy_margin * math.log(self.classes))

    @property
    def state_bytes(self) -> int:
        """RAM beside the arena: parameters, running estimates, the loss."""
        return 4 * (self.theta.size + self.stats.size + 1)

    def layout(self) -> list[dict]:
        return [{"layer": m.layer, "tensor": m.tensor, "pixels": m.pixels, "channels": m.channels,
                 "group_channels": m.group_channels, "theta_offset": m.theta_offset, "stats_offset": m.stats_offset} for m in self.metas]


def check_compatible(patch_mode: str, quantize, input_outside_arena: bool = False) -> None:
    if input_outside_arena:
        raise EdgecError("--ecotta cannot be combined with --input-outside-arena yet (the adaptation step copies "
                         "its sample into the arena)")
    if patch_mode != "off":
        raise EdgecError("--ecotta cannot be combined with --patch yet (the adaptation step runs layer by layer)")
    if quantize is not None:
        raise EdgecError("--ecotta adapts float models only so far (an int8 frozen part is future work)")


def candidates(graph: Graph) -> list[Node]:
    """Float NHWC convolutions whose output is not a graph output: where a meta-network can go."""
    return [n for n in graph.nodes if n.op == "conv2d" and n.attrs.get("layout") == "NHWC"
            and graph.tensors[n.outputs[0]].dtype == "float32" and n.outputs[0] not in graph.outputs]


def choose_points(graph: Graph, options: EcottaOptions) -> list[Node]:
    cands = candidates(graph)
    if options.points:
        by_name = {n.name: n for n in cands}
        missing = [p for p in options.points if p not in by_name]
        if missing:
            raise EdgecError(f"--ecotta-points: {', '.join(missing)} is not a float convolution of this model; "
                             f"choose among {', '.join(by_name) or 'none'}")
        chosen = [by_name[p] for p in options.points]
    else:
        if len(cands) < options.parts:
            raise EdgecError(f"--ecotta {options.parts}: the model has {len(cands)} float convolutions to attach "
                             "meta-networks to")
        order = {id(n): i for i, n in enumerate(graph.nodes)}
        smallest = sorted(cands, key=lambda n: (graph.tensors[n.outputs[0]].nbytes, -order[id(n)]))
        chosen = smallest[:options.parts]
    order = {id(n): i for i, n in enumerate(graph.nodes)}
    return sorted(chosen, key=lambda n: order[id(n)])


def deployed_parameters(metas: list[MetaNet], init: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Identity at deployment unless a warm-up's parameters are given: gamma 1, beta 0, W 0, mean 0, var 1 (the
    BatchNorm scales by 1/sqrt(1 + eps) only). An init file holds theta then stats, flat, float32."""
    theta = np.zeros(sum(m.trainable for m in metas), np.float32)
    stats = np.zeros(sum(2 * m.channels for m in metas), np.float32)
    for m in metas:
        theta[m.theta_offset:m.theta_offset + m.channels] = 1.0
        stats[m.stats_offset + m.channels:m.stats_offset + 2 * m.channels] = 1.0
    if init is not None:
        data = np.load(init).astype(np.float32).reshape(-1)
        if data.size != theta.size + stats.size:
            raise EdgecError(f"--ecotta-init {init}: {data.size} values, the meta-networks have "
                             f"{theta.size} parameters and {stats.size} running estimates")
        theta, stats = data[:theta.size].copy(), data[theta.size:].copy()
    return theta, stats


def insert_meta_networks(graph: Graph, options: EcottaOptions) -> Ecotta:
    """Rewrite the graph in place: a node `ecotta_meta` after each partition point, its readers moved to y_k."""
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise EdgecError("--ecotta: only a classifier with one input and one output can adapt")
    points = choose_points(graph, options)
    metas, theta_off, stats_off = [], 0, 0
    for k, node in enumerate(points):
        x = node.outputs[0]
        shape = graph.tensors[x].shape
        y = graph.fresh_name(f"{x}_meta{k}")
        graph.add_tensor(Tensor(y, shape, "float32"))
        for reader in graph.consumers(x):
            reader.inputs = [y if i == x else i for i in reader.inputs]
        for t in graph.tensors.values():  # views of x now view y
            if t.alias_of == x:
                t.alias_of = y
        channels = int(shape[-1])
        if channels % options.groups:
            raise EdgecError(f"--ecotta-groups {options.groups}: {node.name or x} has {channels} channels, not a "
                             "multiple of it")
        meta = MetaNet(node.name or x, x, y, int(np.prod(shape[:-1])), channels, theta_off, stats_off,
                       channels // options.groups)
        attrs = {"meta": k, "pixels": meta.pixels, "channels": meta.channels,
                 "group_channels": meta.group_channels, "theta_offset": theta_off,
                 "stats_offset": stats_off, "eps": options.eps, "momentum": options.momentum,
                 "reg_scale": options.reg_weight / (meta.pixels * meta.channels)}
        graph.nodes.insert(graph.nodes.index(node) + 1, Node("ecotta_meta", [x], [y], attrs,
                                                             name=f"{node.name or x}.meta"))
        metas.append(meta)
        theta_off += meta.trainable
        stats_off += 2 * meta.channels
    theta, stats = deployed_parameters(metas, options.init)
    logits = logits_of(graph)
    eco = Ecotta(options, metas, theta, stats, classes=graph.tensors[logits].elems)
    eco.adapt_graph = adaptation_graph(graph, eco)
    return eco


def logits_of(graph: Graph) -> str:
    last = graph.nodes[-1]
    out = graph.outputs[0]
    if graph.storage_root(out) in last.outputs and last.op == "softmax":
        return last.inputs[0]
    return out


def unsupported(node: Node, reason: str) -> UnsupportedModelError:
    return UnsupportedModelError([(node.name or node.outputs[0], node.op, f"--ecotta: {reason}")])


def check_backward_node(graph: Graph, node: Node) -> None:
    if node.op == "conv2d":
        if node.attrs.get("depthwise") or node.attrs.get("layout") != "NHWC":
            raise unsupported(node, "the backward pass crosses only regular NHWC convolutions so far")
    elif node.op == "mean":
        if len(graph.tensors[node.inputs[0]].shape) != 4 or list(node.attrs["axes"]) != [1, 2]:
            raise unsupported(node, "the backward pass crosses only a global average over H and W")
    elif node.op == "matmul":
        a, b = graph.tensors[node.inputs[0]], graph.tensors[node.inputs[1]]
        if a.elems != a.shape[-1] or not b.is_const or len(b.shape) != 2:
            raise unsupported(node, "the backward pass crosses only a one-row matmul by constant weights")
    elif node.op != "ecotta_meta":
        raise unsupported(node, f"no backward pass for {node.op} yet (it lies between the first meta-network "
                                "and the output)")
    x = node.inputs[0]
    if len(graph.consumers(x)) != 1 or graph.tensors[x].dtype != "float32":
        raise unsupported(node, "the backward pass follows a chain of float layers (no branches) so far")


def clamp_bounds(node: Node) -> tuple[float, float] | None:
    act = node.attrs.get("act")
    if act is None:
        return None
    lo, hi = float(act[0]), float(act[1])
    return None if (lo == -math.inf and hi == math.inf) else (lo, hi)


def adaptation_graph(graph: Graph, eco: Ecotta) -> Graph:
    """The adaptation step as a graph over the inference graph's tensors (module docstring)."""
    logits = logits_of(graph)
    fwd_end = next(i for i, n in enumerate(graph.nodes) if graph.storage_root(logits) in n.outputs) + 1
    first_meta = next(i for i, n in enumerate(graph.nodes) if n.op == "ecotta_meta")
    g = Graph(dict(graph.tensors), [], list(graph.inputs), [])

    def new(base: str, shape, dtype="float32", alias_of=None) -> str:
        name = g.fresh_name(base)
        g.add_tensor(Tensor(name, tuple(int(d) for d in shape), dtype, alias_of=alias_of))
        return name

    masks: dict[int, str] = {}
    for i, node in enumerate(graph.nodes[:fwd_end]):
        if node.op == "ecotta_meta":
            g.nodes.append(Node("ecotta_meta_train", list(node.inputs), list(node.outputs), dict(node.attrs),
                                name=node.name))
            continue
        g.nodes.append(node)
        if i > first_meta:
            check_backward_node(graph, node)
            bounds = clamp_bounds(node)
            if bounds is not None:
                y = graph.tensors[node.outputs[0]]
                masks[i] = new(f"{node.outputs[0]}_mask", ((y.elems + 7) // 8,), "uint8")
                g.nodes.append(Node("act_mask", [node.outputs[0]], [masks[i]], {"bounds": bounds},
                                    name=f"{node.name}.mask"))

    grads: dict[str, str] = {}

    def grad_of(tensor: str) -> str:
        """The gradient tensor of `tensor`; a view's gradient views the gradient of its storage root."""
        if tensor in grads:
            return grads[tensor]
        t = g.tensors[tensor]
        if t.alias_of is None:
            grads[tensor] = new(f"d_{tensor}", t.shape)
        else:
            grads[tensor] = new(f"d_{tensor}", t.shape, alias_of=grad_of(t.alias_of))
        return grads[tensor]

    g.nodes.append(Node("ecotta_entropy", [logits], [grad_of(logits)], {"threshold": eco.threshold},
                        name="loss.entropy"))
    for i in range(fwd_end - 1, first_meta - 1, -1):
        node = graph.nodes[i]
        dy = grad_of(node.outputs[0])
        if node.op == "ecotta_meta":
            meta = eco.metas[node.attrs["meta"]]
            g_theta = new(f"{meta.tensor}_dtheta", (meta.trainable,))
            scratch = new(f"{meta.tensor}_scratch", (2 * meta.channels,))
            outs = [g_theta, scratch] + ([grad_of(node.inputs[0])] if i > first_meta else [])
            g.nodes.append(Node("ecotta_meta_backward", [node.inputs[0], dy], outs, dict(node.attrs),
                                name=f"{node.name}.backward"))
            # its update right away: the layers below never read this meta-network's parameters, and its
            # gradients need no buffer beyond this step
            g.nodes.append(Node("ecotta_sgd", [g_theta], [], {"lr": eco.options.lr, "count": meta.trainable,
                                                              "theta_offset": meta.theta_offset},
                                name=f"{node.name}.sgd"))
            continue
        ins = [dy] + ([masks[i]] if i in masks else []) + node.inputs[1:2 if node.op != "mean" else 1]
        g.nodes.append(Node(f"{node.op}_backward_input", ins, [grad_of(node.inputs[0])],
                            dict(node.attrs, forward_input=node.inputs[0], masked=i in masks),
                            name=f"{node.name}.backward"))
    g.remove_unused_tensors()
    return g
