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
import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from edgec.build.host import build_host_executable, run_host_executable
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


def run_case(name: str, model: onnx.ModelProto, data_sets, tmp: Path):
    model_path = tmp / "model.onnx"
    onnx.save(model, str(model_path))
    in_names = [i.name for i in model.graph.input]
    in_types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    results = []
    for k, (inputs, outputs) in enumerate(data_sets):
        feed = dict(zip(in_names, inputs))
        bindings = {n: np.asarray(v) for n, v in feed.items() if in_types[n] in INDEX_DTYPES}
        result = compile_model(model_path, "host", tmp / f"out{k}",
                               CompileOptions(name=name, import_options=ImportOptions(bindings=bindings),
                                              measure_code=False))
        report = result.report
        exe = build_host_executable(result.out_dir, report, tmp / f"build{k}")
        got = run_host_executable(exe, report, [feed[i["source_name"]] for i in report["inputs"]], tmp / f"run{k}")
        assert len(got) == len(outputs)
        for info, g, w in zip(report["outputs"], got, outputs):
            assert g.shape == np.asarray(w).shape, f"{info['name']}: shape {g.shape}, expected {np.asarray(w).shape}"
            results.append(compare(info["name"], g, np.asarray(w), RTOL, ATOL))
    return results


RUN = [c for c in CASES if c[0] not in EXCLUDED]


@pytest.mark.parametrize("name,model,data_sets", RUN, ids=[c[0] for c in RUN])
def test_node_case(name, model, data_sets, tmp_path):
    for cmp in run_case(name, model, data_sets, tmp_path):
        assert cmp.ok, f"{cmp.output}: max abs err {cmp.max_abs_err:.3g}, max rel err {cmp.max_rel_err:.3g}"
