"""The EcoTTA demo model: a small CNN on scikit-learn's digits (8x8 grey images), its corrupted test sets, and the
meta-networks' warm-up on source data. Needs the `train` extra (torch) and scikit-learn; its outputs are committed:

  model_zoo/data/digits/digits_{train,test}_{x,y}.npy   the split (x: uint8 0..16, [N, 8, 8]; y: int64)
  model_zoo/models/ecotta_digits.onnx                   the CNN, BatchNorm folded (float, NCHW input [1, 1, 8, 8])
  model_zoo/models/ecotta_digits_meta.npy               the warmed-up meta-networks (edgec --ecotta-init)

    python3 model_zoo/ecotta_digits.py

Warm-up, this slice: the meta-networks' running estimates are the source (training) data's per-channel mean and
variance at each partition point, and gamma = sqrt(var + eps), beta = mean, W = 0, so that each meta-network is
the identity on source data. The paper's block (--ecotta-block paper) cannot start at W = 0 (its conv block's
ReLU would pass no gradient): W is He-initialised (fixed seed), its BatchNorm carries the source statistics of
conv(u) with gamma' = 0.1, beta' = 0, and beta subtracts the source mean of that branch, so that the meta-network
is the identity on source data on average. (The paper also trains the meta-networks on source data with the
regulariser; a supervised warm-up is future work.) benchmarks/ecotta_digits.py then adapts with the generated C.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).parent
DATA = HERE / "data" / "digits"
MODEL = HERE / "models" / "ecotta_digits.onnx"
META = HERE / "models" / "ecotta_digits_meta.npy"
CHANNELS = [16, 16, 16, 16]
STRIDES = [1, 2, 1, 2]
POINTS = ["conv3", "conv4"]  # where edgec --ecotta 2 puts the meta-networks (the smallest conv outputs)
EPS = 1e-5


def split(seed: int = 0):
    """scikit-learn's digits, 80 / 20, stratified, fixed seed."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.images.astype(np.uint8)  # 0..16
    return train_test_split(x, digits.target.astype(np.int64), test_size=0.2, random_state=seed,
                            stratify=digits.target)


def as_input(x_uint8: np.ndarray) -> np.ndarray:
    """uint8 0..16 [N, 8, 8] -> the model's float input [N, 1, 8, 8] in [0, 1]."""
    return (x_uint8.astype(np.float32) / 16.0)[:, None]


def build_torch():
    import torch.nn as nn

    layers, cin = [], 1
    for c, s in zip(CHANNELS, STRIDES):
        layers += [nn.Conv2d(cin, c, 3, stride=s, padding=1), nn.BatchNorm2d(c), nn.ReLU()]
        cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))


def train(net, x, y, epochs: int = 60, seed: int = 0):
    import torch

    torch.manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(as_input(x)), torch.from_numpy(y)
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    net.eval()
    return net


def folded(net) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weights, bias) of each conv with its BatchNorm folded in, then the linear layer's."""
    mods = list(net)
    out = []
    for i in range(0, 3 * len(CHANNELS), 3):
        conv, bn = mods[i], mods[i + 1]
        scale = (bn.weight / (bn.running_var + bn.eps).sqrt()).detach().numpy()
        w = conv.weight.detach().numpy() * scale[:, None, None, None]
        b = (conv.bias.detach().numpy() - bn.running_mean.detach().numpy()) * scale + bn.bias.detach().numpy()
        out.append((w.astype(np.float32), b.astype(np.float32)))
    fc = mods[-1]
    out.append((fc.weight.detach().numpy().astype(np.float32), fc.bias.detach().numpy().astype(np.float32)))
    return out


