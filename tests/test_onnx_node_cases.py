"""The ONNX backend node test cases (onnx.backend.test.case.node) for edgec's float32 operators.

Every case whose graph uses only the operators below (plus Constant/Identity), whose data is float32 (bool
where comparisons, logic and Where make or take it; int64 indices out of ArgMax / ArgMin and MaxPool; integers of
every width for the arithmetic, comparisons, Min / Max, Mod, Pow, Clip and Where of INTEGER_OPERATORS) and whose name is
one of these operators' test names is compiled for the host, built with gcc, run on the case's own inputs and
compared with the case's expected outputs. int64 shape/axes/pads inputs, and the float inputs that parametrise
an operator (Resize's roi and scales), are bound as compile-time constants (ImportOptions.bindings, the CLI's
--bind). Pad's edge/reflect/wrap cases exist only
with int32 data in the ONNX suite; they also run as float32 twins (same values). Cases that cannot be
compiled by a static float32 compiler are listed in EXCLUDED with the reason: edgec must refuse each with a
clear error, and an exclusion that no longer names a selected case fails the suite.
EDGEC_SANITIZE=1 builds the cases with ASan and UBSan. Tolerance: see RTOL/ATOL below.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from edgec.build.host import SANITIZE_FLAGS
from edgec.build.toolchain import WARNING_FLAGS, require_tool, run_tool
from edgec.errors import ToolchainError, UnsupportedModelError
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import run_onnx_reference
from edgec.verify import compare

# Tolerance: |got - want| <= ATOL + RTOL * |want|. RTOL is the 1e-5 relative error the suite promises; ATOL only
# matters for expected values near zero (e.g. sums that cancel), where a relative error is meaningless.
RTOL, ATOL = 1e-5, 1e-6

OPERATORS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh",
    "HardSigmoid", "HardSwish", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten",
    "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Softmax", "Pad", "ReduceMean",
    # element-wise math (one unary kernel with an op code; pow and prelu on the binary kernel)
    "Sum", "Mean", "Max", "Min", "Exp", "Log", "Sqrt", "Pow", "Erf", "Gelu", "PRelu", "Elu", "Selu", "Softplus",
    "Softsign", "Abs", "Neg", "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos", "Sign", "Dropout", "LRN",
    # reductions (one kernel with an op code), log-softmax
    "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
    "ReduceSumSquare", "GlobalMaxPool", "LogSoftmax",
    # data movement (one strided copy)
    "Slice", "Split", "Gather", "Expand", "Tile", "DepthToSpace", "SpaceToDepth",
    # normalisations composed of the mean, binary and unary kernels
    "LayerNormalization", "InstanceNormalization",
    # spatial: resize (taps computed at compile time), transposed convolution
    "Resize", "Upsample", "ConvTranspose",
    # comparisons and logic on bool tensors (bytes), Where
    "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor", "Where",
    # index outputs (int64)
    "ArgMax", "ArgMin",
    # TopK; group normalisation (composed); Mod on the binary kernel. (CumSum has no float32 case:
    # tests/test_onnx_architectures.py checks it against onnxruntime.)
    "TopK", "GroupNormalization", "Mod",
    # trigonometric and hyperbolic functions, activations with parameters (the unary kernel's op codes)
    "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Celu", "Shrink", "ThresholdedRelu",
    # recurrent: one kernel per cell that loops over the sequence (ops/recurrent.py)
    "LSTM", "GRU", "RNN",
    # Einsum (its cases are float64: run as float32 twins, FLOAT32_TWIN_OPS)
    "Einsum",
    # ScatterND (float data; int64 indices bound as constants); BitShift on integer tensors of every width
    "ScatterND", "BitShift",
}
ALSO_ALLOWED = {"Constant", "Identity"}
INDEX_OUTPUT_OPERATORS = {"ArgMax", "ArgMin"}  # (and MaxPool's Indices: its cases also output float32)
# Operators whose cases compute on integer tensors too (edgec_binary_int, edgec_where_int, edgec_bitshift; exact in
# every width): their integer inputs are run-time data, never bound.
INTEGER_OPERATORS = {"BitShift", "Add", "Sub", "Mul", "Div", "Mod", "Pow", "Max", "Min", "Clip", "Equal", "Less",
                     "LessOrEqual", "Greater", "GreaterOrEqual", "Where"}
INTEGER_DTYPES = {TensorProto.UINT8, TensorProto.UINT16, TensorProto.UINT32, TensorProto.UINT64,
                  TensorProto.INT8, TensorProto.INT16, TensorProto.INT32, TensorProto.INT64}
BOOL_OPERATORS = {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor", "Where"}

# Test-name stems per operator, as the ONNX test suite names them (test_<stem>..., incl. _expanded variants).
NAME_STEMS = (
    "conv_", "basic_conv_", "gemm", "matmul_", "add", "sub", "mul", "div", "relu", "clip", "leakyrelu",
    "sigmoid", "tanh", "hardsigmoid", "hardswish", "batchnorm", "maxpool", "averagepool", "globalaveragepool",
    "flatten", "reshape", "squeeze", "unsqueeze", "transpose", "concat", "softmax", "constant_pad", "edge_pad",
    "reflect_pad", "wrap_pad", "reduce_mean",
    "sum", "mean", "max_", "min_", "exp", "log", "sqrt", "pow", "erf", "gelu", "prelu", "elu", "selu", "softplus",
    "softsign", "abs", "neg", "reciprocal", "floor", "ceil", "round", "sin", "cos", "sign", "dropout",
    "training_dropout", "lrn",
    "reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_l1", "reduce_l2", "reduce_log_sum",
    "globalmaxpool", "logsoftmax",
    "slice", "split", "gather_", "expand", "tile", "depthtospace", "spacetodepth",
    "layer_normalization", "instancenorm",
    "resize_", "upsample_", "convtranspose",
    "equal", "less", "greater", "not", "and", "or", "xor", "where", "argmax", "argmin",
    "top_k", "group_normalization", "mod_",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "celu", "shrink", "thresholdedrelu",
    "lstm_", "gru_", "simple_rnn_", "rnn_",
    "scatternd", "bitshift_", "einsum_",
)
# Names matching a stem that belong to another operator.
OTHER_OPERATORS = re.compile(r"^(convinteger|matmulinteger)")

# Inputs that are shapes, axes or pads: bound as constants at compile time.
INDEX_DTYPES = {TensorProto.INT64}
# Inputs that parametrise an operator rather than carry data (Resize's roi and scales; the recurrent ops'
# sequence_lens, int32): bound too, whatever their type.
CONSTANT_INPUTS = {"Resize": (1, 2, 3), "Upsample": (1,), "LSTM": (4,), "GRU": (4,), "RNN": (4,)}

# Pure data-movement operators whose integer-typed ONNX cases are also run as float32 variants (same data,
# cast to float32): the values are moved, not computed, so the expected outputs are exact in float32.
FLOAT_VARIANT_OPS = {"Pad"}
# Operators whose ONNX cases are float64 only: run as float32 twins too (inputs rounded to float32, the float64
# expected outputs compared within RTOL / ATOL: float32 sums of a few terms stay far inside 1e-5).
FLOAT32_TWIN_OPS = {"Einsum"}

EXCLUDED: dict[str, str] = {
    "test_pow_types_int32_float32": "an integer base with a float exponent (onnxruntime rounds a double power back "
                                    "to the integer type); edgec raises integers to integer powers only",
    "test_pow_types_int64_float32": "an integer base with a float exponent (onnxruntime rounds a double power back "
                                    "to the integer type); edgec raises integers to integer powers only",
}

# Cases whose expected outputs the ONNX test writes out by hand with 4 decimals (not all correctly rounded:
# 0.2841 for 0.284044): compared to those within one unit of the 4th decimal, and to onnxruntime on the same
# inputs within RTOL/ATOL.
ROUNDED_EXPECTED: dict[str, str] = {
    "test_averagepool_2d_ceil_last_window_starts_on_pad":
        "expected output is given as [0.1511, 0.2841, 0.3572]; the exact means are 0.1510555, 0.2840444, 0.3572222",
}
ROUNDED_ATOL = 1e-4


def _dtype_names(model: onnx.ModelProto) -> set[int]:
    """The element types of the graph's inputs (but those bound as constants, CONSTANT_INPUTS) and outputs."""
    bound = {node.input[i] for node in model.graph.node for i in CONSTANT_INPUTS.get(node.op_type, ())
             if i < len(node.input)}
    return {v.type.tensor_type.elem_type for v in list(model.graph.input) + list(model.graph.output)
            if v.name not in bound}


