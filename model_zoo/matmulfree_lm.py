"""Train and export a tiny MatMul-free language model (Zhu et al. 2024, "Scalable MatMul-free Language Modeling").

Byte-level (vocabulary: the 128 ASCII codes), two layers of
    x = x + MLGRU(RMSNorm(x))      token mixer:   f = sigmoid(x Wf), c = silu(x Wc), g = sigmoid(x Wg)
                                                   h = f * h_prev + (1 - f) * c,  out = (g * h) Wo
    x = x + GLU(RMSNorm(x))        channel mixer: (silu(x Wg) * (x Wu)) Wd
then a final RMSNorm and the output head. Every W above is a BitLinear: ternary weights {-1, 0, +1} times a
per-output-channel scale, absmean as in BitNet b1.58 (scale = mean |w| of the row, T = clip(round(w / scale), -1, 1)),
trained with the straight-through estimator. The embedding and the head stay float, as in the paper's and
BitNet's models. Activations are not quantized here (float activations; `--quantize ternary` adds int8 ones).

The ONNX export is one step of the recurrence with its state explicit:
    inputs  token (int64 [1]), h0 .. h{L-1} (float32 [1, D]: each layer's MLGRU hidden state)
    outputs logits (float32 [1, 128]), h0_out .. h{L-1}_out
and is written with onnx.helper from the trained weights (no torch exporter): every BitLinear weight in it is
exactly scale * T, so a ternary compiler can detect it. Greedy decoding: feed the prompt's bytes one by one, then
the argmax of the logits, carrying the states (`greedy_decode` below does it with onnxruntime).

    python model_zoo/matmulfree_lm.py [--steps 1500] [-o model_zoo/models/matmulfree_lm.onnx]   # needs torch
The corpus is model_zoo/data/tinyshakespeare_head.txt (see model_zoo/data/README.md for provenance).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
CORPUS = HERE / "data" / "tinyshakespeare_head.txt"
DEFAULT_OUT = HERE / "models" / "matmulfree_lm.onnx"
VOCAB = 128  # ASCII bytes
EPS = 1e-6


def ternarize(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """absmean ternarization per output channel (rows of a [out, in] weight): scale [out], T in {-1, 0, 1}."""
    scale = np.maximum(np.abs(w).mean(axis=1), 1e-8).astype(np.float32)
    t = np.clip(np.round(w / scale[:, None]), -1, 1).astype(np.float32)
    return scale, t


# ---------------------------------------------------------------------------------------------------- training
def build_torch_model(d: int, hidden: int, layers: int):
    import torch
    from torch import nn

    class BitLinear(nn.Module):
        def __init__(self, n_in: int, n_out: int):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(n_out, n_in) / n_in ** 0.5)

        def ternary_weight(self):
            w = self.weight
            scale = w.abs().mean(dim=1, keepdim=True).clamp(min=1e-8)
            wq = (w / scale).round().clamp(-1, 1) * scale
            return w + (wq - w).detach()  # straight-through estimator

        def forward(self, x):
            return x @ self.ternary_weight().t()

    class RMSNorm(nn.Module):
        def __init__(self, n: int):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(n))

        def forward(self, x):
            return x / torch.sqrt((x * x).mean(-1, keepdim=True) + EPS) * self.weight

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1, self.norm2 = RMSNorm(d), RMSNorm(d)
            self.wf, self.wc, self.wg, self.wo = (BitLinear(d, d) for _ in range(4))
            self.glu_g, self.glu_u, self.glu_d = BitLinear(d, hidden), BitLinear(d, hidden), BitLinear(hidden, d)

        def forward(self, x, h):  # x [B, d], h [B, d]: one step
            u = self.norm1(x)
            f = torch.sigmoid(self.wf(u))
            c = nn.functional.silu(self.wc(u))
            h = f * h + (1 - f) * c
            x = x + self.wo(torch.sigmoid(self.wg(u)) * h)
            v = self.norm2(x)
            x = x + self.glu_d(nn.functional.silu(self.glu_g(v)) * self.glu_u(v))
            return x, h

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, d)
            self.layers = nn.ModuleList(Layer() for _ in range(layers))
            self.norm = RMSNorm(d)
            self.head = nn.Linear(d, VOCAB, bias=False)

        def step(self, tok, states):
            x = self.embed(tok)
            new = []
            for layer, h in zip(self.layers, states):
                x, h = layer(x, h)
                new.append(h)
            return self.head(self.norm(x)), new

        def forward(self, seq):  # seq [B, T] -> logits [B, T, V]
            states = [torch.zeros(seq.shape[0], d) for _ in self.layers]
            out = []
            for t in range(seq.shape[1]):
                logits, states = self.step(seq[:, t], states)
                out.append(logits)
            return torch.stack(out, 1)

    return LM()


def train(steps: int, d: int, hidden: int, layers: int, seq: int, batch: int, seed: int):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    data = np.frombuffer(CORPUS.read_bytes(), np.uint8).astype(np.int64)
    assert data.max() < VOCAB
    split = int(len(data) * 0.9)
    train_data, val_data = torch.from_numpy(data[:split]), torch.from_numpy(data[split:])
    model = build_torch_model(d, hidden, layers)
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps, pct_start=0.1)
    gen = torch.Generator().manual_seed(seed)

    def batch_of(src):
        starts = torch.randint(0, len(src) - seq - 1, (batch,), generator=gen)
        chunk = torch.stack([src[s:s + seq + 1] for s in starts.tolist()])
        return chunk[:, :-1], chunk[:, 1:]

    t0 = time.time()
    for step in range(1, steps + 1):
        x, y = batch_of(train_data)
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps:
            with torch.no_grad():
                vx, vy = batch_of(val_data)
                vloss = torch.nn.functional.cross_entropy(model(vx).reshape(-1, VOCAB), vy.reshape(-1))
            print(f"step {step}: train loss {loss.item():.3f}  val loss {vloss.item():.3f} ({time.time() - t0:.0f} s)",
                  flush=True)
    return model


# ---------------------------------------------------------------------------------------------------- export
def export_weights(model) -> dict[str, np.ndarray]:
    """The trained weights as numpy, BitLinear weights already s * T (transposed to [in, out] for MatMul)."""
    w = {"embed": model.embed.weight.detach().numpy().astype(np.float32),
         "norm": model.norm.weight.detach().numpy().astype(np.float32),
         "head": model.head.weight.detach().numpy().T.astype(np.float32).copy()}
    for i, layer in enumerate(model.layers):
        w[f"l{i}.norm1"] = layer.norm1.weight.detach().numpy().astype(np.float32)
        w[f"l{i}.norm2"] = layer.norm2.weight.detach().numpy().astype(np.float32)
        for name in ("wf", "wc", "wg", "wo", "glu_g", "glu_u", "glu_d"):
            scale, t = ternarize(getattr(layer, name).weight.detach().numpy().astype(np.float32))
            w[f"l{i}.{name}"] = (t * scale[:, None]).T.copy()  # exactly scale * T, [in, out]
    return w


def build_onnx(w: dict[str, np.ndarray], layers: int):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    d = w["embed"].shape[1]
    nodes, inits = [], [numpy_helper.from_array(v, k) for k, v in sorted(w.items())]
    inits += [numpy_helper.from_array(np.array(v, np.float32), k) for k, v in (("eps", EPS), ("one", 1.0))]
    counter = iter(range(10 ** 6))

    def op(kind, *inputs, out=None, **attrs):
        name = f"{kind.lower()}_{next(counter)}"
        nodes.append(helper.make_node(kind, list(inputs), [out or name], name=name, **attrs))
        return out or name

    def rmsnorm(x, weight):
        ms = op("ReduceMean", op("Mul", x, x), axes=[-1], keepdims=1)
        return op("Mul", op("Div", x, op("Sqrt", op("Add", ms, "eps"))), weight)

    def silu(x):
        return op("Mul", x, op("Sigmoid", x))

    x = op("Gather", "embed", "token", axis=0)  # [1, D]
    for i in range(layers):
        p = f"l{i}."
        u = rmsnorm(x, p + "norm1")
        f = op("Sigmoid", op("MatMul", u, p + "wf"))
        c = silu(op("MatMul", u, p + "wc"))
        g = op("Sigmoid", op("MatMul", u, p + "wg"))
        h = op("Add", op("Mul", f, f"h{i}"), op("Mul", op("Sub", "one", f), c), out=f"h{i}_out")
        x = op("Add", x, op("MatMul", op("Mul", g, h), p + "wo"))
        v = rmsnorm(x, p + "norm2")
        glu = op("Mul", silu(op("MatMul", v, p + "glu_g")), op("MatMul", v, p + "glu_u"))
        x = op("Add", x, op("MatMul", glu, p + "glu_d"))
    op("MatMul", rmsnorm(x, "norm"), "head", out="logits")

    inputs = [helper.make_tensor_value_info("token", TensorProto.INT64, [1])]
    inputs += [helper.make_tensor_value_info(f"h{i}", TensorProto.FLOAT, [1, d]) for i in range(layers)]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, VOCAB])]
    outputs += [helper.make_tensor_value_info(f"h{i}_out", TensorProto.FLOAT, [1, d]) for i in range(layers)]
    graph = helper.make_graph(nodes, "matmulfree_lm", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgec model_zoo")
    model.ir_version = 8
    model.doc_string = ("MatMul-free LM step (MLGRU + GLU, BitLinear weights = per-output-channel scale x {-1,0,1}), "
                        "byte-level ASCII vocabulary, trained on the first 100 kB of tinyshakespeare. "
                        "Inputs: token, h0..hL-1; outputs: logits, h0_out..hL-1_out.")
    onnx.checker.check_model(model)
    return model


# ---------------------------------------------------------------------------------------------------- decoding
def greedy_decode(session, prompt: bytes, n: int) -> list[int]:
    """Greedy decoding with an onnxruntime session of the step model: the prompt's bytes, then n tokens, each the
    argmax (lowest index on ties) of the logits after the previous one."""
    state_inputs = [i for i in session.get_inputs() if i.name != "token"]
    states = {i.name: np.zeros(i.shape, np.float32) for i in state_inputs}
    out_names = ["logits"] + [f"{i.name}_out" for i in state_inputs]
    logits = None
    for tok in prompt:
        logits, *new = session.run(out_names, {"token": np.array([tok], np.int64), **states})
        states = dict(zip(states, new))
    tokens = []
    for _ in range(n):
        tok = int(np.argmax(logits[0]))
        tokens.append(tok)
        logits, *new = session.run(out_names, {"token": np.array([tok], np.int64), **states})
        states = dict(zip(states, new))
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--seq", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import onnx
    import onnxruntime as ort
    import torch

    model = train(args.steps, args.dim, args.hidden, args.layers, args.seq, args.batch, args.seed)
    model.eval()
    onnx_model = build_onnx(export_weights(model), args.layers)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(onnx_model, args.output)

    # The export must compute what the trained model computes: one sequence through both.
    sess = ort.InferenceSession(str(args.output), providers=["CPUExecutionProvider"])
    text = CORPUS.read_bytes()[:64]
    with torch.no_grad():
        ref = model(torch.tensor([list(text)])).numpy()[0]
    states = {f"h{i}": np.zeros((1, args.dim), np.float32) for i in range(args.layers)}
    worst = 0.0
    for t, tok in enumerate(text):
        logits, *new = sess.run(None, {"token": np.array([tok], np.int64), **states})
        states = dict(zip(states, new))
        worst = max(worst, float(np.abs(logits[0] - ref[t]).max()))
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes); ONNX vs torch max |diff| {worst:.2e}")
    for prompt in (b"First Citizen:\n", b"ROMEO:\n"):
        print(repr(prompt + bytes(greedy_decode(sess, prompt, 80))))


if __name__ == "__main__":
    main()
