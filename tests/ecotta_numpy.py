"""A numpy reference of one EcoTTA adaptation step (compiler/edgec/passes/ecotta.py), written from the ONNX model
itself, NCHW, in float64: convolutions through im2col, the backward pass by hand. It shares nothing with the
generated C but the definitions (docs/DESIGN.md, "On-device adaptation"); tests/test_ecotta.py checks the C
against it, and benchmarks/ecotta_autograd_check.py checks it against PyTorch autograd.

ONNX operators it knows: Conv (no groups), Relu, GlobalAveragePool, Flatten, Gemm (transB=1), Softmax, and
QuantizeLinear / DequantizeLinear (int8, a QDQ model: the int8 frozen parts; ties to even). In a QDQ model a
meta-network sits on a QuantizeLinear output: it reads it dequantised and its output is quantised back with the same
scale and zero point; the backward pass crosses QuantizeLinear / DequantizeLinear unchanged (straight-through),
masked where a Conv's or Gemm's int8 output sits at -128 or 127 (its clamp; the ReLU folded into the zero point).
Meta-network k sits on the ONNX tensor `points[k]` (a Relu or Conv output). theta / stats: the layout of
report.json's "ecotta" (per meta-network gamma[C], beta[C], W[C, C / groups] (block-diagonal); mean[C], var[C]).
block="paper": the official EcoTTA sample code's meta-network, y = BN(x) + ReLU(BN'(conv(u))), u the input of the
frozen conv at the point, conv of its geometry with `groups` groups (weights OHWI per group); theta gamma, beta,
W, gamma', beta'; stats mean, var, mean', var'. Each part's input is detached (as in that code): the entropy's
gradient reaches the last meta-network only, through the layers after it."""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import numpy_helper


def conv_attrs(node) -> dict:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("the reference takes plain convolutions only")
    return {"strides": list(a.get("strides", [1, 1])), "pads": list(a.get("pads", [0, 0, 0, 0]))}


def im2col(x: np.ndarray, kh: int, kw: int, strides, pads) -> tuple[np.ndarray, int, int]:
    """x [C, H, W] -> columns [C * kh * kw, OH * OW] (row: c, ky, kx)."""
    c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - kh) // strides[0] + 1
    ow = (w + pads[1] + pads[3] - kw) // strides[1] + 1
    cols = np.empty((c, kh, kw, oh, ow))
    for ky in range(kh):
        for kx in range(kw):
            cols[:, ky, kx] = xp[:, ky:ky + strides[0] * oh:strides[0], kx:kx + strides[1] * ow:strides[1]]
    return cols.reshape(c * kh * kw, oh * ow), oh, ow


def col2im(cols: np.ndarray, shape, kh: int, kw: int, strides, pads, oh: int, ow: int) -> np.ndarray:
    c, h, w = shape
    cols = cols.reshape(c, kh, kw, oh, ow)
    xp = np.zeros((c, h + pads[0] + pads[2], w + pads[1] + pads[3]))
    for ky in range(kh):
        for kx in range(kw):
            xp[:, ky:ky + strides[0] * oh:strides[0], kx:kx + strides[1] * ow:strides[1]] += cols[:, ky, kx]
    return xp[:, pads[0]:pads[0] + h, pads[1]:pads[1] + w]


def quantize(x, scale, zero_point) -> np.ndarray:
    """QuantizeLinear to int8, per tensor: round half to even, saturate (the values as float64)."""
    return np.clip(np.round(x / scale) + zero_point, -128, 127)


def dequantize(node, ins) -> np.ndarray:
    """DequantizeLinear, per tensor or per channel along its axis."""
    q, scale, zero = ins[0], np.asarray(ins[1]), np.asarray(ins[2]) if len(ins) > 2 else 0.0
    if scale.size > 1:
        axis = {a.name: a.i for a in node.attribute}.get("axis", 1)
        shape = [1] * q.ndim
        shape[axis] = -1
        scale, zero = scale.reshape(shape), np.asarray(zero).reshape(shape) if np.size(zero) > 1 else zero
    return (q - zero) * scale