def to_onnx(params) -> onnx.ModelProto:
    inits, nodes, prev = [], [], "input"
    for k, ((w, b), s) in enumerate(zip(params[:-1], STRIDES), start=1):
        inits += [numpy_helper.from_array(w, f"conv{k}.w"), numpy_helper.from_array(b, f"conv{k}.b")]
        nodes += [helper.make_node("Conv", [prev, f"conv{k}.w", f"conv{k}.b"], [f"c{k}"], name=f"conv{k}",
                                   pads=[1, 1, 1, 1], strides=[s, s]),
                  helper.make_node("Relu", [f"c{k}"], [f"r{k}"], name=f"relu{k}")]
        prev = f"r{k}"
    w, b = params[-1]
    inits += [numpy_helper.from_array(w, "fc.w"), numpy_helper.from_array(b, "fc.b")]
    nodes += [helper.make_node("GlobalAveragePool", [prev], ["g"], name="gap"),
              helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
              helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
              helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1)]
    graph = helper.make_graph(nodes, "ecotta_digits",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgec model_zoo")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def point_activations(model: onnx.ModelProto, x: np.ndarray, points=POINTS) -> list[np.ndarray]:
    """The outputs of the ReLUs after `points` on the samples, [N, C, H, W] each (onnxruntime)."""
    import onnxruntime as ort

    m = onnx.ModelProto()
    m.CopyFrom(model)
    names = [f"r{p[-1]}" for p in points]
    for n in names:
        m.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = [sess.run(names, {"input": s[None]}) for s in x]
    return [np.concatenate([o[i] for o in outs]) for i in range(len(names))]


def conv3x3(u: np.ndarray, w: np.ndarray, stride: int, groups: int) -> np.ndarray:
    """u [N, Cin, H, W], w [C, 3, 3, Cin / groups] (OHWI per group), padding 1, no bias -> [N, C, H', W']."""
    n, cin, h, wd = u.shape
    c, gi, go = w.shape[0], cin // groups, w.shape[0] // groups
    up = np.pad(u, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = (h - 1) // stride + 1, (wd - 1) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for co in range(c):
        first = (co // go) * gi
        for ky in range(3):
            for kx in range(3):
                window = up[:, first:first + gi, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride]
                out[:, co] += np.einsum("nchw,c->nhw", window, w[co, ky, kx])
    return out


def warm_up_paper(model: onnx.ModelProto, x_train: np.ndarray, points=POINTS, groups: int = 1) -> np.ndarray:
    """The paper block's warm-up (module docstring): theta then stats in the --ecotta-init layout."""
    rng = np.random.default_rng(0)
    idx = [int(p[-1]) for p in points]
    names = sorted({f"r{i - 1}" for i in idx} | {f"r{i}" for i in idx})
    acts = dict(zip(names, point_activations(model, as_input(x_train), [f"conv{n[1:]}" for n in names])))
    theta, stats, prev = [], [], {}
    for i in idx:
        x, u = acts[f"r{i}"], prev.get(i - 1, acts[f"r{i - 1}"])  # u: the previous meta-network's output
        c, cin = x.shape[1], u.shape[1]
        w = rng.normal(0.0, np.sqrt(2.0 / (9 * cin // groups)), (c, 3, 3, cin // groups))
        a = conv3x3(u, w, STRIDES[i - 1], groups)
        a_mean, a_var = a.mean(axis=(0, 2, 3)), a.var(axis=(0, 2, 3))
        r = np.maximum(0.1 * (a - a_mean[:, None, None]) / np.sqrt(a_var + EPS)[:, None, None], 0.0)
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        r_mean = r.mean(axis=(0, 2, 3))
        theta += [np.sqrt(var + EPS), mean - r_mean, w.reshape(-1), np.full(c, 0.1), np.zeros(c)]
        stats += [mean, var, a_mean, a_var]
        prev[i] = x + r - r_mean[:, None, None]
    return np.concatenate(theta + stats).astype(np.float32)


def warm_up(model: onnx.ModelProto, x_train: np.ndarray, points=POINTS, groups: int = 1,
            block: str = "residual") -> np.ndarray:
    """theta then stats (the --ecotta-init layout, --ecotta-groups `groups`): identity meta-networks carrying
    the source statistics."""
    if block == "paper":
        return warm_up_paper(model, x_train, points, groups)
    theta, stats = [], []
    for act in point_activations(model, as_input(x_train), points):
        c = act.shape[1]
        per_channel = act.transpose(1, 0, 2, 3).reshape(c, -1)
        mean, var = per_channel.mean(axis=1), per_channel.var(axis=1)
        theta += [np.sqrt(var + EPS), mean, np.zeros(c * c // groups)]
        stats += [mean, var]
    return np.concatenate(theta + stats).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    x_train, x_test, y_train, y_test = split()
    DATA.mkdir(parents=True, exist_ok=True)
    for name, arr in (("train_x", x_train), ("train_y", y_train), ("test_x", x_test), ("test_y", y_test)):
        np.save(DATA / f"digits_{name}.npy", arr)
    net = train(build_torch(), x_train, y_train)
    model = to_onnx(folded(net))
    onnx.save(model, MODEL)
    np.save(META, warm_up(model, x_train))
    import onnxruntime as ort

    sess = ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    pred = [int(np.argmax(sess.run(None, {"input": s[None]})[0])) for s in as_input(x_test)]
    print(f"wrote {MODEL}, {META}, {DATA}/; held-out accuracy {np.mean(np.array(pred) == y_test):.4f}")


if __name__ == "__main__":
    main()
