"""--ecotta: the generated adaptation step (EcoTTA meta-networks) against a numpy reference written from the ONNX
model (tests/ecotta_numpy.py): loss, gradients (from the SGD updates), updated parameters and running estimates
over several steps, and the inference after each step; on the host under AddressSanitizer + UBSan, and on the
emulated Cortex-M7 (QEMU mps2-an500), whose parameters must match the host's. One compile per variant serves every
check: the residual block (grouped 1x1 conv blocks, --ecotta-groups 4) and the paper's (--ecotta-block paper:
grouped 3x3 conv-BN-ReLU on each part's input, the second reading the first meta-network's output), each on the
float model and with int8 frozen parts (--quantize int8: the reference runs the QDQ model edgec wrote). `edgec bench --adapt` times the step on the emulated M7. The pass
itself is checked on hand-built IR: where the meta-networks go, what the step keeps, what is refused."""

from __future__ import annotations

import json
import subprocess
from types import SimpleNamespace

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import COMPILERS, assert_compiles_warning_free, require, run_edgec
from ecotta_numpy import EcottaReference
from edgec.errors import EdgecError, UnsupportedModelError
from edgec.ir import Graph, Node, Tensor
from edgec.memory.plan import plan_memory
from edgec.passes.ecotta import EcottaOptions, check_compatible, insert_meta_networks
from edgec.passes.patch_search import PatchOptions, resolve_patch
from semihost_qemu import M7_FLAGS, SEMIHOST, run_on_qemu

POINTS = {"conv2+relu2": "r2", "conv4+relu4": "r4"}  # edgec layer -> ONNX tensor
CHANNELS = [12, 16]  # theirs
# the paper's block: conv3's input is the first meta-network's output, and the backward crosses conv4+relu4
PAPER_POINTS = {"conv2+relu2": "r2", "conv3": "c3"}
PAPER_CHANNELS = [(8, 12), (12, 12)]  # (conv block input, output) channels, 3x3 kernels
# with --quantize int8 the layers are named after the conv alone, and the meta-networks sit on the QDQ model's
# QuantizeLinear outputs
INT8_POINTS = {"residual": {"conv2": "r2_QuantizeLinear_Output", "conv4": "r4_QuantizeLinear_Output"},
               "paper": {"conv2": "r2_QuantizeLinear_Output", "conv3": "c3_QuantizeLinear_Output"}}
LR, REG, MOMENTUM, STEPS = 0.01, 0.5, 0.1, 6
GROUPS = 4  # the 1x1 conv blocks: 3 and 4 inputs per output channel (1, a full conv, is the same loops)

RECORD_C = r"""
#include <string.h>
#include "model.h"
#define P M_ADAPT_PARAMETERS
#define S M_ADAPT_STATISTICS
#define CLASSES M_OUTPUT0_ELEMS
static float rec[1 + P + S + CLASSES];
/* One adaptation step, then one inference on the same sample: loss, parameters, estimates, output. */
int ecotta_record(const void *in, void *out) {
    if (m_adapt(in) != 0) return 1;
    rec[0] = m_adapt_loss();
    memcpy(rec + 1, m_adapt_parameters(), sizeof(float) * P);
    memcpy(rec + 1 + P, m_adapt_statistics(), sizeof(float) * S);
    if (m_run(in, rec + 1 + P + S) != 0) return 2;
    memcpy(out, rec, sizeof rec);
    return 0;
}
"""

HOST_MAIN_C = r"""
#include <stdio.h>
#include "model.h"
int ecotta_record(const void *in, void *out);
static unsigned char in_buf[M_INPUT0_BYTES], out_buf[RECORD_BYTES];
int main(int argc, char **argv) {
    FILE *fin = fopen(argv[1], "rb"), *fout = fopen(argv[2], "wb");
    int steps = 0;
    if (argc != 3 || !fin || !fout) return 2;
    while (fread(in_buf, 1, sizeof in_buf, fin) == sizeof in_buf) {
        if (steps == 3) m_reset(); /* a reset mid-way: the reference starts over from the deployed values too */
        if (ecotta_record(in_buf, out_buf) != 0) return 3;
        fwrite(out_buf, 1, sizeof out_buf, fout);
        ++steps;
    }
    fclose(fin);
    fclose(fout);
    return 0;
}
"""


