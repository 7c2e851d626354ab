"""--ecotta K: EcoTTA meta-networks (Song et al., CVPR 2023) and the graph of one on-device adaptation step.

The frozen network is cut after K of its convolutions (the partition points: given by name, or the K conv outputs
with the fewest bytes, which keeps what the step must hold small). After each point a meta-network runs; two blocks
(`--ecotta-block`, runtimes/include/edgec_ecotta_f32.h), both grouped with `--ecotta-groups` (their weights are most
of what adaptation adds to RAM):
  - residual (default): a BatchNorm on the part's output x_k and a 1x1 conv block on the BatchNorm's ReLU, added:
    y_k = b + W relu(b), b = BN(x_k);
  - paper: the official EcoTTA sample code's block: y_k = BN(x_k) + ReLU(BN'(conv(u_k))), where the part is the
    frozen conv at the point, u_k its input (the previous meta-network's output when the parts are adjacent) and
    conv a bias-free conv of the frozen conv's geometry (3x3, the part's stride on the demo). As in that code
    (one_part_of_networks, adaptation with x.detach() at each part's input), no gradient crosses a part's input:
    the entropy reaches only the last meta-network (through the frozen layers after it); each meta-network learns
    from its own regulariser, so the earlier ones are updated as soon as their forward is done and keep nothing.
Only the meta-networks learn; their parameters live in RAM, the deployed copy in flash (`<name>_reset()`).

int8 frozen parts (`--quantize int8`, or an int8 model): the frozen layers keep their int8 kernels; a meta-network
reads its part's output dequantised (x_k = scale * (q - zero_point); with the paper's block u_k too) and its output
is quantised back with the part's own scale and zero point, which the next frozen layer was built for. Where the
backward pass crosses frozen int8 layers (to the first meta-network; with the paper's block only down to the last
one), it does so in float on the real values: quantise and dequantise pass the gradient unchanged (the straight-
through estimator), a clamp (the ReLU folded into the zero point, or saturation) masks it where the int8 output
sits at its bound, and a conv's input gradient takes its weights as real values (int8 times the weight scale,
recovered from the requantisation factor scale_in * scale_w / scale_out): float copies in flash, of the layers
the backward pass crosses only.

The adaptation step is a second graph over the same tensors, planned by the same planner into the same arena:
  - forward: the inference graph, with each meta-network updating its running estimates from this sample, and a
    1-bit mask kept after every clamped frozen layer the backward pass crosses (its ReLU's gradient);
  - loss: entropy of the softmax if the sample is confident (below `entropy_margin * ln(classes)`), plus
    `reg_weight` times the mean |y_k - x_k| of every meta-network (x_k: the frozen part's output; no gradient);
  - backward: from the logits down to the first meta-network, through the frozen layers by their input gradients
    only (no weight gradients: their inputs are not kept); each meta-network's parameter gradients, then its SGD
    update at once (the layers below never read its parameters), so one meta-network's gradients are live at a time.
What the forward pass must keep for the backward pass is simply what the planner sees live: each meta-network's
input x_k (float; with the paper's block also u_k, of the last meta-network only) and the masks. The arena grows to the larger of the two graphs' plans; `adaptation_bytes` is
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
BACKWARD_OPS = ("conv2d", "mean", "matmul", "conv2d_s8", "global_avg_pool_s8")
PASS_THROUGH_OPS = ("quantize_s8", "dequantize_s8")  # the straight-through estimator: dx = dy
BLOCKS = ("residual", "paper")
META_OPS = ("ecotta_meta", "ecotta_meta_conv")


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
    block: str = "residual"  # the meta-network's block: "residual" or "paper" (module docstring)

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
    group_channels: int  # inputs per output channel of its conv block (per kernel tap)
    block: str = "residual"
    source: str = ""  # paper block: u_k, the conv block's input (the frozen conv's input)
    kernel: tuple[int, int] = (1, 1)  # paper block: the conv block's kernel (the frozen conv's)
    int8: bool = False  # its part is int8: x_k (and u_k) dequantised, y_k quantised back

    @property
    def conv_weights(self) -> int:
        return self.channels * self.kernel[0] * self.kernel[1] * self.group_channels

    @property
    def trainable(self) -> int:
        """residual: gamma, beta, W; paper: gamma, beta (the BatchNorm on x_k), W, gamma', beta' (the conv block's)."""
        return (2 if self.block == "residual" else 4) * self.channels + self.conv_weights

    @property
    def statistics(self) -> int:
        return (2 if self.block == "residual" else 4) * self.channels


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
                 "group_channels": m.group_channels, "theta_offset": m.theta_offset, "stats_offset": m.stats_offset,
                 "block": m.block, "frozen": "int8" if m.int8 else "float",
                 **({"source": m.source, "kernel": list(m.kernel)} if m.block == "paper" else {})}
                for m in self.metas]


