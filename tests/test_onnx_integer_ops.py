"""Element-wise arithmetic, comparisons, Min / Max, Mod, Pow, Clip and Where on integer tensors of every width
(ops/integer_binary.py, runtimes/reference/edgec_binary_int.c, edgec_where_int.c): one model with a node per
operator and type, broadcast operands and values over each type's whole range (int64 far beyond 2^24, where a
float32 emulation would fail), compiled for the host and compared bit for bit with onnxruntime; the few pairs
onnxruntime has no kernel for (Min / Max / Clip / Where of 16-bit types, Where of uint64, Pow but of int32 / int64) with
NumPy. The ONNX suite's own integer cases run in test_onnx_node_cases.py."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto as T
from onnx import helper as h

from conftest import COMPILERS, assert_compiles_warning_free
from edgec.build.host import build_host_executable, run_host_executable
from edgec.errors import UnsupportedModelError
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import run_onnx_reference

TYPES = {"int8": T.INT8, "int16": T.INT16, "int32": T.INT32, "int64": T.INT64, "uint8": T.UINT8, "uint16": T.UINT16,
         "uint32": T.UINT32, "uint64": T.UINT64}
ARITHMETIC = ["Add", "Sub", "Mul", "Div", "Mod", "Max", "Min"]
COMPARISONS = ["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"]
# (operator, types) that onnxruntime 1.x has no CPU kernel for: their reference is NumPy.
NUMPY_ONLY = {("Max", t) for t in ("int16", "uint16")} | {("Min", t) for t in ("int16", "uint16")} \
    | {("Clip", t) for t in ("int16", "uint16")} | {("Where", t) for t in ("int16", "uint16", "uint64")} | {("Pow", t) for t in TYPES if t not in ("int32", "int64")}
NUMPY = {"Max": np.maximum, "Min": np.minimum}


def random_values(rng, dtype: str, shape, nonzero: bool = False) -> np.ndarray:
    """Values over the type's whole range, its extremes included; for a division's operands no zero divisor and
    no most-negative dividend (C leaves x / 0 and INT_MIN / -1 undefined, and onnxruntime traps)."""
    info = np.iinfo(dtype)
    v = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    flat = v.reshape(-1)
    flat[:2] = (info.max, info.min + 1 if info.min else 1)
    if nonzero:
        flat[flat == 0] = 7
        if info.min:
            flat[flat == info.min] = info.min + 1
            flat[-1] = -1
    return v


def integer_model(rng):
    """One node per (operator, type): x [2, 3, 4] OP y [3, 1]; Pow on small bases and exponents (onnxruntime raises
    through double, exact there); Clip between two scalars; Where on a broadcast condition."""
    nodes, inputs, outputs, feed = [], [], [], {}
    ort_outputs, numpy_want = [], {}

    def add_input(name, elem, value):
        inputs.append(h.make_tensor_value_info(name, elem, list(value.shape)))
        feed[name] = value

    def add_output(name, elem, shape, op, dtype, want=None):
        outputs.append(h.make_tensor_value_info(name, elem, shape))
        if (op, dtype) in NUMPY_ONLY:
            numpy_want[name] = want
        else:
            ort_outputs.append(name)

    feed_cond = rng.integers(0, 2, (3, 1)).astype(bool)
    add_input("cond", T.BOOL, feed_cond)
    for dtype, elem in TYPES.items():
        x, y = random_values(rng, dtype, (2, 3, 4), nonzero=True), random_values(rng, dtype, (3, 1), nonzero=True)
        add_input(f"x_{dtype}", elem, x)
        add_input(f"y_{dtype}", elem, y)
        for op in ARITHMETIC + COMPARISONS:
            for fmod in ((0, 1) if op == "Mod" else (None,)):
                out = f"{op}{'' if fmod is None else fmod}_{dtype}"
                attrs = {} if fmod is None else {"fmod": fmod}
                nodes.append(h.make_node(op, [f"x_{dtype}", f"y_{dtype}"], [out], **attrs))
                want = NUMPY[op](x, y) if op in NUMPY else None
                add_output(out, T.BOOL if op in COMPARISONS else elem, [2, 3, 4], op, dtype, want)
        nodes.append(h.make_node("Where", ["cond", f"x_{dtype}", f"y_{dtype}"], [f"Where_{dtype}"]))
        add_output(f"Where_{dtype}", elem, [2, 3, 4], "Where", dtype, np.where(feed_cond, x, y))
        lo, hi = np.sort(random_values(rng, dtype, (2,)))
        add_input(f"lo_{dtype}", elem, np.array(lo, dtype))
        add_input(f"hi_{dtype}", elem, np.array(hi, dtype))
        nodes.append(h.make_node("Clip", [f"x_{dtype}", f"lo_{dtype}", f"hi_{dtype}"], [f"Clip_{dtype}"]))
        add_output(f"Clip_{dtype}", elem, [2, 3, 4], "Clip", dtype, np.clip(x, lo, hi))
        signed = np.iinfo(dtype).min < 0
        base = rng.integers(-6 if signed else 0, 7, (2, 3, 4)).astype(dtype)
        base[base == 0] = 3  # 0 to a negative power is infinite in onnxruntime's double
        exponent = rng.integers(-2 if signed else 0, 6, (3, 1)).astype(dtype)
        add_input(f"base_{dtype}", elem, base)
        add_input(f"exponent_{dtype}", elem, exponent)
        nodes.append(h.make_node("Pow", [f"base_{dtype}", f"exponent_{dtype}"], [f"Pow_{dtype}"]))
        pairs = zip(*(a.reshape(-1) for a in np.broadcast_arrays(base, exponent)))
        want = np.array([int_power(int(b), int(e), dtype) for b, e in pairs], dtype).reshape(2, 3, 4)
        add_output(f"Pow_{dtype}", elem, [2, 3, 4], "Pow", dtype, want)
    model = h.make_model(h.make_graph(nodes, "integers", inputs, outputs), opset_imports=[h.make_opsetid("", 18)])
    return model, feed, ort_outputs, numpy_want


def int_power(base: int, exponent: int, dtype: str) -> int:
    """ONNX Pow of integers: the exact power wrapped to the type; a negative exponent truncates the real result."""
    if exponent < 0:
        return 1 if base == 1 else (base if exponent % 2 else 1) if base == -1 else 0
    bits = np.iinfo(dtype).bits
    v = (base ** exponent) % (1 << bits)
    return v - (1 << bits) if np.iinfo(dtype).min < 0 and v >= 1 << (bits - 1) else v


def test_integer_elementwise_matches_onnxruntime(tmp_path):
    model, feed, ort_outputs, numpy_want = integer_model(np.random.default_rng(9))
    path = tmp_path / "model.onnx"
    onnx.save(model, str(path))
    # one planner: the best-of-all search over this model's ~270 tensors takes 40 s, and the arena is not the point
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False, planner="greedy-by-size"))
    report = result.report
    exe = build_host_executable(result.out_dir, report, tmp_path / "build")
    got = dict(zip([o.name for o in model.graph.output],
                   run_host_executable(exe, report, [feed[i["source_name"]] for i in report["inputs"]], tmp_path / "run")))
    # onnxruntime on the nodes it has kernels for (a second model without the others' outputs)
    ort_model = onnx.ModelProto()
    ort_model.CopyFrom(model)
    keep = set(ort_outputs)
    graph = ort_model.graph
    for node in [n for n in graph.node if n.output[0] not in keep]:
        graph.node.remove(node)
    for out in [o for o in graph.output if o.name not in keep]:
        graph.output.remove(out)
    used = {i for n in graph.node for i in n.input}
    for inp in [i for i in graph.input if i.name not in used]:
        graph.input.remove(inp)
    ort_path = tmp_path / "ort.onnx"
    onnx.save(ort_model, str(ort_path))
    want = dict(zip(ort_outputs, run_onnx_reference(ort_path, {i.name: feed[i.name] for i in graph.input})))
    want.update(numpy_want)
    assert set(want) == set(got)
    wrong = [f"{name}: {got[name].reshape(-1)[:6].tolist()} != {np.asarray(w).reshape(-1)[:6].tolist()}"
             for name, w in want.items()
             if got[name].dtype != np.asarray(w).dtype or not np.array_equal(got[name], w)]
    assert not wrong, "\n".join(wrong)
    for cc, flags in COMPILERS:
        obj = tmp_path / f"obj_{cc}_{flags[0]}"
        obj.mkdir()
        assert_compiles_warning_free(result.out_dir, obj, cc, flags)


@pytest.mark.parametrize("x_type,y_type,reason", [
    (T.INT32, T.FLOAT, r"Pow of an int32 base with a float exponent"),
    (T.INT32, T.INT64, r"relax.power of int32 and int64"),
])
def test_pow_refusals_name_the_node(x_type, y_type, reason, tmp_path):
    node = h.make_node("Pow", ["x", "y"], ["z"], name="the_pow")
    graph = h.make_graph([node], "pow", [h.make_tensor_value_info("x", x_type, [4]),
                                         h.make_tensor_value_info("y", y_type, [4])],
                         [h.make_tensor_value_info("z", x_type, [4])])
    path = tmp_path / "pow.onnx"
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 18)]), str(path))
    with pytest.raises(UnsupportedModelError, match=reason):
        compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
