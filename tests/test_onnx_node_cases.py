"""The ONNX backend node test cases (onnx.backend.test.case.node) for edgec's float32 operators.

Every case whose graph uses only the operators below (plus Constant/Identity), whose data is float32 and
whose name is one of these operators' test names is compiled for the host, built with gcc, run on the case's
own inputs and compared with the case's expected outputs. int64 shape/axes/pads inputs are bound as
compile-time constants (ImportOptions.bindings, the CLI's --bind). Cases that cannot be compiled by a static
float32 compiler are listed in EXCLUDED with the reason; the suite fails if an excluded case is not selected
(a stale exclusion) or if a selected case is neither run nor excluded.
"""

from __future__ import annotations

import re
import subprocess
import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from edgec.build.toolchain import WARNING_FLAGS, require_tool, run_tool
from edgec.errors import ToolchainError
from edgec.frontend import ImportOptions
from edgec.pipeline import CompileOptions, compile_model
from edgec.verify import compare

# Tolerance: |got - want| <= ATOL + RTOL * |want|. RTOL is the 1e-5 relative error the suite promises; ATOL only
# matters for expected values near zero (e.g. sums that cancel), where a relative error is meaningless.
RTOL, ATOL = 1e-5, 1e-6

OPERATORS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh",
    "HardSigmoid", "HardSwish", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten",
    "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Softmax", "Pad", "ReduceMean",
}
ALSO_ALLOWED = {"Constant", "Identity"}

# Test-name stems per operator, as the ONNX test suite names them (test_<stem>..., incl. _expanded variants).
NAME_STEMS = (
    "conv_", "basic_conv_", "gemm", "matmul_", "add", "sub", "mul", "div", "relu", "clip", "leakyrelu",
    "sigmoid", "tanh", "hardsigmoid", "hardswish", "batchnorm", "maxpool", "averagepool", "globalaveragepool",
    "flatten", "reshape", "squeeze", "unsqueeze", "transpose", "concat", "softmax", "constant_pad", "edge_pad",
    "reflect_pad", "wrap_pad", "reduce_mean",
)
# Names matching a stem that belong to another operator.
OTHER_OPERATORS = re.compile(r"^(convinteger|convtranspose|matmulinteger)")

# Inputs that are shapes, axes or pads: bound as constants at compile time.
INDEX_DTYPES = {TensorProto.INT64}

# Pure data-movement operators whose integer-typed ONNX cases are also run as float32 variants (same data,
# cast to float32): the values are moved, not computed, so the expected outputs are exact in float32.
FLOAT_VARIANT_OPS = {"Pad"}

EXCLUDED: dict[str, str] = {
    "test_maxpool_with_argmax_2d_precomputed_pads":
        "second output 'Indices' is int64 (argmax indices); edgec compiles float32 models",
    "test_maxpool_with_argmax_2d_precomputed_strides":
        "second output 'Indices' is int64 (argmax indices); edgec compiles float32 models",
    "test_batchnorm_example_training_mode":
        "training_mode=1: computes batch statistics and outputs running mean/var updates; edgec compiles inference",
    "test_batchnorm_epsilon_training_mode":
        "training_mode=1: computes batch statistics and outputs running mean/var updates; edgec compiles inference",
}


def _dtype_names(model: onnx.ModelProto) -> set[int]:
    return {v.type.tensor_type.elem_type for v in list(model.graph.input) + list(model.graph.output)}


def _named_after_operator(name: str) -> bool:
    stem = name[len("test_"):]
    return stem.startswith(NAME_STEMS) and not OTHER_OPERATORS.match(stem)


def _float_variant(case):
    """A float32 twin of an integer case of a data-movement operator, or None."""
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
    data = []
    for inputs, outputs in case.data_sets:
        cast = lambda arrs, vals: [a if np.asarray(a).dtype == np.int64 or v.type.tensor_type.elem_type != TensorProto.FLOAT  # noqa: E731
                                   else np.asarray(a).astype(np.float32) for a, v in zip(arrs, vals)]
        data.append((cast(inputs, model.graph.input), cast(outputs, model.graph.output)))
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
        if dtypes <= {TensorProto.FLOAT} | INDEX_DTYPES:
            selected.append((case.name, case.model, case.data_sets))
        elif ops & FLOAT_VARIANT_OPS and ops <= FLOAT_VARIANT_OPS | ALSO_ALLOWED:
            variant = _float_variant(case)
            if variant is not None:
                selected.append((case.name + "_float32", *variant))
    return selected


CASES = select_cases()


def test_exclusions_are_selected_cases():
    names = {name for name, _, _ in CASES}
    stale = sorted(set(EXCLUDED) - names)
    assert not stale, f"exclusions for cases that are not in the suite: {stale}"


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
    bindings = {n: np.asarray(v) for n, v in feed.items() if types[n] in INDEX_DTYPES}
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
        body += ["        return 0;", "    }"]
        cases += body
    lines += ["", "int main(int argc, char **argv) {", "    if (argc < 2) return 2;", "    switch (atoi(argv[1])) {",
              *cases, "    default: return 2;", "    }", "}", ""]
    driver = build_dir / "driver.c"
    driver.write_text("\n".join(lines))
    exe = build_dir / "cases"
    run_tool([require_tool("gcc"), "-O2", "-std=c99", *WARNING_FLAGS, *sources, *kernels.values(), str(driver),
              "-o", str(exe), "-lm"], "building node cases")
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
            cmp = compare(info["name"], g, w, RTOL, ATOL)
            assert cmp.ok, f"{cmp.output}: max abs err {cmp.max_abs_err:.3g}, max rel err {cmp.max_rel_err:.3g}"
