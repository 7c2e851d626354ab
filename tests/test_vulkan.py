"""--target vulkan: GLSL compute shader templates compiled to SPIR-V at compile time, a plain-C host that dlopens
libvulkan, run on lavapipe (Mesa's CPU Vulkan driver), against onnxruntime within the float tolerance (toolchain.toml:
rtol 1e-4, atol 1e-5).

The per-operator cases are test_opencl.py's model (one branch per case, shapes drawn from a fixed seed): one compile,
one binary, which the profiling and no-driver cases reuse. MobileNetV2 0.35/96 runs end to end through
`edgec verify --target vulkan`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import onnx
import pytest
from onnx import TensorProto, helper

from conftest import REPO, require, run_edgec
from test_opencl import (HYBRID_KERNELS, build_op_cases, check_host_code_warning_free, check_op_cases,
                         check_unsupported_named, compile_gpu, fold_batchnorm, host_command, init_failure)


def lavapipe_available() -> None:
    """The tests need glslangValidator (glslang-tools) to compile the shaders and a Vulkan device: lavapipe
    (mesa-vulkan-drivers) behind the loader (libvulkan1); vulkaninfo (vulkan-tools) lists it."""
    require("glslangValidator")
    require("vulkaninfo")
    proc = subprocess.run(["vulkaninfo", "--summary"], capture_output=True, text=True)
    if "deviceName" not in proc.stdout:
        pytest.fail(f"no Vulkan device (install mesa-vulkan-drivers: run `bash .ci/setup`):\n{proc.stdout}{proc.stderr}")


@pytest.fixture(scope="module")
def op_build(tmp_path_factory):
    lavapipe_available()
    return build_op_cases(tmp_path_factory, "vulkan")


def test_operator_cases_match_onnxruntime_on_lavapipe(op_build):
    used = check_op_cases(op_build)
    result = op_build[1]
    report = json.loads((result.out_dir / "report.json").read_text())
    assert report["backend"] == "vulkan" and report["target"] == "vulkan"
    assert report["device_arena_bytes"] == result.plan.arena_bytes == report["arena_bytes"] > 0
    assert all(layer["kernel_source"] == "edgec GLSL template (SPIR-V)" for layer in report["layers"])
    model_c = (result.out_dir / "model.c").read_text()
    for kernel in used:  # the SPIR-V is in the C (magic number first): no shader compiler on the device
        assert f"static const uint32_t spirv_{kernel}[" in model_c
    assert model_c.count("= {\n    0x07230203u,") == len(used)


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_host_code_is_warning_free(op_build, tmp_path, cc):
    check_host_code_warning_free(op_build[1].out_dir, tmp_path, cc, ("-pedantic",))


def profile_harness(report: dict) -> str:
    """main(): one _run and one _run_profiled on the same inputs; prints whether the outputs agree and how many
    layers got a time."""
    name, n_in, n_out = report["name"], len(report["inputs"]), len(report["outputs"])
    size = max(t["bytes"] for t in report["inputs"] + report["outputs"]) // 4 + 1

    def args(run: int) -> str:
        return ", ".join([f"in[{i}]" for i in range(n_in)] + [f"out[{run}][{o}]" for o in range(n_out)])

    return "\n".join([
        "#include <stdio.h>", "#include <string.h>", '#include "model.h"',
        f"static float in[{n_in}][{size}], out[2][{n_out}][{size}];",
        "static uint64_t ns[%d];" % len(report["layers"]),
        "int main(void) {",
        f"    for (int i = 0; i < {n_in}; ++i) for (int k = 0; k < {size}; ++k) in[i][k] = (float)((k * 7 + i) % 13) * 0.25f - 1.5f;",
        f"    int rc = {name}_init();",
        f'    if (rc) {{ printf("init %d %s\\n", rc, {name}_error_detail()); return 1; }}',
        f'    if ((rc = {name}_run({args(0)})) != 0) {{ printf("run %d\\n", rc); return 1; }}',
        f'    if ((rc = {name}_run_profiled({args(1)}, ns)) != 0) {{ printf("profiled %d %s\\n", rc, {name}_error_detail()); return 1; }}',
        "    int timed = 0;",
        f"    for (int l = 0; l < {len(report['layers'])}; ++l) timed += ns[l] > 0;",
        f'    printf("same %d timed %d of %d\\n", memcmp(out[0], out[1], sizeof out[0]) == 0, timed, {len(report["layers"])});',
        f"    {name}_deinit();",
        "    return 0;", "}", ""])


def test_profiled_run_times_every_layer_and_gives_the_same_outputs(op_build, tmp_path):
    """<name>_run_profiled: timestamp queries around each dispatch (lavapipe has them), the same outputs as _run."""
    from edgec.build.toolchain import c_sources

    _, result, _ = op_build
    (tmp_path / "main.c").write_text(profile_harness(result.report))
    exe = tmp_path / "profile"
    subprocess.run(["gcc", "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", str(result.out_dir),
                    *map(str, c_sources(result.out_dir)), str(tmp_path / "main.c"), "-o", str(exe), "-lm", "-ldl"],
                   check=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n_layers = len(result.report["layers"])
    assert proc.stdout.strip() == f"same 1 timed {n_layers} of {n_layers}"


def test_without_vulkan_library_or_driver_init_says_so(op_build, tmp_path):
    """The binary starts where no Vulkan loader is installed and <name>_init returns the error code: the library is
    looked up by the name in $EDGEC_VULKAN_LIBRARY (here a missing one); with no driver (ICD) the loader has no
    instance to give."""
    _, result, _ = op_build
    args = host_command(result.out_dir, result.report, tmp_path)
    stderr = init_failure(args, EDGEC_VULKAN_LIBRARY="libvulkan-not-installed.so.1")
    assert "_init: -2: the Vulkan library (libvulkan.so.1) cannot be loaded" in stderr
    assert "cannot load libvulkan-not-installed.so.1" in stderr
    stderr = init_failure(args, VK_ICD_FILENAMES=str(tmp_path / "no-driver.json"),
                          VK_DRIVER_FILES=str(tmp_path / "no-driver.json"))
    assert "_init: -4: no Vulkan driver, device or compute queue" in stderr, stderr


def test_shader_that_does_not_build_names_the_layer(op_build, tmp_path):
    """A shader the driver cannot build (edgec_binary's SPIR-V without its magic number): init returns
    EDGEC_VK_ERR_PIPELINE and the detail names the first layer that runs it (lavapipe accepts the module and fails
    the pipeline; a driver that checks the module fails there, named the same way)."""
    import shutil

    _, result, _ = op_build
    out = tmp_path / "out"
    shutil.copytree(result.out_dir, out)
    model_c = (out / "model.c").read_text()
    start = model_c.index("static const uint32_t spirv_edgec_binary[")
    magic = model_c.index("0x07230203u", start)
    (out / "model.c").write_text(model_c[:magic] + "0x00000000u" + model_c[magic + len("0x07230203u"):])
    args = host_command(out, result.report, tmp_path / "build")
    stderr = init_failure(args)
    layer = next(i for i, layer in enumerate(result.report["layers"]) if layer["kernel"] == "edgec_binary")
    assert f"_init: -6: a layer's compute pipeline did not build: layer {layer}: " in stderr, stderr
    assert "edgec_binary" in stderr


def test_mobilenet_v2_96_matches_onnxruntime(tmp_path):
    """MobileNetV2 0.35 / 96 (model_zoo, BatchNorm folded into the convolutions as deployed) through the command
    line, `edgec verify --target vulkan`, on lavapipe."""
    lavapipe_available()
    sys.path.insert(0, str(REPO / "model_zoo"))
    from mobilenet_v2 import build

    path = tmp_path / "mobilenet_v2_0.35_96.onnx"
    onnx.save(fold_batchnorm(build(0.35, 96)), str(path))
    out = tmp_path / "out"
    proc = run_edgec("verify", path, "--target", "vulkan", "--runs", "2", "-o", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 2 outputs match onnxruntime" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    kernels = {layer["kernel"] for layer in report["layers"]}
    assert {"edgec_conv2d_nhwc", "edgec_conv2d_1x1_nhwc", "edgec_depthwise_conv2d_nhwc", "edgec_binary",
            "edgec_mean", "edgec_matmul"} <= kernels


def test_mlperf_tiny_kws_float_matches_litert(mlperf_dir, tmp_path):
    """MLPerf Tiny KWS float, whose five CONV_2D are dynamic-range quantized (int8 weights read four to a word, the
    input quantised at run time), through `edgec verify --target vulkan` against LiteRT's builtin kernels."""
    lavapipe_available()
    out = tmp_path / "out"
    proc = run_edgec("verify", mlperf_dir / "kws_ref_model_float32.tflite", "--target", "vulkan", "--runs", "2",
                     "-o", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified: 2 outputs match LiteRT" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    hybrid = [layer["kernel"] for layer in report["layers"] if layer["op"] == "conv2d_hybrid"]
    assert hybrid == [HYBRID_KERNELS] * 5


def test_unsupported_nodes_and_missing_shader_compiler_are_named(tmp_path, monkeypatch):
    from edgec.errors import EdgecError

    check_unsupported_named(tmp_path, "vulkan", "Vulkan")
    # a supported model, but no shader compiler on PATH
    ok = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
                           [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                           [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    ok_path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(ok, opset_imports=[helper.make_opsetid("", 17)]), str(ok_path))
    from edgec.codegen import vulkan_shaders

    vulkan_shaders._compile.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(EdgecError, match=r"glslangValidator not found on PATH.*glslang-tools"):
        compile_gpu(ok_path, "vulkan", tmp_path / "out3")
