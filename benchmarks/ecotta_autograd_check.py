"""Check the numpy reference of the EcoTTA adaptation step (tests/ecotta_numpy.py), which the tests hold the
generated C to, against PyTorch autograd of the same loss: gradients, loss and updated parameters over several
steps, on the test model of tests/test_ecotta.py, for both meta-network blocks (the paper's written as the
official EcoTTA sample code's one_part_of_networks: each part's input detached); and the TENT-style baseline's step (benchmarks/tent_baseline.py)
on the digits CNN. Needs the `train` extra (torch); not a test.

    python3 benchmarks/ecotta_autograd_check.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def torch_step(model, points, theta, stats, x, lr, reg, momentum, groups, eps=1e-5, margin=0.4):
    """The same step written as a plain PyTorch forward, differentiated by autograd."""
    import torch
    import torch.nn.functional as F
    from onnx import numpy_helper

    consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in model.graph.initializer}
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    st = torch.tensor(stats, dtype=torch.float64)
    v = torch.from_numpy(np.asarray(x, np.float64).reshape(1, 1, *np.shape(x)[-2:]))
    t_off = s_off = 0
    reg_terms = []
    for node in model.graph.node:
        op = node.op_type
        attrs = {a.name: a for a in node.attribute}
        if op == "Conv":
            s = list(attrs["strides"].ints) if "strides" in attrs else [1, 1]
            p = list(attrs["pads"].ints) if "pads" in attrs else [0, 0, 0, 0]
            v = F.conv2d(F.pad(v, (p[1], p[3], p[0], p[2])), consts[node.input[1]], consts[node.input[2]], stride=s)
        elif op == "Relu":
            v = F.relu(v)
        elif op == "GlobalAveragePool":
            v = v.mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            v = v.reshape(1, -1)
        elif op == "Gemm":
            v = v @ consts[node.input[1]].T + consts[node.input[2]]
        elif op == "Softmax":
            break
        if node.output[0] in points:
            c = v.shape[1]
            xk = v[0].reshape(c, -1).T  # [pixels, C]
            with torch.no_grad():
                st[s_off:s_off + c] = (1 - momentum) * st[s_off:s_off + c] + momentum * xk.mean(0)
                st[s_off + c:s_off + 2 * c] = ((1 - momentum) * st[s_off + c:s_off + 2 * c]
                                               + momentum * xk.var(0, unbiased=False))
            gamma, beta = th[t_off:t_off + c], th[t_off + c:t_off + 2 * c]
            g = c // groups
            w = th[t_off + 2 * c:t_off + 2 * c + c * g].reshape(c, g, 1, 1)  # a grouped 1x1 conv, as torch has it
            b = gamma * (xk - st[s_off:s_off + c]) / torch.sqrt(st[s_off + c:s_off + 2 * c] + eps) + beta
            y = b + F.conv2d(F.relu(b).T[None, :, :, None], w, groups=groups)[0, :, :, 0].T
            reg_terms.append((y - xk.detach()).abs().mean())
            v = y.T.reshape(v.shape)
            t_off += 2 * c + c * g
            s_off += 2 * c
    logits = v.reshape(-1)
    log_p = F.log_softmax(logits, 0)
    h = -(log_p.exp() * log_p).sum()
    confident = bool(h.item() < margin * math.log(len(logits)))
    loss = (h if confident else 0.0) + reg * sum(reg_terms)
    loss.backward()
    return float(loss.detach()), th.grad.numpy().copy(), (th - lr * th.grad).detach().numpy(), st.numpy()


def torch_paper_step(model, points, theta, stats, x, lr, reg, momentum, groups, eps=1e-5, margin=0.4):
    """The paper's block (--ecotta-block paper) as the official sample code has it: out1 = part(x.detach()),
    out = meta_bn(out1) + conv_block(x.detach()), conv_block = ReLU(BN(conv(x))), reg = L1(out, out1).mean();
    the BatchNorms normalise with the running estimates after this sample's blend (edgec's one-sample scheme)."""
    import torch
    import torch.nn.functional as F
    from onnx import numpy_helper

    consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in model.graph.initializer}
    producer = {n.output[0]: n for n in model.graph.node}
    part_conv = {}
    for k, name in enumerate(points):
        node = producer[name]
        part_conv[(producer[node.input[0]] if node.op_type == "Relu" else node).name] = k
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    st = torch.tensor(stats, dtype=torch.float64)
    v = torch.from_numpy(np.asarray(x, np.float64).reshape(1, 1, *np.shape(x)[-2:]))
    t_off = s_off = 0
    reg_terms, u = [], None

    def blend(at, values):
        with torch.no_grad():
            st[at:at + values.shape[1]] = (1 - momentum) * st[at:at + values.shape[1]] + momentum * values.mean(0)

    for node in model.graph.node:
        op = node.op_type
        attrs = {a.name: a for a in node.attribute}
        if op == "Conv":
            s = list(attrs["strides"].ints) if "strides" in attrs else [1, 1]
            p = list(attrs["pads"].ints) if "pads" in attrs else [0, 0, 0, 0]
            if node.name in part_conv:
                v = u = v.detach()  # the part's input, detached
                geometry = (s, p, consts[node.input[1]].shape)
            v = F.conv2d(F.pad(v, (p[1], p[3], p[0], p[2])), consts[node.input[1]], consts[node.input[2]], stride=s)
        elif op == "Relu":
            v = F.relu(v)
        elif op == "GlobalAveragePool":
            v = v.mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            v = v.reshape(1, -1)
        elif op == "Gemm":
            v = v @ consts[node.input[1]].T + consts[node.input[2]]
        elif op == "Softmax":
            break
        if node.output[0] in points:
            (s, p, wshape), c, cin = geometry, v.shape[1], u.shape[1]
            nw = c * wshape[2] * wshape[3] * cin // groups
            w = th[t_off + 2 * c:t_off + 2 * c + nw].reshape(c, wshape[2], wshape[3], cin // groups).permute(0, 3, 1, 2)
            a = F.conv2d(F.pad(u, (p[1], p[3], p[0], p[2])), w, stride=s, groups=groups)
            xk, ak = v[0].reshape(c, -1).T, a[0].reshape(c, -1).T  # [pixels, C]
            for at, vals in ((s_off, xk), (s_off + 2 * c, ak)):
                blend(at, vals.detach())
                with torch.no_grad():
                    st[at + c:at + 2 * c] = ((1 - momentum) * st[at + c:at + 2 * c]
                                             + momentum * vals.detach().var(0, unbiased=False))
            gamma, beta = th[t_off:t_off + c], th[t_off + c:t_off + 2 * c]
            gamma2, beta2 = th[t_off + 2 * c + nw:t_off + 3 * c + nw], th[t_off + 3 * c + nw:t_off + 4 * c + nw]
            out2 = gamma * (xk - st[s_off:s_off + c]) / torch.sqrt(st[s_off + c:s_off + 2 * c] + eps) + beta
            out3 = F.relu(gamma2 * (ak - st[s_off + 2 * c:s_off + 3 * c]) / torch.sqrt(st[s_off + 3 * c:s_off + 4 * c]
                                                                                      + eps) + beta2)
            y = out2 + out3
            reg_terms.append((y - xk.detach()).abs().mean())
            v = y.T.reshape(v.shape)
            t_off += 4 * c + nw
            s_off += 4 * c
    logits = v.reshape(-1)
    log_p = F.log_softmax(logits, 0)
    h = -(log_p.exp() * log_p).sum()
    confident = bool(h.item() < margin * math.log(len(logits)))
    loss = (h if confident else 0.0) + reg * sum(reg_terms)
    loss.backward()
    return float(loss.detach()), th.grad.numpy().copy(), (th - lr * th.grad).detach().numpy(), st.numpy()


def tent_check(steps: int = 4) -> float:
    """The TENT-style baseline's step (benchmarks/tent_baseline.py) against autograd on the digits CNN: gamma and
    beta after each step (the running estimates taken as constants, as both do)."""
    import onnx
    import torch
    import torch.nn.functional as F
    from onnx import numpy_helper

    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "model_zoo"))
    from ecotta_digits import MODEL, as_input
    from tent_baseline import TentReference

    model = onnx.load(MODEL)
    data = ROOT / "model_zoo" / "data" / "digits"
    lr = 0.01
    ref = TentReference(model, as_input(np.load(data / "digits_train_x.npy"))[:200], lr, 0.05)
    consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in model.graph.initializer}
    x_all = as_input(np.load(data / "digits_test_x.npy"))[:steps] * 0.3 + 0.2  # low contrast: drifted
    worst = 0.0
    for x in x_all:
        gammas = [torch.tensor(g, requires_grad=True) for g in ref.gamma]
        betas = [torch.tensor(b, requires_grad=True) for b in ref.beta]
        ref.step(x)  # updates the estimates first, then the parameters
        v, k = torch.from_numpy(np.asarray(x, np.float64))[None], 0
        for node in ref.nodes:
            if node.op_type == "Conv":
                at = {a.name: list(a.ints) for a in node.attribute}
                p = at.get("pads", [0, 0, 0, 0])
                v = F.conv2d(F.pad(v, (p[1], p[3], p[0], p[2])), consts[node.input[1]], consts[node.input[2]],
                             stride=at.get("strides", [1, 1]))
                mean, var = torch.from_numpy(ref.mean[k]), torch.from_numpy(ref.var[k])
                v = (gammas[k][:, None, None] * (v - mean[:, None, None]) / torch.sqrt(var[:, None, None] + ref.eps)
                     + betas[k][:, None, None])
                k += 1
            elif node.op_type == "Relu":
                v = F.relu(v)
            elif node.op_type == "GlobalAveragePool":
                v = v.mean(dim=(2, 3))
            elif node.op_type == "Gemm":
                v = v @ consts[node.input[1]].T + consts[node.input[2]]
        log_p = F.log_softmax(v.reshape(-1), 0)
        (-(log_p.exp() * log_p).sum()).backward()
        for k in range(len(gammas)):
            worst = max(worst, float(np.abs((gammas[k] - lr * gammas[k].grad).detach().numpy() - ref.gamma[k]).max()),
                        float(np.abs((betas[k] - lr * betas[k].grad).detach().numpy() - ref.beta[k]).max()))
            ref.gamma[k], ref.beta[k] = ((gammas[k] - lr * gammas[k].grad).detach().numpy(),
                                         (betas[k] - lr * betas[k].grad).detach().numpy())
    return worst


def main() -> None:
    import onnx  # noqa: F401

    from ecotta_numpy import EcottaReference
    from test_ecotta import (CHANNELS, GROUPS, LR, MOMENTUM, PAPER_CHANNELS, PAPER_POINTS, POINTS, REG, build_model,
                             deployed)

    model = build_model()
    worst = 0.0
    for block, points, channels, step_fn in (("residual", POINTS, CHANNELS, torch_step),
                                             ("paper", PAPER_POINTS, PAPER_CHANNELS, torch_paper_step)):
        theta, stats = deployed(channels, np.random.default_rng(1), block)
        theta, stats = theta.astype(np.float64), stats.astype(np.float64)
        ref = EcottaReference(model, list(points.values()), theta, stats, LR, REG, MOMENTUM, groups=GROUPS,
                              block=block)
        samples = np.random.default_rng(3).uniform(-1.0, 1.5, (6, 10, 10))
        samples[1] *= 0.2  # a flat sample, as the test has it: the entropy gate's other branch
        for step, x in enumerate(samples):
            loss, grad, new_theta, new_stats = step_fn(model, list(points.values()), theta, stats, x, LR, REG,
                                                       MOMENTUM, GROUPS)
            r = ref.step(x)
            errs = {"loss": abs(loss - r["loss"]), "grad": np.abs(grad - r["grad"]).max(),
                    "theta": np.abs(new_theta - ref.theta).max(), "stats": np.abs(new_stats - ref.stats).max()}
            worst = max(worst, *errs.values())
            print(f"{block} step {step}: confident {r['confident']}, "
                  + ", ".join(f"{k} {v:.2e}" for k, v in errs.items()))
            theta, stats = new_theta, new_stats
    print(f"largest difference numpy reference vs PyTorch autograd: {worst:.2e}")
    tent = tent_check()
    print(f"TENT-style baseline (benchmarks/tent_baseline.py) vs PyTorch autograd, gamma and beta after each step: "
          f"{tent:.2e}")
    sys.exit(0 if max(worst, tent) <= 1e-9 else 1)


if __name__ == "__main__":
    main()
