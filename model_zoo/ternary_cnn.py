"""Train and export a small ternary CNN for scikit-learn's digits (8x8 handwritten digits), and its float twin.

    conv1 3x3 1->16 (float) - ReLU
    conv2 3x3 16->32 (ternary) - ReLU - MaxPool 2     8x8 -> 4x4
    conv3 3x3 32->32 (ternary) - ReLU - MaxPool 2     4x4 -> 2x2
    fc 128 -> 10 (float)
each conv followed by batch normalization while training. The middle layers are trained quantization-aware with
ternary weights (absmean per output channel, as BitNet b1.58: scale = mean |w|, T = clip(round(w / scale), -1, 1),
the straight-through estimator); the first and the last layer stay float, as the papers keep them. The float
twin is the same network trained the same way (same data, seed, epochs, optimizer) with float weights.

The export folds each batch normalization into its conv: a ternary layer's weight becomes (scale * gamma /
sqrt(var + eps)) * T per output channel, which is still exactly s * T with s per channel, plus a float bias.
Input: float32 [1, 1, 8, 8], pixel / 16 (digits' 0..16 scaled to 0..1); output: logits [1, 10].

Data: model_zoo/data/digits/digits_test_{x,y}.npy is the held-out 20 % (stratified, seed 0) of sklearn.datasets.load_digits
(BSD-3-Clause, see model_zoo/data/README.md), committed so that tests need neither sklearn nor torch.

    python model_zoo/ternary_cnn.py            # needs torch and scikit-learn (the `train` extra)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
DIGITS = HERE / "data" / "digits"  # the split ecotta_digits.py writes and its README describes
MODELS = HERE / "models"
TERNARY_LAYERS = ("conv2", "conv3")
BN_EPS = 1e-5


def load_heldout() -> tuple[np.ndarray, np.ndarray]:
    """The committed held-out split: images float32 [N, 1, 8, 8] in 0..1, labels int64 [N]."""
    images, labels = np.load(DIGITS / "digits_test_x.npy"), np.load(DIGITS / "digits_test_y.npy")
    return (images.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8), labels.astype(np.int64)


def split_digits(seed: int = 0):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = digits.images.astype(np.uint8)  # 0..16
    return train_test_split(images, digits.target.astype(np.int64), test_size=0.2, stratify=digits.target,
                            random_state=seed)


def ternarize(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """absmean per output channel (axis 0): scale [out], T in {-1, 0, 1} of w's shape."""
    scale = np.maximum(np.abs(w).reshape(len(w), -1).mean(axis=1), 1e-8).astype(np.float32)
    t = np.clip(np.round(w / scale.reshape(-1, *[1] * (w.ndim - 1))), -1, 1).astype(np.float32)
    return scale, t


def build_torch_model(ternary: bool):
    import torch
    from torch import nn

    class TernaryConv(nn.Conv2d):
        def forward(self, x):
            w = self.weight
            scale = w.abs().mean(dim=(1, 2, 3), keepdim=True).clamp(min=1e-8)
            wq = (w / scale).round().clamp(-1, 1) * scale
            return self._conv_forward(x, w + (wq - w).detach(), None)  # straight-through estimator

    def conv(name, cin, cout):
        cls = TernaryConv if ternary and name in TERNARY_LAYERS else nn.Conv2d
        return cls(cin, cout, 3, padding=1, bias=False)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = conv("conv1", 1, 16), nn.BatchNorm2d(16, eps=BN_EPS)
            self.conv2, self.bn2 = conv("conv2", 16, 32), nn.BatchNorm2d(32, eps=BN_EPS)
            self.conv3, self.bn3 = conv("conv3", 32, 32), nn.BatchNorm2d(32, eps=BN_EPS)
            self.fc = nn.Linear(128, 10)

        def forward(self, x):
            x = torch.relu(self.bn1(self.conv1(x)))
            x = nn.functional.max_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
            x = nn.functional.max_pool2d(torch.relu(self.bn3(self.conv3(x))), 2)
            return self.fc(x.flatten(1))

    return Net()