def build_model(fc_scale: float = 0.55) -> onnx.ModelProto:
    """conv-relu, conv/2-relu [meta], conv (no clamp: an unmasked backward), conv/2-relu [meta], GAP, FC, softmax."""
    rng = np.random.default_rng(7)

    def const(name, *shape, scale=0.3):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    inits = [const("w1", 8, 1, 3, 3), const("b1", 8), const("w2", 12, 8, 3, 3), const("b2", 12),
             const("w3", 12, 12, 3, 3, scale=0.2), const("b3", 12), const("w4", 16, 12, 3, 3, scale=0.2),
             const("b4", 16), const("fw", 10, 16, scale=fc_scale), const("fb", 10)]
    conv = helper.make_node
    nodes = [conv("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             conv("Relu", ["c1"], ["r1"], name="relu1"),
             conv("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]),
             conv("Relu", ["c2"], ["r2"], name="relu2"),
             conv("Conv", ["r2", "w3", "b3"], ["c3"], name="conv3", pads=[1, 1, 1, 1]),
             conv("Conv", ["c3", "w4", "b4"], ["c4"], name="conv4", pads=[0, 0, 1, 1], strides=[2, 2]),
             conv("Relu", ["c4"], ["r4"], name="relu4"),
             conv("GlobalAveragePool", ["r4"], ["g"], name="gap"),
             conv("Flatten", ["g"], ["f"], name="flatten"),
             conv("Gemm", ["f", "fw", "fb"], ["logits"], name="fc", transB=1),
             conv("Softmax", ["logits"], ["probs"], name="softmax", axis=-1)]
    graph = helper.make_graph(nodes, "m", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 10, 10])],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def deployed(channels: list, rng, block: str = "residual") -> tuple[np.ndarray, np.ndarray]:
    """Warmed-up-like parameters: away from the identity, so that no |y - x| or ReLU sits at a tie."""
    theta, stats = [], []
    for c in channels:
        if block == "paper":
            cin, c = c
            theta += [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.2, c), rng.normal(0, 0.3, c * 9 * cin // GROUPS),
                      rng.uniform(0.5, 1.5, c), rng.normal(0, 0.3, c)]
            stats += [rng.uniform(0.0, 0.5, c), rng.uniform(0.2, 1.0, c), rng.normal(0, 0.3, c),
                      rng.uniform(0.2, 1.0, c)]
            continue
        theta += [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.2, c), rng.normal(0, 0.3, c * c // GROUPS)]
        stats += [rng.uniform(0.0, 0.5, c), rng.uniform(0.2, 1.0, c)]
    return np.concatenate(theta).astype(np.float32), np.concatenate(stats).astype(np.float32)


def unpack(raw: np.ndarray, p: int, s: int, theta0: np.ndarray) -> dict:
    """The records of the steps; the gradients from the updates (theta' = theta - LR g, resets after step 2)."""
    rec = {"loss": raw[:, 0], "theta": raw[:, 1:1 + p], "stats": raw[:, 1 + p:1 + p + s], "probs": raw[:, 1 + p + s:]}
    before = np.stack([theta0 if step % 3 == 0 else rec["theta"][step - 1] for step in range(len(raw))])
    rec["grad"] = (before.astype(np.float64) - rec["theta"]) / LR
    return rec


@pytest.mark.parametrize("block, int8", [("residual", False), ("paper", False), ("residual", True),
                                         ("paper", True)])
def test_adaptation_step_matches_numpy_on_host_and_m7(tmp_path, block, int8):
    # int8: a meta-network's output is quantised to its part's range (no negatives after a ReLU), which flattens
    # the test model's predictions; a sharper classifier keeps both branches of the entropy gate in the steps
    model = build_model(fc_scale=1.5 if int8 else 0.55)
    onnx.save(model, tmp_path / "m.onnx")
    out = tmp_path / "out"
    points, channels = (POINTS, CHANNELS) if block == "residual" else (PAPER_POINTS, PAPER_CHANNELS)
    args = ["--ecotta", "2", "--ecotta-lr", LR, "--ecotta-reg", REG,
            "--ecotta-momentum", MOMENTUM, "--ecotta-groups", GROUPS, "--ecotta-block", block]
    if int8:
        points = INT8_POINTS[block]
        calibration = np.random.default_rng(5).uniform(-1.0, 1.5, (32, 1, 1, 10, 10)).astype(np.float32)
        np.save(tmp_path / "calib.npy", calibration)
        args += ["--quantize", "int8", "--calibration", tmp_path / "calib.npy"]
    args += ["--ecotta-points", ",".join(points)]
    theta0, stats0 = deployed(channels, np.random.default_rng(1), block)
    np.save(tmp_path / "init.npy", np.concatenate([theta0, stats0]))
    proc = run_edgec("compile", tmp_path / "m.onnx", "--target", "cortex-m7", "--name", "m", "--no-code-size",
                     "-o", out, *args,
                     "--ecotta-init", tmp_path / "init.npy")
    assert proc.returncode == 0, proc.stderr
    assert "+ adaptation" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    eco = report["ecotta"]
    want = [(p, c, c // GROUPS) for p, c in zip(points, channels)] if block == "residual" else \
        [(p, c, cin // GROUPS) for p, (cin, c) in zip(points, channels)]
    assert [(m["layer"], m["channels"], m["group_channels"]) for m in eco["meta_networks"]] == want
    assert eco["block"] == block and eco["parameters"] == theta0.size
    if int8:  # the frozen layers stay int8; the reference runs the QDQ model the C was compiled from
        kernels = {layer["name"]: layer["op"] for layer in report["layers"]}
        assert [kernels[p] for p in points] == ["conv2d_s8"] * 2 and kernels["conv1"] == "conv2d_s8"
        model = onnx.load(out / "m_int8.onnx")
    assert report["adaptation_bytes"] == (eco["arena_bytes_with_adaptation"] - report["arena_bytes"]
                                          + eco["state_bytes"])
    header = (out / "model.h").read_text()
    assert f"#define M_ADAPTATION_BYTES {report['adaptation_bytes']}u" in header
    for i, (cc, flags) in enumerate(COMPILERS):
        objs = tmp_path / f"obj-{i}"
        objs.mkdir()
        assert_compiles_warning_free(out, objs, cc, flags)

    p, s = eco["parameters"], eco["statistics"]
    record_bytes = 4 * (1 + p + s + 10)
    harness = tmp_path / "harness"
    harness.mkdir()
    (harness / "record.c").write_text(RECORD_C)
    (harness / "host_main.c").write_text(HOST_MAIN_C)
    (harness / "record.h").write_text("int ecotta_record(const void *in, void *out);\n")
    rng = np.random.default_rng(3)
    samples = rng.uniform(-1.0, 1.5, (STEPS, 1, 1, 10, 10)).astype(np.float32)
    samples[1] *= 0.2  # a flat sample: less confident
    (tmp_path / "in.bin").write_bytes(samples.tobytes())

    exe = tmp_path / "host"
    build = subprocess.run([require("gcc"), "-std=c99", "-O1", "-g", "-fsanitize=address,undefined",
                            "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror",
                            f"-DRECORD_BYTES={record_bytes}",
                            "-I", str(out), str(harness / "record.c"), str(harness / "host_main.c"),
                            *map(str, sorted(out.glob("*.c"))), "-lm", "-o", str(exe)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    subprocess.run([str(exe), str(tmp_path / "in.bin"), str(tmp_path / "host.bin")], check=True, timeout=60)
    host = unpack(np.fromfile(tmp_path / "host.bin", np.float32).reshape(STEPS, -1), p, s, theta0)

    ref, confident = None, []
    for step in range(STEPS):
        if step % 3 == 0:  # the harness resets after step 2
            ref = EcottaReference(model, list(points.values()), theta0, stats0, LR, REG, MOMENTUM, groups=GROUPS,
                                  block=block)
        r = ref.step(samples[step])
        confident.append(r["confident"])
        for key, want in (("loss", r["loss"]), ("grad", r["grad"]), ("theta", ref.theta), ("stats", ref.stats),
                          ("probs", ref.infer(samples[step]))):
            got = host[key][step]
            err = float(np.max(np.abs(got - want)))
            # int8 probabilities: edgec's int8 softmax (a table of exponentials) against the float one, quantised:
            limit = 1.001 / 255 if int8 and key == "probs" else 1e-4  # 1 LSB of the output (scale 1 / 255)
            assert err <= limit, f"step {step}: {key} differs by {err:.3g}"
    assert any(confident) and not all(confident), confident  # both branches of the entropy gate ran
    assert np.abs(host["grad"]).max() > 1e-3  # something was learnt

    # the same steps on the emulated Cortex-M7 (semihosting firmware, tests/semihost/main.c)
    elf = tmp_path / "fw.elf"
    cmd = [require("arm-none-eabi-gcc"), *M7_FLAGS, "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-nostartfiles",
           "-T", str(SEMIHOST / "link.ld"), "-DMODEL_INPUT0_BYTES=M_INPUT0_BYTES",
           f"-DMODEL_OUTPUT0_BYTES={record_bytes}", "-DMODEL_RUN=ecotta_record", "-include", str(harness / "record.h"),
           "-I", str(out),
           str(SEMIHOST / "main.c"), str(harness / "record.c"), *map(str, sorted(out.glob("*.c"))), "-lm",
           "-o", str(elf)]
    build = subprocess.run(cmd, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    # the firmware runs the steps without a reset: compare it with the host over the first three
    m7_raw = run_on_qemu(elf, samples[:3].reshape(3, -1), record_bytes, tmp_path / "qemu")
    m7 = unpack(m7_raw.view(np.float32), p, s, theta0)
    for key in ("loss", "grad", "theta", "stats", "probs"):
        err = float(np.max(np.abs(m7[key] - host[key][:3])))
        assert err <= (1e-4 if key == "grad" else 1e-5), f"M7 {key} differs from the host by {err:.3g}"


# ---- the pass on hand-built IR: where the meta-networks go, what the step keeps, what is refused (no TVM) ----

def ir_cnn(depthwise_last: bool = False) -> Graph:
    """x[1,8,8,1] -> conv a (8 ch) -> conv b /2 -> conv c /2 (or depthwise) -> mean -> matmul -> softmax."""
    g = Graph()
    g.add_tensor(Tensor("x", (1, 8, 8, 1), "float32"))
    g.inputs = ["x"]
    prev, cin, size = "x", 1, 8
    for name, stride in (("a", 1), ("b", 2), ("c", 2)):
        size //= stride
        dw = depthwise_last and name == "c"
        w = g.add_const(f"{name}_w", np.zeros((8, 3, 3, 1 if dw else cin), np.float32))
        g.add_tensor(Tensor(name, (1, size, size, 8), "float32"))
        g.nodes.append(Node("conv2d", [prev, w], [name], {"act": (0.0, float("inf")), "depthwise": dw,
                                                          "dilation": [1, 1], "groups": 8 if dw else 1,
                                                          "layout": "NHWC", "pads": [1, 1, 1, 1],
                                                          "strides": [stride, stride]}, name=f"conv_{name}"))
        prev, cin = name, 8
    g.add_tensor(Tensor("m", (1, 1, 1, 8), "float32"))
    g.add_tensor(Tensor("m2", (1, 8), "float32", alias_of="m"))
    g.nodes.append(Node("mean", ["c"], ["m"], {"axes": [1, 2]}, name="gap"))
    fc = g.add_const("fc_w", np.zeros((8, 10), np.float32))
    g.add_tensor(Tensor("z", (1, 10), "float32"))
    g.add_tensor(Tensor("p", (1, 10), "float32"))
    g.nodes.append(Node("matmul", ["m2", fc], ["z"], {"act": (-float("inf"), float("inf"))}, name="fc"))
    g.nodes.append(Node("softmax", ["z"], ["p"], {"axis": -1}, name="softmax"))
    g.outputs = ["p"]
    return g


def test_pass_places_meta_networks_and_plans_what_the_step_keeps():
    g = ir_cnn()
    eco = insert_meta_networks(g, EcottaOptions(parts=2))
    assert [m.layer for m in eco.metas] == ["conv_b", "conv_c"]  # the two smallest conv outputs
    assert [n.op for n in g.nodes].count("ecotta_meta") == 2
    assert g.consumers("c") == [next(n for n in g.nodes if n.op == "ecotta_meta" and n.inputs == ["c"])]
    assert eco.theta.size == 2 * (16 + 64) and eco.stats.size == 2 * 16
    assert eco.threshold == pytest.approx(0.4 * np.log(10))

    step = eco.adapt_graph
    ops = [n.op for n in step.nodes]
    assert ops.count("act_mask") == 1  # conv c only: conv b's gradient is never needed below the first meta
    assert "softmax" not in ops and ops[-1] == "ecotta_sgd"
    backward = [n for n in step.nodes if n.op == "ecotta_meta_backward"]
    assert [len(n.outputs) for n in backward] == [3, 2]  # the first meta-network passes no gradient down
    assert ops.count("ecotta_sgd") == 2 and all(ops[ops.index(n.op, i) + 1] == "ecotta_sgd"
                                                 for i, n in enumerate(step.nodes) if n.op == "ecotta_meta_backward")
    assert step.tensors[next(n for n in step.nodes if n.op == "act_mask").outputs[0]].nbytes == 4  # 32 bits
    plan = plan_memory(step, "greedy-by-size", in_place=False)  # (in-place merges would import TVM)
    live = {b.name: b for b in plan.buffers}
    assert live["b"].last == step.nodes.index(backward[1])  # meta 0's input x_k is kept until its backward
    assert live["a"].last < step.nodes.index(backward[0])  # the frozen part's own activations are not


def test_pass_paper_block_steps_each_part_on_its_own():
    """--ecotta-block paper: conv c's meta-network reads conv c's input (conv b's meta-network output) through a
    grouped 3x3 conv block; the parts are detached, so the first meta-network's backward and SGD follow its forward
    at once and only the last one's inputs are kept for the backward from the loss."""
    g = ir_cnn()
    eco = insert_meta_networks(g, EcottaOptions(parts=2, block="paper", groups=4))
    first, last = eco.metas
    assert last.source == first.output and first.source == "a" and first.kernel == (3, 3)
    assert first.trainable == 4 * 8 + 8 * 9 * 2 and first.statistics == 4 * 8
    assert eco.theta.size == 2 * first.trainable and eco.stats.size == 2 * first.statistics
    ops = [n.op for n in eco.adapt_graph.nodes]
    assert ops[:5] == ["conv2d", "conv2d", "ecotta_meta_conv_train", "ecotta_meta_conv_backward", "ecotta_sgd"]
    assert ops.count("ecotta_meta_conv_backward") == 2 and ops.count("act_mask") == 0  # nothing frozen is crossed
    step = eco.adapt_graph
    backward = [n for n in step.nodes if n.op == "ecotta_meta_conv_backward"]
    assert [len(n.inputs) for n in backward] == [2, 3]  # (x, u) without dLoss/dy, then with it
    plan = plan_memory(step, "greedy-by-size", in_place=False)
    live = {b.name: b for b in plan.buffers}
    assert live["a"].last == step.nodes.index(backward[0])  # the first part's input dies with its own step
    assert live[first.output].last == step.nodes.index(backward[1])  # the last part's input u is kept


def test_pass_refuses_what_it_cannot_adapt_naming_the_node(tmp_path):
    with pytest.raises(UnsupportedModelError, match="conv_c.*depthwise|conv_c.*regular"):
        insert_meta_networks(ir_cnn(depthwise_last=True), EcottaOptions(parts=1, points=["conv_b"]))
    with pytest.raises(EdgecError, match="nope is not a convolution.*conv_a, conv_b, conv_c"):
        insert_meta_networks(ir_cnn(), EcottaOptions(parts=1, points=["nope"]))
    with pytest.raises(EdgecError, match="has 3 convolutions"):
        insert_meta_networks(ir_cnn(), EcottaOptions(parts=4))
    np.save(tmp_path / "bad.npy", np.zeros(3, np.float32))
    with pytest.raises(EdgecError, match="3 values"):
        insert_meta_networks(ir_cnn(), EcottaOptions(parts=1, init=tmp_path / "bad.npy"))
    with pytest.raises(EdgecError, match="--ecotta-groups 3: conv_b has 8 channels, not a multiple of it"):
        insert_meta_networks(ir_cnn(), EcottaOptions(parts=1, points=["conv_b"], groups=3))
    grouped = insert_meta_networks(ir_cnn(), EcottaOptions(parts=1, points=["conv_b"], groups=4))
    assert grouped.theta.size == 2 * 8 + 8 * 2 and grouped.layout()[0]["group_channels"] == 2
    with pytest.raises(EdgecError, match="--patch"):
        check_compatible("auto", None)
    # the Cortex-M targets' default patching yields to --ecotta; an explicit --patch is refused above
    assert resolve_patch(PatchOptions(), "auto", layer_by_layer_only="--ecotta").mode == "off"
    assert resolve_patch(PatchOptions("auto"), "auto", layer_by_layer_only="--ecotta").mode == "auto"
    check_compatible("off", SimpleNamespace(ternary=None))  # --quantize int8: int8 frozen parts
    with pytest.raises(EdgecError, match="--quantize ternary"):
        check_compatible("off", SimpleNamespace(ternary=object()))
    with pytest.raises(EdgecError, match="--ecotta-block nope: choose residual or paper"):
        insert_meta_networks(ir_cnn(), EcottaOptions(parts=1, block="nope"))
    with pytest.raises(EdgecError, match="--input-outside-arena"):
        check_compatible("off", None, input_outside_arena=True)


def test_bench_adapt_on_the_emulated_m7(tmp_path):
    """edgec bench --adapt: the timed call is one adaptation step on the emulated Cortex-M7; instructions and RAM
    in the table and the JSON. Without --ecotta it is refused before anything is built."""
    from board_helpers import require_tools
    from edgec.board.bench import BenchOptions, run_bench
    from edgec.board.boards import load_board

    require_tools()
    onnx.save(build_model(), tmp_path / "m.onnx")
    with pytest.raises(EdgecError, match="--adapt measures an adaptation step: give --ecotta K"):
        run_bench(tmp_path / "m.onnx", load_board("mps2-an500"), tmp_path / "refused", BenchOptions(adapt=True))
    out = tmp_path / "r.json"
    proc = run_edgec("bench", tmp_path / "m.onnx", "--board", "mps2-an500", "--ecotta", "2", "--ecotta-groups",
                     GROUPS, "--adapt", "--runs", "3", "--no-cycles", "--json", out)
    assert proc.returncode == 0, proc.stderr
    assert "adaptation steps" in proc.stdout and "per adaptation step" in proc.stdout
    r = json.loads(out.read_text())
    a = r["adaptation"]
    assert a["timed"] == "adaptation steps" and len(a["losses"]) == 3 and np.isfinite(a["losses"]).all()
    assert r["latency"]["unit"] == "instructions" and r["instructions"] > 0
    assert a["adaptation_bytes"] == a["arena_bytes_with_adaptation"] - a["inference_arena_bytes"] + a["state_bytes"]
    assert r["ram_bytes"] >= a["arena_bytes_with_adaptation"] + a["state_bytes"]  # the arena and the state are .bss
    assert 0 < r["stack_high_water_bytes"] < r["stack_bytes"]