def _named_after_operator(name: str) -> bool:
    stem = name[len("test_"):]
    return stem.startswith(NAME_STEMS) and not OTHER_OPERATORS.match(stem)


def _float_variant(case):
    """A float32 twin of an integer case of a data-movement operator (or of a float64 case), or None."""
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    changed = False
    for v in list(model.graph.input) + list(model.graph.output):
        tt = v.type.tensor_type
        if tt.elem_type not in INDEX_DTYPES | {TensorProto.FLOAT}:
            tt.elem_type = TensorProto.FLOAT
            changed = True
    if not changed:
        return None
    def cast(arrays, values):
        out = []
        for a, v in zip(arrays, values):
            a = np.asarray(a)
            if v.type.tensor_type.elem_type == TensorProto.FLOAT and a.dtype != np.float32:
                assert a.dtype.kind == "f" or np.all(np.abs(a) < 2**24), "integers beyond 2**24 are not exact in float32"
                a = a.astype(np.float32)
            out.append(a)
        return out

    data = [(cast(ins, model.graph.input), cast(outs, model.graph.output)) for ins, outs in case.data_sets]
    return model, data


def select_cases():
    """(name, model, data_sets) for every case of the suite, in the ONNX suite's order."""
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    selected = []
    for case in cases:
        if case.model is None or not _named_after_operator(case.name):
            continue
        ops = {n.op_type for n in case.model.graph.node}
        if not ops <= OPERATORS | ALSO_ALLOWED or not ops & OPERATORS and not ops & ALSO_ALLOWED:
            continue
        dtypes = _dtype_names(case.model)
        # int64 inputs are bound as constants; a case whose outputs are all integer computes no float at all
        # (bool tensors only where a comparison, logic op or Where makes or takes them; int64 outputs of ArgMax)
        out_dtypes = {v.type.tensor_type.elem_type for v in case.model.graph.output}
        allowed = ({TensorProto.FLOAT} | ({TensorProto.BOOL} if ops & BOOL_OPERATORS else set())
                   | (INTEGER_DTYPES if ops & INTEGER_OPERATORS else set()))
        if dtypes <= allowed | INDEX_DTYPES and (out_dtypes & allowed or ops & INDEX_OUTPUT_OPERATORS):
            selected.append((case.name, case.model, case.data_sets))
        elif (ops & FLOAT_VARIANT_OPS and ops <= FLOAT_VARIANT_OPS | ALSO_ALLOWED
              or ops & FLOAT32_TWIN_OPS and ops <= FLOAT32_TWIN_OPS | ALSO_ALLOWED and dtypes == {TensorProto.DOUBLE}):
            variant = _float_variant(case)
            if variant is not None:
                selected.append((case.name + "_float32", *variant))
    return selected