def check_compatible(patch_mode: str, quantize, input_outside_arena: bool = False) -> None:
    if input_outside_arena:
        raise EdgecError("--ecotta cannot be combined with --input-outside-arena yet (the adaptation step copies "
                         "its sample into the arena)")
    if patch_mode != "off":
        raise EdgecError("--ecotta cannot be combined with --patch yet (the adaptation step runs layer by layer)")
    if quantize is not None and getattr(quantize, "ternary", None) is not None:
        raise EdgecError("--ecotta cannot be combined with --quantize ternary yet (int8 frozen parts only)")


def is_int8_point(graph: Graph, node: Node) -> bool:
    t = graph.tensors[node.outputs[0]]
    return (node.op == "conv2d_s8" and t.dtype == "int8" and t.quant is not None and t.quant.scale.size == 1
            and len(t.shape) == 4)


def candidates(graph: Graph) -> list[Node]:
    """Float NHWC convolutions, or int8 ones (per-tensor output scale), whose output is neither a graph output nor
    the logits: where a meta-network can go."""
    logits = graph.storage_root(logits_of(graph))
    return [n for n in graph.nodes if n.outputs[0] not in graph.outputs and n.outputs[0] != logits and (
        (n.op == "conv2d" and n.attrs.get("layout") == "NHWC" and graph.tensors[n.outputs[0]].dtype == "float32")
        or is_int8_point(graph, n))]


def choose_points(graph: Graph, options: EcottaOptions) -> list[Node]:
    cands = candidates(graph)
    if options.points:
        by_name = {n.name: n for n in cands}
        missing = [p for p in options.points if p not in by_name]
        if missing:
            raise EdgecError(f"--ecotta-points: {', '.join(missing)} is not a convolution of this model; "
                             f"choose among {', '.join(by_name) or 'none'}")
        chosen = [by_name[p] for p in options.points]
    else:
        if len(cands) < options.parts:
            raise EdgecError(f"--ecotta {options.parts}: the model has {len(cands)} convolutions to attach "
                             "meta-networks to")
        order = {id(n): i for i, n in enumerate(graph.nodes)}
        smallest = sorted(cands, key=lambda n: (graph.tensors[n.outputs[0]].nbytes, -order[id(n)]))
        chosen = smallest[:options.parts]
    order = {id(n): i for i, n in enumerate(graph.nodes)}
    return sorted(chosen, key=lambda n: order[id(n)])