class EcottaReference:
    def __init__(self, model: onnx.ModelProto, points: list[str], theta, stats, lr: float, reg_weight: float,
                 momentum: float, eps: float = 1e-5, entropy_margin: float = 0.4, groups: int = 1,
                 block: str = "residual"):
        self.nodes = list(model.graph.node)
        self.consts = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
        for node in model.graph.node:  # a QDQ model's weights and biases: dequantised once
            if node.op_type == "DequantizeLinear" and all(i in self.consts for i in node.input):
                self.consts[node.output[0]] = dequantize(node, [self.consts[i] for i in node.input])
        self.input = model.graph.input[0].name
        self.input_shape = tuple(d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim)
        self.points = list(points)
        self.theta = np.asarray(theta, np.float64).copy()
        self.stats = np.asarray(stats, np.float64).copy()
        self.lr, self.reg_weight, self.momentum, self.eps = lr, reg_weight, momentum, eps
        self.entropy_margin = entropy_margin
        self.groups = groups
        self.block = block
        self.producer = {n.output[0]: n for n in self.nodes}
        self.layout = []  # (theta offset, stats offset, channels) per point, filled on the first forward
        self.softmax_at = next((i for i, n in enumerate(self.nodes) if n.op_type == "Softmax"), None)
        self.ends_in_softmax = self.softmax_at is not None
        self.logits = self.nodes[self.softmax_at].input[0] if self.ends_in_softmax else self.nodes[-1].output[0]

    def block_diagonal(self, w_flat: np.ndarray, c: int) -> np.ndarray:
        """The grouped 1x1 conv's weights [C, C / groups] as the full [C, C] matrix (zero across groups)."""
        g = c // self.groups
        w = np.zeros((c, c))
        for co in range(c):
            first = (co // g) * g
            w[co, first:first + g] = w_flat[co * g:(co + 1) * g]
        return w

    def block_entries(self, w_full: np.ndarray) -> np.ndarray:
        """The inverse: the in-group entries of a [C, C] matrix, flat in theta's layout."""
        c = w_full.shape[0]
        g = c // self.groups
        return np.concatenate([w_full[co, (co // g) * g:(co // g) * g + g] for co in range(c)])

    # ---- the paper's block: the conv block on u [1, Cin, H, W] ----
    def point_conv(self, name: str):
        node = self.producer[name]
        while node.op_type in ("Relu", "QuantizeLinear"):
            node = self.producer[node.input[0]]
        return node

    def conv_block_geometry(self, k: int, cin: int):
        w = self.consts[self.point_conv(self.points[k]).input[1]]
        return w.shape[2], w.shape[3], conv_attrs(self.point_conv(self.points[k]))

    def paper_weights(self, k: int, cin: int) -> np.ndarray:
        """W of theta (OHWI per group, flat) as a full OIHW array, zero across groups."""
        t0, _, c = self.layout[k]
        kh, kw, _ = self.conv_block_geometry(k, cin)
        gi, go = cin // self.groups, c // self.groups
        flat = self.theta[t0 + 2 * c:t0 + 2 * c + c * kh * kw * gi].reshape(c, kh, kw, gi)
        full = np.zeros((c, cin, kh, kw))
        for co in range(c):
            first = (co // go) * gi
            full[co, first:first + gi] = flat[co].transpose(2, 0, 1)
        return full

    def paper_parts(self, k: int, X: np.ndarray, U: np.ndarray, train: bool = False):
        t0, s0, c = self.layout[k]
        cin = U.shape[1]
        kh, kw, a = self.conv_block_geometry(k, cin)
        nw = c * kh * kw * cin // self.groups
        w = self.paper_weights(k, cin)
        cols, _, _ = im2col(U[0], kh, kw, a["strides"], a["pads"])
        A = (w.reshape(c, -1) @ cols).T  # [P, C]
        if train:
            m = self.momentum
            st = self.stats[s0:s0 + 4 * c].reshape(4, c)
            st[0] = (1 - m) * st[0] + m * X.mean(axis=0)
            st[1] = (1 - m) * st[1] + m * X.var(axis=0)
            st[2] = (1 - m) * st[2] + m * A.mean(axis=0)
            st[3] = (1 - m) * st[3] + m * A.var(axis=0)
            self.stats[s0:s0 + 4 * c] = st.reshape(-1)
        st = self.stats[s0:s0 + 4 * c].reshape(4, c)
        gamma, beta = self.theta[t0:t0 + c], self.theta[t0 + c:t0 + 2 * c]
        gamma2, beta2 = self.theta[t0 + 2 * c + nw:t0 + 3 * c + nw], self.theta[t0 + 3 * c + nw:t0 + 4 * c + nw]
        inv, inv2 = 1.0 / np.sqrt(st[1] + self.eps), 1.0 / np.sqrt(st[3] + self.eps)
        n, n2 = (X - st[0]) * inv, (A - st[2]) * inv2
        z = gamma2 * n2 + beta2
        y = gamma * n + beta + np.maximum(z, 0.0)
        return dict(cols=cols, n=n, n2=n2, z=z, inv2=inv2, gamma2=gamma2, nw=nw, kh=kh, kw=kw, cin=cin, y=y)

    def paper_backward(self, k: int, X: np.ndarray, U: np.ndarray, dY: np.ndarray, g_theta: np.ndarray) -> float:
        """Gradients of meta-network k into g_theta from dY [P, C] (dLoss/dy) and its regulariser; returns the
        regulariser's loss."""
        t0, _, c = self.layout[k]
        q = self.paper_parts(k, X, U)
        scale = self.reg_weight / X.size
        gy = dY + scale * np.sign(q["y"] - X)
        gz = gy * (q["z"] > 0)
        nw = q["nw"]
        g_theta[t0:t0 + c] = (gy * q["n"]).sum(axis=0)
        g_theta[t0 + c:t0 + 2 * c] = gy.sum(axis=0)
        g_theta[t0 + 2 * c + nw:t0 + 3 * c + nw] = (gz * q["n2"]).sum(axis=0)
        g_theta[t0 + 3 * c + nw:t0 + 4 * c + nw] = gz.sum(axis=0)
        gA = gz * q["gamma2"] * q["inv2"]
        gw = (gA.T @ q["cols"].T).reshape(c, q["cin"], q["kh"], q["kw"])
        gi, go = q["cin"] // self.groups, c // self.groups
        g_theta[t0 + 2 * c:t0 + 2 * c + nw] = np.concatenate(
            [gw[co, (co // go) * gi:(co // go) * gi + gi].transpose(1, 2, 0).reshape(-1) for co in range(c)])
        return float(scale * np.abs(q["y"] - X).sum())

    # ---- meta-network, on pixel rows X [P, C] ----
    def meta_parts(self, k: int, X: np.ndarray):
        t0, s0, c = self.layout[k]
        gamma, beta = self.theta[t0:t0 + c], self.theta[t0 + c:t0 + 2 * c]
        w = self.block_diagonal(self.theta[t0 + 2 * c:t0 + 2 * c + c * c // self.groups], c)
        mean, var = self.stats[s0:s0 + c], self.stats[s0 + c:s0 + 2 * c]
        inv_std = 1.0 / np.sqrt(var + self.eps)
        n = (X - mean) * inv_std
        b = gamma * n + beta
        r = np.maximum(b, 0.0)
        return gamma, w, inv_std, n, b, r, b + r @ w.T

    def forward(self, x: np.ndarray, train: bool):
        """Returns (logits, tape): the tape holds what the backward pass reads."""
        vals = {self.input: np.asarray(x, np.float64).reshape(self.input_shape)}
        tape = {"meta_x": {}, "pre_meta": {}}
        t_off = s_off = 0
        for node in self.nodes[:self.softmax_at]:
            if node.output[0] in self.consts:
                continue
            ins = [vals[i] if i in vals else self.consts[i] for i in node.input]
            op = node.op_type
            if op == "Conv":
                a = conv_attrs(node)
                w = ins[1]
                cols, oh, ow = im2col(ins[0][0], w.shape[2], w.shape[3], a["strides"], a["pads"])
                y = w.reshape(w.shape[0], -1) @ cols + (ins[2][:, None] if len(ins) > 2 else 0.0)
                out = y.reshape(1, w.shape[0], oh, ow)
            elif op == "Relu":
                out = np.maximum(ins[0], 0.0)
            elif op == "GlobalAveragePool":
                out = ins[0].mean(axis=(2, 3), keepdims=True)
            elif op == "Flatten":
                out = ins[0].reshape(1, -1)
            elif op == "Gemm":
                out = ins[0] @ ins[1].T + ins[2]
            elif op == "QuantizeLinear":
                out = quantize(ins[0], ins[1], ins[2])
            elif op == "DequantizeLinear":
                out = dequantize(node, ins)
            else:
                raise NotImplementedError(op)
            name = node.output[0]
            if name in self.points:
                k = self.points.index(name)
                c = out.shape[1]
                if len(self.layout) <= k:
                    self.layout.append((t_off, s_off, c))
                if op == "QuantizeLinear":  # int8: the meta-network between a dequantise and a quantise
                    q_scale, q_zero = ins[1], ins[2]
                    tape["pre_meta"][name] = out
                    out = (out - q_zero) * q_scale
                X = out[0].reshape(c, -1).T  # pixels in (h, w) order, as NHWC
                if self.block == "paper":
                    U = vals[self.point_conv(name).input[0]]
                    kh, kw, _ = self.conv_block_geometry(k, U.shape[1])
                    t_off += 4 * c + c * kh * kw * U.shape[1] // self.groups
                    s_off += 4 * c
                    tape["meta_x"][k] = (X, U)
                    tape["pre_meta"].setdefault(name, out)
                    y = self.paper_parts(k, X, U, train)["y"].T.reshape(out.shape)
                    vals[name] = quantize(y, q_scale, q_zero) if op == "QuantizeLinear" else y
                    continue
                t_off += 2 * c + c * c // self.groups
                s_off += 2 * c
                if train:
                    _, s0, _ = self.layout[k]
                    m = self.momentum
                    self.stats[s0:s0 + c] = (1 - m) * self.stats[s0:s0 + c] + m * X.mean(axis=0)
                    self.stats[s0 + c:s0 + 2 * c] = (1 - m) * self.stats[s0 + c:s0 + 2 * c] + m * X.var(axis=0)
                tape["meta_x"][k] = X
                tape["pre_meta"].setdefault(name, out)
                y = self.meta_parts(k, X)[-1]
                out = y.T.reshape(out.shape)
                if op == "QuantizeLinear":
                    out = quantize(out, q_scale, q_zero)
            vals[name] = out
        tape["vals"] = vals
        logits = vals[self.logits].reshape(-1)
        return logits, tape

    def infer(self, x) -> np.ndarray:
        """The model's output: the softmax, and in a QDQ model its quantisation after it."""
        logits, tape = self.forward(x, train=False)
        if not self.ends_in_softmax:
            return logits
        e = np.exp(logits - logits.max())
        out = e / e.sum()
        for node in self.nodes[self.softmax_at + 1:]:
            ins = [self.consts[i] for i in node.input[1:]]
            out = quantize(out, *ins) if node.op_type == "QuantizeLinear" else dequantize(node, [out, *ins])
        return out

    def step(self, x) -> dict:
        """One adaptation step; returns loss, gradients (theta layout), whether the sample was confident."""
        logits, tape = self.forward(x, train=True)
        vals = tape["vals"]
        z = logits - logits.max()
        log_p = z - np.log(np.exp(z).sum())
        p = np.exp(log_p)
        h = -(p * log_p).sum()
        confident = h < self.entropy_margin * math.log(len(logits))
        loss = h if confident else 0.0
        grads = {self.logits: (-p * (log_p + h) if confident else np.zeros_like(p)).reshape(1, -1)}
        g_theta = np.zeros_like(self.theta)
        at = [i for i, n in enumerate(self.nodes) if n.output[0] in self.points]
        first_point = at[-1] if self.block == "paper" else at[0]
        body = self.nodes[:self.softmax_at]
        for i in range(len(body) - 1, first_point - 1, -1):
            node = body[i]
            name = node.output[0]
            dy = grads.pop(name)
            if self.block == "paper" and name in self.points:  # the last; the others learn from their regulariser
                last = self.points.index(name)
                for k in range(len(self.points)):
                    X, U = tape["meta_x"][k]
                    c = X.shape[1]
                    dY = dy[0].reshape(c, -1).T if k == last else np.zeros_like(X)
                    loss += self.paper_backward(k, X, U, dY, g_theta)
                break
            if name in self.points:  # meta-network backward first: dy is dLoss/dy_k
                k = self.points.index(name)
                t0, _, c = self.layout[k]
                X = tape["meta_x"][k]
                gamma, w, inv_std, n, b, r, y = self.meta_parts(k, X)
                scale = self.reg_weight / X.size
                loss += scale * np.abs(y - X).sum()
                gy = dy[0].reshape(c, -1).T + scale * np.sign(y - X)
                gr = gy @ w
                gb = gy + gr * (b > 0)
                g_theta[t0:t0 + c] = (gb * n).sum(axis=0)
                g_theta[t0 + c:t0 + 2 * c] = gb.sum(axis=0)
                g_theta[t0 + 2 * c:t0 + 2 * c + c * c // self.groups] = self.block_entries(gy.T @ r)
                dy = (gb * gamma * inv_std).T.reshape(dy.shape)
                if i == first_point:
                    break
            src = node.input[0]
            op = node.op_type
            if op == "Relu":
                dx = dy * (tape["pre_meta"].get(name, vals[name]) > 0)
            elif op == "Conv":
                a = conv_attrs(node)
                w = self.consts[node.input[1]]
                x_in = vals[src][0]
                _, oh, ow = dy.shape[1:]
                dcols = w.reshape(w.shape[0], -1).T @ dy[0].reshape(w.shape[0], -1)
                dx = col2im(dcols, x_in.shape, w.shape[2], w.shape[3], a["strides"], a["pads"], oh, ow)[None]
            elif op == "GlobalAveragePool":
                hw = vals[src].shape[2] * vals[src].shape[3]
                dx = np.broadcast_to(dy / hw, vals[src].shape).copy()
            elif op == "Flatten":
                dx = dy.reshape(vals[src].shape)
            elif op == "Gemm":
                dx = dy @ self.consts[node.input[1]]
            elif op == "QuantizeLinear":  # straight-through, masked at a conv's or gemm's int8 bounds
                q = tape["pre_meta"].get(name, vals[name])
                clamped = self.producer[src].op_type in ("Conv", "Gemm")
                dx = dy * ((q > -128) & (q < 127)) if clamped else dy
            elif op == "DequantizeLinear":
                dx = dy
            else:
                raise NotImplementedError(op)
            grads[src] = dx
        self.theta -= self.lr * g_theta
        return {"loss": float(loss), "grad": g_theta, "confident": bool(confident), "entropy": float(h)}
