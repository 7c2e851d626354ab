"""The TENT-style baseline EcoTTA is compared with (benchmarks/ecotta_digits.py): the same frozen CNN adapting the
affine parameters of a BatchNorm after every convolution by full back-propagation (Wang et al., ICLR 2021), one
sample at a time with the same small-batch scheme as edgec's meta-networks (per-sample running estimates).

  - TentReference: the adaptation itself, in numpy (float64), written from the ONNX model (BatchNorm folded into
    the convolutions: each conv's output gets a BatchNorm on running estimates, warmed up to the identity on source
    data: estimates = the source mean / variance of that conv's output, gamma = sqrt(var + eps), beta = mean).
  - tent_step_graph / tent_ram: its RAM, counted the way edgec counts EcoTTA's: the step written as a graph over
    the inference graph's tensors (forward keeping each BatchNorm's input, the only thing its backward needs:
    ReLU masks and normalised values are recomputed from it; loss; backward through every layer; each layer's
    gradients applied at once) and planned by edgec's own planner; its growth over the inference arena plus the
    static state (affine parameters, running estimates, loss). Not generated as C: the figure is what edgec's plan
    of that step needs, as adaptation_bytes is for EcoTTA's.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "compiler"))

from ecotta_numpy import col2im, conv_attrs, im2col  # noqa: E402


class TentReference:
    """conv (folded BN) -> BatchNorm(running estimates, gamma, beta) -> ReLU, ..., GAP, FC (the digits CNN's
    shape: Conv / Relu pairs, GlobalAveragePool, Flatten, Gemm, Softmax)."""

    def __init__(self, model: onnx.ModelProto, source_x: np.ndarray, lr: float, momentum: float,
                 eps: float = 1e-5):
        self.nodes = [n for n in model.graph.node if n.op_type != "Softmax"]
        self.consts = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
        self.convs = [n for n in self.nodes if n.op_type == "Conv"]
        self.lr, self.momentum, self.eps = lr, momentum, eps
        # source statistics of every conv's output, batched over the source set
        sums = [0.0] * len(self.convs)
        squares = [0.0] * len(self.convs)
        for x in source_x:
            for k, z in enumerate(self.forward(x, None)[1]["z"]):
                sums[k] = sums[k] + z.mean(axis=1)
                squares[k] = squares[k] + (z ** 2).mean(axis=1)
        mean = [s / len(source_x) for s in sums]
        var = [q / len(source_x) - m ** 2 for q, m in zip(squares, mean)]
        self.deployed = ([np.sqrt(v + eps) for v in var], list(mean), mean, var)
        self.reset()

    def reset(self) -> None:
        gamma, beta, mean, var = self.deployed
        self.gamma, self.beta = [g.copy() for g in gamma], [b.copy() for b in beta]
        self.mean, self.var = [m.copy() for m in mean], [v.copy() for v in var]

    @property
    def parameters(self) -> int:
        return sum(2 * len(g) for g in self.gamma)

    def forward(self, x, train: bool | None):
        """train None: no BatchNorm (the frozen network, for the source statistics); False: inference; True: the
        running estimates take this sample first. Returns (logits, tape)."""
        a = np.asarray(x, np.float64).reshape(self.consts[self.convs[0].input[1]].shape[1], *np.shape(x)[-2:])
        tape = {"z": [], "n": [], "b": [], "in": [], "inv_std": []}
        k = 0
        for node in self.nodes:
            op = node.op_type
            if op == "Conv":
                at = conv_attrs(node)
                w = self.consts[node.input[1]]
                cols, oh, ow = im2col(a, w.shape[2], w.shape[3], at["strides"], at["pads"])
                tape["in"].append(a.shape)
                z = w.reshape(w.shape[0], -1) @ cols + self.consts[node.input[2]][:, None]  # [C, pixels]
                tape["z"].append(z)
                if train is None:
                    a = z.reshape(w.shape[0], oh, ow)
                    continue
                if train:
                    m = self.momentum
                    self.mean[k] = (1 - m) * self.mean[k] + m * z.mean(axis=1)
                    self.var[k] = (1 - m) * self.var[k] + m * z.var(axis=1)
                inv_std = 1.0 / np.sqrt(self.var[k] + self.eps)
                n = (z - self.mean[k][:, None]) * inv_std[:, None]
                b = self.gamma[k][:, None] * n + self.beta[k][:, None]
                tape["n"].append(n), tape["b"].append(b), tape["inv_std"].append(inv_std)
                a = b.reshape(w.shape[0], oh, ow)
                k += 1
            elif op == "Relu":
                a = np.maximum(a, 0.0)
            elif op == "GlobalAveragePool":
                tape["gap"] = a.shape
                a = a.mean(axis=(1, 2))
            elif op == "Flatten":
                a = a.reshape(-1)
            elif op == "Gemm":
                a = self.consts[node.input[1]] @ a + self.consts[node.input[2]]
            else:
                raise NotImplementedError(op)
        return a, tape

    def predict(self, x) -> int:
        return int(np.argmax(self.forward(x, False)[0]))

    def step(self, x) -> float:
        """One TENT step: entropy of the softmax (every sample, as TENT), back-propagated through the whole network
        to every BatchNorm's gamma and beta (the running estimates constants of the step, as for EcoTTA), SGD."""
        logits, tape = self.forward(x, True)
        z = logits - logits.max()
        log_p = z - np.log(np.exp(z).sum())
        p = np.exp(log_p)
        h = -(p * log_p).sum()
        g = -p * (log_p + h)  # dH / dlogits
        fc = next(n for n in self.nodes if n.op_type == "Gemm")
        g = self.consts[fc.input[1]].T @ g
        c, hh, ww = tape["gap"]
        da = np.broadcast_to((g / (hh * ww))[:, None], (c, hh * ww))
        for k in range(len(self.convs) - 1, -1, -1):
            db = da * (tape["b"][k] > 0)
            g_gamma, g_beta = (db * tape["n"][k]).sum(axis=1), db.sum(axis=1)
            dz = db * (self.gamma[k] * tape["inv_std"][k])[:, None]
            self.gamma[k] = self.gamma[k] - self.lr * g_gamma
            self.beta[k] = self.beta[k] - self.lr * g_beta
            if k == 0:
                break
            node = self.convs[k]
            at = conv_attrs(node)
            w = self.consts[node.input[1]]
            shape = tape["in"][k]
            oh, ow = self.out_hw(shape, w, at)
            dcols = w.reshape(w.shape[0], -1).T @ dz
            da = col2im(dcols, shape, w.shape[2], w.shape[3], at["strides"], at["pads"], oh, ow).reshape(shape[0], -1)
        return float(h)

    @staticmethod
    def out_hw(shape, w, at) -> tuple[int, int]:
        _, h, wd = shape
        p, s = at["pads"], at["strides"]
        return (h + p[0] + p[2] - w.shape[2]) // s[0] + 1, (wd + p[1] + p[3] - w.shape[3]) // s[1] + 1


