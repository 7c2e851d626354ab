"""Bad input gets a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper

from conftest import TINY_CNN, run_edgec


def assert_clean_failure(proc, *fragments: str, code: int | None = None) -> None:
    assert proc.returncode != 0, proc.stdout
    if code is not None:
        assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    for frag in fragments:
        assert frag in proc.stderr, proc.stderr


def test_missing_file(tmp_path):
    assert_clean_failure(run_edgec("compile", tmp_path / "nope.onnx", "-o", tmp_path / "out"), "no such file")


def test_truncated_onnx(tmp_path):
    data = TINY_CNN.read_bytes()
    bad = tmp_path / "truncated.onnx"
    bad.write_bytes(data[: len(data) // 2])
    assert_clean_failure(run_edgec("compile", bad, "-o", tmp_path / "out"), "truncated.onnx")


def test_not_a_model(tmp_path):
    bad = tmp_path / "notes.onnx"
    bad.write_text("this is not a model\n" * 20)
    assert_clean_failure(run_edgec("compile", bad, "-o", tmp_path / "out"), "notes.onnx")


def test_truncated_tflite(tmp_path, mlperf_dir):
    data = (mlperf_dir / "ad01_fp32.tflite").read_bytes()
    bad = tmp_path / "ad.tflite"
    bad.write_bytes(data[: len(data) // 3])
    assert_clean_failure(run_edgec("compile", bad, "-o", tmp_path / "out"), "ad.tflite")


def test_not_a_tflite(tmp_path):
    bad = tmp_path / "x.tflite"
    bad.write_bytes(b"\x00" * 64)
    assert_clean_failure(run_edgec("compile", bad, "-o", tmp_path / "out"), "not a TFLite flatbuffer")


def test_unknown_format(tmp_path):
    bad = tmp_path / "model.pb"
    bad.write_bytes(b"x")
    assert_clean_failure(run_edgec("compile", bad, "-o", tmp_path / "out"), "unknown model format")


def test_unsupported_operators_are_all_listed(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    nodes = [
        helper.make_node("Mish", ["x"], ["a"], name="mish_1"),
        helper.make_node("Relu", ["a"], ["b"], name="relu_ok"),
        helper.make_node("Hardmax", ["b"], ["c"], name="hardmax_2"),
        helper.make_node("Mish", ["c"], ["y"], name="mish_3"),
    ]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y]), opset_imports=[helper.make_opsetid("", 18)])
    path = tmp_path / "unsupported.onnx"
    onnx.save(model, str(path))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert_clean_failure(proc, "3 unsupported node(s)", "'mish_1' (Mish)", "'hardmax_2' (Hardmax)", "'mish_3' (Mish)")
    assert "relu_ok" not in proc.stderr


def test_does_not_fit_says_by_how_much(tmp_path):
    proc = run_edgec("compile", TINY_CNN, "--target", "cortex-m7", "--sram", "1000", "-o", tmp_path / "out")
    assert_clean_failure(proc, "does not fit", "SRAM", "over", code=3)
    report = (tmp_path / "out" / "report.json").read_text()
    assert '"fits": false' in report


def test_missing_compiler(tmp_path):
    cfg = tmp_path / "toolchain.toml"
    cfg.write_text('default_target = "cortex-m7"\n[targets.cortex-m7]\ncc = "arm-none-eabi-gcc-does-not-exist"\n')
    proc = run_edgec("compile", TINY_CNN, "--config", cfg, "-o", tmp_path / "out")
    assert_clean_failure(proc, "arm-none-eabi-gcc-does-not-exist", "not found")
    # opting out of the code-size measurement compiles without it, and says flash counts weights only
    proc = run_edgec("compile", TINY_CNN, "--config", cfg, "--no-code-size", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "not measured" in proc.stdout


def test_unknown_target(tmp_path):
    assert_clean_failure(run_edgec("compile", TINY_CNN, "--target", "z80", "-o", tmp_path / "out"),
                         "unknown target 'z80'", "cortex-m7")


def test_bad_input_shape_option(tmp_path):
    assert_clean_failure(run_edgec("compile", TINY_CNN, "--input-shape", "input=1,x", "-o", tmp_path / "out"),
                         "--input-shape")
    assert_clean_failure(run_edgec("compile", TINY_CNN, "--input-shape", "nope=1,1,32,32", "-o", tmp_path / "out"),
                         "no input named 'nope'")


def test_dynamic_input_needs_a_shape(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])
    model = helper.make_model(helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y]),
                              opset_imports=[helper.make_opsetid("", 13)])
    path = tmp_path / "dyn.onnx"
    onnx.save(model, str(path))
    assert_clean_failure(run_edgec("compile", path, "-o", tmp_path / "out"), "--input-shape", "batch")
    ok = run_edgec("verify", path, "--input-shape", "x=2,4")
    assert ok.returncode == 0, ok.stderr


def test_bind_unknown_input(tmp_path):
    npy = tmp_path / "v.npy"
    np.save(npy, np.array([1, 2], np.int64))
    assert_clean_failure(run_edgec("compile", TINY_CNN, "--bind", f"shape={npy}", "-o", tmp_path / "out"),
                         "no input named 'shape'")


def test_bind_makes_a_shape_input_constant(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6])
    s = helper.make_tensor_value_info("shape", TensorProto.INT64, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])
    model = helper.make_model(
        helper.make_graph([helper.make_node("Reshape", ["x", "shape"], ["r"]), helper.make_node("Relu", ["r"], ["y"])],
                          "g", [x, s], [y]),
        opset_imports=[helper.make_opsetid("", 13)])
    path = tmp_path / "reshape.onnx"
    onnx.save(model, str(path))
    npy = tmp_path / "shape.npy"
    np.save(npy, np.array([3, 4], np.int64))
    proc = run_edgec("verify", path, "--bind", f"shape={npy}")
    assert proc.returncode == 0, proc.stderr


def test_tflite_unsupported_operators_are_all_listed(tmp_path, mlperf_dir):
    """KWS with its depthwise convolutions and softmax turned into operators edgec has no kernel for."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf((mlperf_dir / "kws_ref_model_float32.tflite").read_bytes(), 0)
    replace = {schema.BuiltinOperator.DEPTHWISE_CONV_2D: schema.BuiltinOperator.BUCKETIZE,
               schema.BuiltinOperator.SOFTMAX: schema.BuiltinOperator.SEGMENT_SUM}
    for code in model.operatorCodes:
        op = max(code.builtinCode, code.deprecatedBuiltinCode)
        if op in replace:
            code.builtinCode = replace[op]
            code.deprecatedBuiltinCode = min(replace[op], 127)
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path = tmp_path / "kws_unsupported.tflite"
    path.write_bytes(bytes(builder.Output()))

    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert_clean_failure(proc, "5 unsupported node(s)", "(BUCKETIZE)", "(SEGMENT_SUM)")
    assert proc.stderr.count("(BUCKETIZE)") == 4 and proc.stderr.count("(SEGMENT_SUM)") == 1
    assert "Identity" in proc.stderr  # the softmax's output tensor names the node