def train(ternary: bool, x_train, y_train, epochs: int, seed: int):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    model = build_torch_model(ternary)
    x = torch.from_numpy(x_train)
    y = torch.from_numpy(y_train)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), 32):
            idx = perm[i:i + 32]
            xb = x[idx]
            xb = torch.roll(xb, shifts=tuple(torch.randint(-1, 2, (2,), generator=gen).tolist()), dims=(2, 3))
            loss = torch.nn.functional.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    return model


def fold_weights(model, ternary: bool) -> dict[str, np.ndarray]:
    """Conv weights with their batch normalization folded in (ternary layers: exactly s * T per channel)."""
    out = {}
    for name, bn in (("conv1", model.bn1), ("conv2", model.bn2), ("conv3", model.bn3)):
        w = getattr(model, name).weight.detach().numpy().astype(np.float64)
        gamma, beta = bn.weight.detach().numpy(), bn.bias.detach().numpy()
        mean, var = bn.running_mean.numpy(), bn.running_var.numpy()
        k = gamma / np.sqrt(var + BN_EPS)
        if ternary and name in TERNARY_LAYERS:
            scale, t = ternarize(w.astype(np.float32))
            s = (scale.astype(np.float64) * k).astype(np.float32)
            out[f"{name}.w"] = (s[:, None, None, None] * t).astype(np.float32)  # exactly s * T
        else:
            out[f"{name}.w"] = (w * k[:, None, None, None]).astype(np.float32)
        out[f"{name}.b"] = (beta - mean * k).astype(np.float32)
    out["fc.w"] = model.fc.weight.detach().numpy().astype(np.float32)
    out["fc.b"] = model.fc.bias.detach().numpy().astype(np.float32)
    return out


def build_onnx(w: dict[str, np.ndarray], name: str, doc: str):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = []
    x = "input"
    for i in (1, 2, 3):
        nodes.append(helper.make_node("Conv", [x, f"conv{i}.w", f"conv{i}.b"], [f"c{i}"], name=f"conv{i}",
                                      pads=[1, 1, 1, 1]))
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"], name=f"relu{i}"))
        x = f"r{i}"
        if i > 1:
            nodes.append(helper.make_node("MaxPool", [x], [f"p{i}"], name=f"pool{i}", kernel_shape=[2, 2],
                                          strides=[2, 2]))
            x = f"p{i}"
    nodes.append(helper.make_node("Flatten", [x], ["flat"], name="flatten"))
    nodes.append(helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], name="fc", transB=1))
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
                              [numpy_helper.from_array(v, k) for k, v in sorted(w.items())])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgec model_zoo")
    model.ir_version = 8
    model.doc_string = doc
    onnx.checker.check_model(model)
    return model


def onnx_accuracy(path: Path, images: np.ndarray, labels: np.ndarray) -> float:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    pred = [int(np.argmax(sess.run(None, {"input": img[None]})[0])) for img in images]
    return float(np.mean(np.asarray(pred) == labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output-dir", type=Path, default=MODELS)
    args = parser.parse_args()

    import onnx

    img_train, img_test, y_train, y_test = split_digits(args.seed)
    held = np.load(DIGITS / "digits_test_x.npy")
    if not np.array_equal(img_test, held):
        raise SystemExit(f"the split differs from the committed one in {DIGITS} (seed {args.seed}?)")
    x_train = (img_train.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    x_test, labels = load_heldout()
    for ternary, name in ((False, "digits_cnn_float"), (True, "digits_cnn_ternary")):
        model = train(ternary, x_train, y_train, args.epochs, args.seed)
        kind = "ternary conv2/conv3 (s * T per output channel), float conv1 and fc" if ternary else "float"
        doc = (f"Digits CNN, {kind}; trained by model_zoo/ternary_cnn.py ({args.epochs} epochs, seed {args.seed}) "
               "on 80 % of sklearn's digits. Input pixel / 16, NCHW [1, 1, 8, 8]; output logits [1, 10].")
        path = args.output_dir / f"{name}.onnx"
        onnx.save(build_onnx(fold_weights(model, ternary), name, doc), path)
        import torch

        with torch.no_grad():
            torch_acc = float((model(torch.from_numpy(x_test)).argmax(1).numpy() == labels).mean())
        print(f"{path}: held-out accuracy torch {torch_acc:.4f}, onnxruntime {onnx_accuracy(path, x_test, labels):.4f}")


if __name__ == "__main__":
    main()