def cached_cases():
    """select_cases(), cached on disk: collect_testcases(None) runs every ONNX node test generator (~20 s),
    and each pytest-xdist worker would run it again. The cache is keyed by the onnx version and the selection
    code and constants, so a change to either recollects; a lock lets one process collect while the others
    wait."""
    selection = [inspect.getsource(f) for f in (select_cases, _float_variant, _named_after_operator, _dtype_names)]
    selection += [repr(sorted(v)) for v in (OPERATORS, ALSO_ALLOWED, NAME_STEMS, INDEX_DTYPES, FLOAT_VARIANT_OPS, FLOAT32_TWIN_OPS,
                                            BOOL_OPERATORS, INDEX_OUTPUT_OPERATORS, INTEGER_OPERATORS, INTEGER_DTYPES)]
    selection += [repr(sorted(CONSTANT_INPUTS.items()))]
    selection += [OTHER_OPERATORS.pattern, onnx.__version__]
    key = hashlib.sha256("\n".join(selection).encode()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / f"edgec-onnx-node-cases-{onnx.__version__}-{key}"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(str(root) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        index = root / "index.txt"
        if not index.exists():
            tmp = Path(tempfile.mkdtemp(prefix=root.name + "-", dir=root.parent))
            names = []
            for name, model, data_sets in select_cases():
                onnx.save(model, str(tmp / f"{name}.onnx"))
                arrays = {f"{k}_{kind}_{i}": np.asarray(a) for k, (ins, outs) in enumerate(data_sets)
                          for kind, arrs in (("in", ins), ("out", outs)) for i, a in enumerate(arrs)}
                np.savez(tmp / f"{name}.npz", **arrays)
                names.append(f"{name} {len(data_sets)}")
            (tmp / "index.txt").write_text("\n".join(names) + "\n")
            if root.exists():
                shutil.rmtree(root)
            os.replace(tmp, root)
    cases = []
    for line in index.read_text().splitlines():
        name, n_sets = line.split()
        model = onnx.load(str(root / f"{name}.onnx"))
        with np.load(root / f"{name}.npz") as z:
            data_sets = [([z[f"{k}_in_{i}"] for i in range(len(model.graph.input)) if f"{k}_in_{i}" in z],
                          [z[f"{k}_out_{i}"] for i in range(len(model.graph.output)) if f"{k}_out_{i}" in z])
                         for k in range(int(n_sets))]
        cases.append((name, model, data_sets))
    return cases


CASES = cached_cases()


def test_exclusions_are_selected_cases():
    names = {name for name, _, _ in CASES}
    stale = sorted((set(EXCLUDED) | set(ROUNDED_EXPECTED)) - names)
    assert not stale, f"exclusions for cases that are not in the suite: {stale}"


def test_excluded_cases_are_refused(tmp_path):
    """edgec refuses each excluded case (none at present) with a clear error, never compiles it into something
    wrong."""
    for name in sorted(EXCLUDED):
        model, data_sets = next((m, d) for n, m, d in CASES if n == name)
        with pytest.raises(UnsupportedModelError):
            compile_case(name, 0, model, data_sets[0][0], tmp_path / name)


def test_suite_is_not_empty():
    ops = {n.op_type for _, model, _ in CASES for n in model.graph.node} & OPERATORS
    assert ops == OPERATORS, f"operators without a node case: {sorted(OPERATORS - ops)}"


class GroupBuilds:
    """Compiles the cases of one operator group with edgec and builds them into one host executable.

    One gcc run per group (instead of one per case) keeps the suite fast: the kernels compile once and the
    link happens once. A case that edgec cannot compile keeps its exception for its own test; if the group
    build fails, each case is built on its own so that one bad case cannot hide the others.
    """

    def __init__(self, root: Path):
        self.root = root
        self.groups: dict[str, dict[str, object]] = {}

    def get(self, group: str) -> dict[str, object]:
        if group not in self.groups:
            self.groups[group] = self._build(group, [c for c in RUN if group_of(c[1]) == group])
        return self.groups[group]

    def _build(self, group: str, cases) -> dict[str, object]:
        gdir = self.root / group
        units, result = [], {}
        for name, model, data_sets in cases:
            for k, (inputs, _) in enumerate(data_sets):
                key = f"{name}#{k}"
                try:
                    units.append((key, compile_case(name, k, model, inputs, gdir / f"{name}_{k}")))
                except Exception as exc:  # reported by the case's own test
                    result[key] = exc
        if units:
            try:
                exe = build_units(units, gdir / "build")
                result.update({key: (report, exe, i) for i, (key, report) in enumerate(units)})
            except ToolchainError:
                for key, report in units:
                    try:
                        result[key] = (report, build_units([(key, report)], gdir / f"build_{key}"), 0)
                    except ToolchainError as exc:
                        result[key] = exc
        return result


def group_of(model: onnx.ModelProto) -> str:
    return "_".join(sorted({n.op_type for n in model.graph.node} & OPERATORS)) or "Identity"


def compile_case(name: str, k: int, model: onnx.ModelProto, inputs, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / "model.onnx"
    onnx.save(model, str(model_path))
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    feed = dict(zip(types, inputs))
    params = {node.input[i] for node in model.graph.node for i in CONSTANT_INPUTS.get(node.op_type, ())
              if i < len(node.input)}
    data = {i for node in model.graph.node if node.op_type in INTEGER_OPERATORS for i in node.input}
    bindings = {n: np.asarray(v) for n, v in feed.items()
                if (types[n] in INDEX_DTYPES and n not in data) or n in params}
    result = compile_model(model_path, "host", out / "c",
                           CompileOptions(name=f"{name}_{k}", import_options=ImportOptions(bindings=bindings),
                                          measure_code=False))
    report = result.report
    report["c_dir"] = str(result.out_dir)
    report["feed"] = [feed[i["source_name"]] for i in report["inputs"]]
    return report


def build_units(units, build_dir: Path) -> Path:
    """One executable for several compiled models: `exe INDEX IN... OUT...` runs model INDEX."""
    build_dir.mkdir(parents=True, exist_ok=True)
    sources, kernels = [], {}
    lines = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>", "",
             "static int load(const char *path, void *dst, size_t n) {",
             '    FILE *f = fopen(path, "rb"); if (!f) return -1;',
             "    size_t got = fread(dst, 1, n, f); fclose(f); return got == n ? 0 : -1;", "}",
             "static int save(const char *path, const void *src, size_t n) {",
             '    FILE *f = fopen(path, "wb"); if (!f) return -1;',
             "    size_t put = fwrite(src, 1, n, f); fclose(f); return put == n ? 0 : -1;", "}", ""]
    cases = []
    for i, (_, report) in enumerate(units):
        c_dir = Path(report["c_dir"])
        sources += [str(c_dir / "model.c"), str(c_dir / "weights.c")]
        for src in sorted(c_dir.glob("edgec_*.c")):
            kernels.setdefault(src.name, str(src))
        n_in, n_out = len(report["inputs"]), len(report["outputs"])
        fn = f"{report['name']}_run"
        lines.append(f"int {fn}({', '.join(['const void *'] * n_in + ['void *'] * n_out)});")
        body = [f"    case {i}: {{", f"        if (argc != {2 + n_in + n_out}) return 2;"]
        for j, t in enumerate(report["inputs"]):
            body.append(f"        void *in{j} = malloc({max(t['bytes'], 1)}); if (!in{j} || load(argv[{2 + j}], in{j}, {t['bytes']})) return 3;")
        for j, t in enumerate(report["outputs"]):
            body.append(f"        void *out{j} = malloc({max(t['bytes'], 1)}); if (!out{j}) return 3;")
        args = ", ".join([f"in{j}" for j in range(n_in)] + [f"out{j}" for j in range(n_out)])
        body.append(f"        if ({fn}({args}) != 0) return 4;")
        for j, t in enumerate(report["outputs"]):
            body.append(f"        if (save(argv[{2 + n_in + j}], out{j}, {t['bytes']})) return 5;")
        body += [f"        free(in{j});" for j in range(n_in)] + [f"        free(out{j});" for j in range(n_out)]
        body += ["        return 0;", "    }"]
        cases += body
    lines += ["", "int main(int argc, char **argv) {", "    if (argc < 2) return 2;", "    switch (atoi(argv[1])) {",
              *cases, "    default: return 2;", "    }", "}", ""]
    driver = build_dir / "driver.c"
    driver.write_text("\n".join(lines))
    exe = build_dir / "cases"
    sanitize = SANITIZE_FLAGS if os.environ.get("EDGEC_SANITIZE") == "1" else []
    run_tool([require_tool("gcc"), "-O2", "-std=c99", *WARNING_FLAGS, *sanitize, *sources, *kernels.values(),
              str(driver), "-o", str(exe), "-lm"], "building node cases")
    return exe


def run_unit(exe: Path, index: int, report: dict, work: Path) -> list[np.ndarray]:
    work.mkdir(parents=True, exist_ok=True)
    args = [str(exe), str(index)]
    for j, (arr, info) in enumerate(zip(report["feed"], report["inputs"])):
        path = work / f"in{j}.bin"
        path.write_bytes(np.ascontiguousarray(arr, dtype=info["dtype"]).reshape(info["shape"]).tobytes())
        args.append(str(path))
    outs = [work / f"out{j}.bin" for j in range(len(report["outputs"]))]
    proc = subprocess.run(args + [str(o) for o in outs], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"the model's run exited with {proc.returncode}: {proc.stderr[-2000:]}"
    return [np.fromfile(o, dtype=info["dtype"]).reshape(info["shape"]) for o, info in zip(outs, report["outputs"])]


@pytest.fixture(scope="session")
def group_builds(tmp_path_factory) -> GroupBuilds:
    return GroupBuilds(tmp_path_factory.mktemp("node_cases"))


RUN = [c for c in CASES if c[0] not in EXCLUDED]


@pytest.mark.parametrize("name,model,data_sets", RUN, ids=[c[0] for c in RUN])
def test_node_case(name, model, data_sets, group_builds, tmp_path):
    built = group_builds.get(group_of(model))
    for k, (_, outputs) in enumerate(data_sets):
        unit = built[f"{name}#{k}"]
        if isinstance(unit, Exception):
            raise unit
        report, exe, index = unit
        got = run_unit(exe, index, report, tmp_path / f"run{k}")
        assert len(got) == len(outputs)
        for info, g, w in zip(report["outputs"], got, outputs):
            w = np.asarray(w)
            assert g.shape == w.shape, f"{info['name']}: shape {g.shape}, expected {w.shape}"
            if name in ROUNDED_EXPECTED:
                cmp = compare(info["name"], g, w, 0.0, ROUNDED_ATOL)
                assert cmp.ok, f"{cmp.output}: max abs err {cmp.max_abs_err:.3g} from the 4-decimal expected values"
            else:
                cmp = compare(info["name"], g, w, RTOL, ATOL)
                assert cmp.ok, f"{cmp.output}: max abs err {cmp.max_abs_err:.3g}, max rel err {cmp.max_rel_err:.3g}"
        if name in ROUNDED_EXPECTED:
            model_path = tmp_path / "model.onnx"
            onnx.save(model, str(model_path))
            feed = dict(zip([i.name for i in model.graph.input], data_sets[k][0]))
            for info, g, w in zip(report["outputs"], got, run_onnx_reference(model_path, feed)):
                cmp = compare(info["name"], g, w, RTOL, ATOL)
                assert cmp.ok, f"{cmp.output} vs onnxruntime: max abs err {cmp.max_abs_err:.3g}, max rel err {cmp.max_rel_err:.3g}"