def deployed_parameters(metas: list[MetaNet], init: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Identity at deployment unless a warm-up's parameters are given: gamma 1, beta 0, W 0, mean 0, var 1 (the
    BatchNorm scales by 1/sqrt(1 + eps) only; the paper block's conv-block gamma' is 1 too, its output 0 with W 0).
    An init file holds theta then stats, flat, float32."""
    theta = np.zeros(sum(m.trainable for m in metas), np.float32)
    stats = np.zeros(sum(m.statistics for m in metas), np.float32)
    for m in metas:
        c, t, st = m.channels, m.theta_offset, m.stats_offset
        theta[t:t + c] = 1.0
        stats[st + c:st + 2 * c] = 1.0
        if m.block == "paper":
            theta[t + 2 * c + m.conv_weights:t + 3 * c + m.conv_weights] = 1.0
            stats[st + 3 * c:st + 4 * c] = 1.0
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
    if options.block not in BLOCKS:
        raise EdgecError(f"--ecotta-block {options.block}: choose {' or '.join(BLOCKS)}")
    points = choose_points(graph, options)
    metas, theta_off, stats_off = [], 0, 0
    for k, node in enumerate(points):
        x = node.outputs[0]
        shape = graph.tensors[x].shape
        int8 = is_int8_point(graph, node)
        y = graph.fresh_name(f"{x}_meta{k}")
        graph.add_tensor(Tensor(y, shape, "float32"))
        y_out = graph.fresh_name(f"{y}_q") if int8 else y  # what the readers of x read now
        if int8:
            graph.add_tensor(Tensor(y_out, shape, "int8", quant=graph.tensors[x].quant))
        for reader in graph.consumers(x):
            reader.inputs = [y_out if i == x else i for i in reader.inputs]
        for t in graph.tensors.values():  # views of x now view y
            if t.alias_of == x:
                t.alias_of = y_out
        at = graph.nodes.index(node) + 1
        if int8:  # the meta-network runs in float between a dequantise and a quantise (module docstring)
            x_q, x = x, dequantized(graph, x, at, f"{node.name or x}.meta_in")
            at += 1
        channels = int(shape[-1])
        name = node.name or x
        if channels % options.groups:
            raise EdgecError(f"--ecotta-groups {options.groups}: {name} has {channels} channels, not a "
                             "multiple of it")
        if options.block == "paper":
            u = node.inputs[0]
            if int8:
                u = dequantized(graph, u, at, f"{node.name or x}.meta_source")
                at += 1
            meta, attrs = paper_meta(graph, node, u, y, shape, theta_off, stats_off, options)
            meta.tensor = x
        else:
            meta = MetaNet(name, x, y, int(np.prod(shape[:-1])), channels, theta_off, stats_off,
                           channels // options.groups)
            attrs = {}
        meta.int8 = int8
        attrs.update({"meta": k, "pixels": meta.pixels, "channels": meta.channels,
                      "group_channels": meta.group_channels, "theta_offset": theta_off,
                      "stats_offset": stats_off, "eps": options.eps, "momentum": options.momentum,
                      "reg_scale": options.reg_weight / (meta.pixels * meta.channels)})
        op, ins = ("ecotta_meta", [x]) if meta.block == "residual" else ("ecotta_meta_conv", [x, meta.source])
        graph.nodes.insert(at, Node(op, ins, [y], attrs, name=f"{name}.meta"))
        if int8:
            graph.nodes.insert(at + 1, Node("quantize_s8", [y], [y_out], qdq_attrs(graph, y, graph.tensors[x_q].quant),
                                            name=f"{name}.meta_out"))
        metas.append(meta)
        theta_off += meta.trainable
        stats_off += meta.statistics
    theta, stats = deployed_parameters(metas, options.init)
    logits = logits_of(graph)
    eco = Ecotta(options, metas, theta, stats, classes=graph.tensors[logits].elems)
    eco.adapt_graph = adaptation_graph(graph, eco)
    return eco


def qdq_attrs(graph: Graph, tensor: str, quant) -> dict:
    """quantize_s8 / dequantize_s8 attributes for an NHWC tensor (no layout change; ties to even, as QDQ)."""
    shape = graph.tensors[tensor].shape
    return {"n": 1, "c": int(shape[-1]), "hw": int(np.prod(shape[1:-1])), "nchw_to_nhwc": 0,
            "scale": float(quant.scale.reshape(-1)[0]), "zero_point": int(quant.zero_point.reshape(-1)[0])}


def dequantized(graph: Graph, tensor: str, at: int, name: str) -> str:
    """A float copy of the int8 `tensor`, by a dequantize_s8 node inserted at position `at`."""
    t = graph.tensors[tensor]
    if t.quant is None or t.quant.scale.size != 1:
        raise EdgecError(f"--ecotta: {name}: {tensor} has no per-tensor quantisation to dequantise with")
    out = graph.fresh_name(f"{tensor}_real")
    graph.add_tensor(Tensor(out, t.shape, "float32"))
    graph.nodes.insert(at, Node("dequantize_s8", [tensor], [out], qdq_attrs(graph, tensor, t.quant), name=name))
    return out


def paper_meta(graph: Graph, node: Node, u: str, y: str, shape, theta_off: int, stats_off: int,
               options: EcottaOptions) -> tuple[MetaNet, dict]:
    """The paper block's meta-network on the frozen conv `node`: its conv block reads the conv's input u (float;
    dequantised if the conv is int8) with the conv's geometry (kernel, strides, pads, dilation), `--ecotta-groups`
    groups, no bias."""
    src, w = graph.tensors[u], graph.tensors[node.inputs[1]]
    name = node.name or node.outputs[0]
    if node.attrs.get("depthwise") or len(src.shape) != 4 or src.dtype != "float32":
        raise unsupported(node, "the paper's block follows a regular float NHWC convolution")
    in_c = int(src.shape[-1])
    if in_c % options.groups:
        raise EdgecError(f"--ecotta-groups {options.groups}: the input of {name} has {in_c} channels, not a "
                         "multiple of it")
    channels = int(shape[-1])
    meta = MetaNet(name, node.outputs[0], y, int(np.prod(shape[:-1])), channels, theta_off, stats_off,
                   in_c // options.groups, block="paper", source=u, kernel=(int(w.shape[1]), int(w.shape[2])))
    a = node.attrs
    conv = dict(batch=1, in_h=int(src.shape[1]), in_w=int(src.shape[2]), in_c=in_c, out_h=int(shape[1]),
                out_w=int(shape[2]), out_c=channels, k_h=meta.kernel[0], k_w=meta.kernel[1],
                stride_h=a["strides"][0], stride_w=a["strides"][1], pad_top=a["pads"][0], pad_left=a["pads"][1],
                dil_h=a["dilation"][0], dil_w=a["dilation"][1], groups=options.groups)
    return meta, {"conv": conv}


def logits_of(graph: Graph) -> str:
    """The tensor the entropy is taken of: the softmax's input if the model ends in one (int8: before the output's
    dequantisation), else the output."""
    out = graph.outputs[0]
    last = graph.producer(graph.storage_root(out))
    if last is not None and last.op == "dequantize_s8":
        before = graph.producer(graph.storage_root(last.inputs[0]))
        if before is not None and before.op == "softmax_q8":
            return before.inputs[0]
        return last.inputs[0]
    if last is not None and last.op in ("softmax", "softmax_q8"):
        return last.inputs[0]
    return out


def unsupported(node: Node, reason: str) -> UnsupportedModelError:
    return UnsupportedModelError([(node.name or node.outputs[0], node.op, f"--ecotta: {reason}")])


def check_backward_node(graph: Graph, node: Node) -> None:
    if node.op == "conv2d":
        if node.attrs.get("depthwise") or node.attrs.get("layout") != "NHWC":
            raise unsupported(node, "the backward pass crosses only regular NHWC convolutions so far")
    elif node.op == "conv2d_s8":
        if graph.tensors[node.inputs[0]].quant is None or graph.tensors[node.outputs[0]].quant is None:
            raise unsupported(node, "an int8 convolution the backward pass crosses needs its scales")
    elif node.op in ("global_avg_pool_s8", *PASS_THROUGH_OPS):
        pass
    elif node.op == "mean":
        if len(graph.tensors[node.inputs[0]].shape) != 4 or list(node.attrs["axes"]) != [1, 2]:
            raise unsupported(node, "the backward pass crosses only a global average over H and W")
    elif node.op == "matmul":
        a, b = graph.tensors[node.inputs[0]], graph.tensors[node.inputs[1]]
        if a.elems != a.shape[-1] or not b.is_const or len(b.shape) != 2:
            raise unsupported(node, "the backward pass crosses only a one-row matmul by constant weights")
    elif node.op not in META_OPS:
        raise unsupported(node, f"no backward pass for {node.op} yet (it lies between the first meta-network "
                                "and the output)")
    x = node.inputs[0]
    if len(graph.consumers(x)) != 1 or graph.tensors[x].dtype not in ("float32", "int8"):
        raise unsupported(node, "the backward pass follows a chain of layers (no branches) so far")


def real_weights(graph: Graph, node: Node) -> np.ndarray:
    """A conv2d_s8's weights as real values (OHWI float32): w * scale_w, scale_w = factor * scale_out / scale_in,
    factor its requantisation factor per output channel (a float's bits, or TFLite's Q31 multiplier and shift)."""
    w = graph.tensors[node.inputs[1]].data.astype(np.float64)
    mult = graph.tensors[node.inputs[3]].data.reshape(-1)
    if node.attrs.get("requant_float", False):
        factor = mult.astype(np.int32).view(np.float32).astype(np.float64)
    else:
        shift = graph.tensors[node.inputs[4]].data.reshape(-1).astype(np.float64)
        factor = mult.astype(np.float64) / 2.0 ** 31 * 2.0 ** shift
    s_in = float(graph.tensors[node.inputs[0]].quant.scale.reshape(-1)[0])
    s_out = float(graph.tensors[node.outputs[0]].quant.scale.reshape(-1)[0])
    scale = np.broadcast_to(factor * s_out / s_in, (w.shape[0],))
    return (w * scale[:, None, None, None]).astype(np.float32)


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
    meta_at = [i for i, n in enumerate(graph.nodes) if n.op in META_OPS]
    paper = eco.options.block == "paper"
    # the backward pass ends at the first meta-network; with the paper's block at the last (parts are detached)
    first_meta = meta_at[-1] if paper else meta_at[0]
    g = Graph(dict(graph.tensors), [], list(graph.inputs), [])

    def new(base: str, shape, dtype="float32", alias_of=None) -> str:
        name = g.fresh_name(base)
        g.add_tensor(Tensor(name, tuple(int(d) for d in shape), dtype, alias_of=alias_of))
        return name

    def meta_backward(node: Node, dy: str | None, dx: str | None) -> None:
        meta = eco.metas[node.attrs["meta"]]
        g_theta = new(f"{meta.tensor}_dtheta", (meta.trainable,))
        if meta.block == "paper":  # no scratch, no dx: the part's input is detached
            g.nodes.append(Node("ecotta_meta_conv_backward", node.inputs + ([dy] if dy else []), [g_theta],
                                dict(node.attrs), name=f"{node.name}.backward"))
        else:
            scratch = new(f"{meta.tensor}_scratch", (2 * meta.channels,))
            g.nodes.append(Node("ecotta_meta_backward", [node.inputs[0], dy], [g_theta, scratch] + ([dx] if dx else []),
                                dict(node.attrs), name=f"{node.name}.backward"))
        # its update right away: the layers below never read this meta-network's parameters, and its
        # gradients need no buffer beyond this step
        g.nodes.append(Node("ecotta_sgd", [g_theta], [], {"lr": eco.options.lr, "count": meta.trainable,
                                                          "theta_offset": meta.theta_offset},
                            name=f"{node.name}.sgd"))

    masks: dict[int, str] = {}
    for i, node in enumerate(graph.nodes[:fwd_end]):
        if node.op in META_OPS:
            g.nodes.append(Node(f"{node.op}_train", list(node.inputs), list(node.outputs), dict(node.attrs),
                                name=node.name))
            if paper and i != first_meta:  # its regulariser is all it learns from: step now, keep nothing
                meta_backward(node, None, None)
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

    real_logits = logits
    if g.tensors[logits].dtype == "int8":  # int8 frozen parts: the entropy of the real logits
        real_logits = new(f"{logits}_real", g.tensors[logits].shape)
        g.nodes.append(Node("dequantize_s8", [logits], [real_logits],
                            qdq_attrs(g, logits, g.tensors[logits].quant), name="loss.logits"))
    g.nodes.append(Node("ecotta_entropy", [real_logits], [grad_of(logits)], {"threshold": eco.threshold},
                        name="loss.entropy"))
    for i in range(fwd_end - 1, first_meta - 1, -1):
        node = graph.nodes[i]
        dy = grad_of(node.outputs[0])
        if node.op in META_OPS:
            meta_backward(node, dy, grad_of(node.inputs[0]) if i > first_meta else None)
            continue
        if node.op in PASS_THROUGH_OPS:  # the straight-through estimator: the same gradient buffer
            grads[node.inputs[0]] = dy
            continue
        op, weights, extra = node.op, node.inputs[1:2], {}
        if node.op == "conv2d_s8":  # in float, on the real weights (module docstring), a flash copy
            op, extra = "conv2d", {"real_weights": real_weights(graph, node)}
        elif node.op in ("mean", "global_avg_pool_s8"):
            op, weights = "mean", []
        ins = [dy] + ([masks[i]] if i in masks else []) + weights
        g.nodes.append(Node(f"{op}_backward_input", ins, [grad_of(node.inputs[0])],
                            dict(node.attrs, forward_input=node.inputs[0], masked=i in masks,
                                 groups=node.attrs.get("groups", 1), **extra),
                            name=f"{node.name}.backward"))
    g.remove_unused_tensors()
    return g