def stream_accuracy(ref: TentReference, x: np.ndarray, y: np.ndarray, adapt: bool) -> float:
    """As the generated code's harness: reset, then per sample a step (if adapting) and a prediction."""
    ref.reset()
    hits = 0
    for xi, yi in zip(x, y):
        if adapt:
            ref.step(xi)
        hits += ref.predict(xi) == yi
    return hits / len(x)


# ---- its RAM, planned by edgec's planner ----

def tent_step_graph(graph):
    """The TENT-style step over edgec's inference graph (a chain of float NHWC convs with fused ReLUs, a global
    mean, a matmul, softmax): each conv writes its raw output z_k, a BatchNorm node z_k -> the conv's old output
    (ReLU fused), kept z_k until its backward; entropy; backward through matmul and mean; per layer from the top:
    BatchNorm backward (gamma / beta gradients, and dz_k below the first layer) with its SGD at once, then the
    conv's input gradient (weights only)."""
    from edgec.ir import Graph, Node, Tensor

    g = Graph(dict(graph.tensors), [], list(graph.inputs), [])

    def new(base, shape, alias_of=None) -> str:
        name = g.fresh_name(base)
        g.add_tensor(Tensor(name, tuple(int(d) for d in shape), "float32", alias_of=alias_of))
        return name

    body = [n for n in graph.nodes if n.op != "softmax"]
    convs = [n for n in body if n.op == "conv2d"]
    z = {}
    for node in body:
        if node.op == "conv2d":
            out = node.outputs[0]
            z[out] = new(f"{out}_z", g.tensors[out].shape)
            g.nodes.append(Node("conv2d", list(node.inputs), [z[out]], dict(node.attrs, act=(-math.inf, math.inf)),
                                name=node.name))
            g.nodes.append(Node("tent_bn_train", [z[out]], [out], {"act": node.attrs.get("act")},
                                name=f"{node.name}.bn"))
        else:
            g.nodes.append(node)
    grads = {}

    def grad_of(t: str) -> str:
        if t not in grads:
            root = g.tensors[t].alias_of
            grads[t] = new(f"d_{t}", g.tensors[t].shape, alias_of=grad_of(root) if root else None)
        return grads[t]

    logits = body[-1].outputs[0]
    g.nodes.append(Node("tent_entropy", [logits], [grad_of(logits)], {}, name="loss.entropy"))
    for node in reversed(body):
        dy = grad_of(node.outputs[0])
        if node.op == "conv2d":
            c = g.tensors[node.outputs[0]].shape[-1]
            g_ab = new(f"{node.name}_dgamma_beta", (2 * c,))
            first = node is convs[0]
            outs = [g_ab] + ([] if first else [new(f"d_{z[node.outputs[0]]}", g.tensors[z[node.outputs[0]]].shape)])
            g.nodes.append(Node("tent_bn_backward", [z[node.outputs[0]], dy], outs, {},
                                name=f"{node.name}.bn.backward"))
            g.nodes.append(Node("tent_sgd", [g_ab], [], {}, name=f"{node.name}.bn.sgd"))
            if first:
                break
            g.nodes.append(Node("conv2d_backward_input", [outs[1], node.inputs[1]], [grad_of(node.inputs[0])],
                                dict(node.attrs), name=f"{node.name}.backward"))
        elif node.op == "matmul":
            g.nodes.append(Node("matmul_backward_input", [dy, node.inputs[1]], [grad_of(node.inputs[0])], {},
                                name=f"{node.name}.backward"))
        elif node.op == "mean":
            g.nodes.append(Node("mean_backward_input", [dy], [grad_of(node.inputs[0])], {},
                                name=f"{node.name}.backward"))
        else:
            raise NotImplementedError(f"tent_step_graph: {node.op}")
    g.remove_unused_tensors()
    return g


def tent_ram(graph, inference_arena: int, planner: str = "best") -> dict:
    """The TENT-style step's RAM beyond the inference arena, as edgec counts adaptation_bytes: the planned step's
    growth over the inference arena plus the static state (gamma, beta, mean, var per BatchNorm; the loss)."""
    from edgec.memory.plan import plan_memory

    step = tent_step_graph(graph)
    plan = plan_memory(step, planner, depthwise="never")
    channels = sum(graph.tensors[n.outputs[0]].shape[-1] for n in graph.nodes if n.op == "conv2d")
    state = 4 * (4 * channels + 1)
    kept = sum(step.tensors[n.inputs[0]].nbytes for n in step.nodes if n.op == "tent_bn_train")
    growth = max(plan.arena_bytes - inference_arena, 0)
    return {"step_arena_bytes": plan.arena_bytes, "growth_bytes": growth, "state_bytes": state,
            "kept_bytes": kept, "total": growth + state}
