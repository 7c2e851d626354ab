"""The Arm application-processor targets (targets/cortex-a*.toml) and their NEON kernels (runtimes/neon/).

1. One cross-built harness per architecture (tests/neon/kernel_fuzz.c) runs every NEON kernel against its
   reference twin on hundreds of random shapes under QEMU user mode: int8 byte for byte, float within 1e-4. Three
   builds: aarch64 without the dot product (cortex-a53: SMULL + SADALP), aarch64 with it (cortex-a55: SDOT) and
   armv7-a (cortex-a7); the disassembly shows which int8 instructions each build really uses. A second harness
   (tests/neon/float_fuzz.c) does the same for the kernels with float activations it does not cover (the hybrid
   conv and its quantizer, pooling, binary ops, mean, transpose): the same bits as the reference. The aarch64
   harness also runs built with branch protection, with BTI enforced (qemu -cpu max).
2. Whole models through `edgec verify`'s code path for a cortex-a target (cross compiler, qemu-aarch64 /
   qemu-arm): an ONNX float, an ONNX QDQ int8, a TFLite int8 and a TFLite hybrid model; the int8 outputs are also
   byte-equal to the same model built for the host with the reference kernels, and the generated C builds
   warning-free."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import MLPERF, REPO, TINY_CNN, assert_compiles_warning_free, require
from edgec.build.host import build_host_executable, emulator_command, run_host_executable
from edgec.config import load_target
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import random_inputs
from edgec.verify import verify_compiled

FUZZED = ("conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8", "add_s8", "avg_pool2d_s8", "conv2d_nhwc_f32",
          "depthwise_conv2d_f32", "matmul_f32")
# kernels only the NEON set has (the reference its portable twin): their NEON file, linked as it is
NEON_ONLY = ("fully_connected_s8_dot4",)
# entry points with weights packed at compile time (_neon: with the flags of edgec_conv2d_s8.h; the fully
# connected layer's dot4: the conv's layout)
FUZZED_NEON_ONLY = ("conv2d_nhwc_f32_packed", "conv2d_s8_dot4", "conv2d_s8_dot4_neon", "fully_connected_s8_dot4")
CASES_PER_KERNEL = 400
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Werror"]

# target -> (objdump, int8 multiply-accumulate instructions that must appear, and that must not)
BUILDS = {
    "cortex-a53": ("aarch64-linux-gnu-objdump", {"smull", "sadalp"}, {"sdot"}),
    "cortex-a55": ("aarch64-linux-gnu-objdump", {"sdot"}, set()),
    "cortex-a7": ("arm-linux-gnueabihf-objdump", {"vmull.s8", "vpadal.s16", "vfma.f32"}, set()),
}


# A BTI-marked program: built with branch protection, entered at a landing pad (tests/neon/bti_start.S), marked BTI
BTI_CFLAGS = ["-mbranch-protection=standard"]
BTI_LINK = ["-nostartfiles", str(REPO / "tests" / "neon" / "bti_start.S"), "-Wl,-z,force-bti"]


def build_fuzz_harness(target, build: Path, clang_target: str = "", bti: bool = False) -> Path:
    """The reference kernels renamed ref_*, the NEON kernels, and the harness, with the target's own flags (by
    clang for `clang_target` if given: the compiler of the iOS package, and of Android's NDK); with `bti`, built
    with branch protection and linked as a BTI-marked program (see test_neon_kernels_with_bti_enforced)."""
    cc = require("clang" if clang_target else target.cc)
    build.mkdir(parents=True, exist_ok=True)
    flags = [*([f"--target={clang_target}"] if clang_target else []), *target.cflags, *STRICT,
             *(BTI_CFLAGS if bti else []), "-I", str(REPO / "runtimes" / "include")]
    link = BTI_LINK if bti else []
    objs = []
    for kernel in FUZZED:
        name = f"edgec_{kernel}"
        for kset, extra in (("reference", [f"-D{name}=ref_{name}"]), ("neon", [])):
            obj = build / f"{kset}_{kernel}.o"
            subprocess.run([cc, *flags, "-ffreestanding", *extra, "-c", str(REPO / "runtimes" / kset / f"{name}.c"),
                            "-o", str(obj)], check=True, capture_output=True, text=True)
            objs.append(str(obj))
    for kernel in NEON_ONLY:
        obj = build / f"neon_{kernel}.o"
        subprocess.run([cc, *flags, "-ffreestanding", "-c", str(REPO / "runtimes" / "neon" / f"edgec_{kernel}.c"), "-o",
                        str(obj)], check=True, capture_output=True, text=True)
        objs.append(str(obj))
    exe = build / "kernel_fuzz"
    proc = subprocess.run([cc, *flags, *link, str(REPO / "tests" / "neon" / "kernel_fuzz.c"), *objs, "-o", str(exe),
                           "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return exe


@pytest.mark.parametrize("target_name", list(BUILDS))
def test_neon_kernels_equal_the_reference_kernels(target_name, tmp_path):
    target = load_target(target_name)
    objdump, must, must_not = BUILDS[target_name]
    exe = build_fuzz_harness(target, tmp_path)
    qemu = require(target.emulator)
    proc = subprocess.run([qemu, "-L", target.sysroot, str(exe), str(CASES_PER_KERNEL)], capture_output=True,
                          text=True, timeout=300)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "cases=" in line}
    assert set(lines) == set(FUZZED) | set(FUZZED_NEON_ONLY), proc.stdout + proc.stderr
    for kernel, line in lines.items():
        assert f"cases={CASES_PER_KERNEL} mismatches=0" in line, proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr

    disassembly = subprocess.run([require(objdump), "-d", str(exe)], capture_output=True, text=True,
                                 check=True).stdout
    used = {parts[2] for line in disassembly.splitlines() if len(parts := line.split("\t")) >= 3}
    used = {u.split()[0] for u in used if u.split()}
    assert must <= used, f"{target_name}: {sorted(must - used)} not in the NEON build"
    assert not (must_not & used), f"{target_name}: {sorted(must_not & used)} in a core without them"


BTI_CANARY = """
#include <stdio.h>
__attribute__((target("branch-protection=none"))) int no_landing_pad(int x) { return x + 1; }
int main(void) { int (*volatile f)(int) = no_landing_pad; printf("%d\\n", f(1)); return 0; }
"""


@pytest.mark.parametrize("target_name", ["cortex-a53", "cortex-a55"])
def test_neon_kernels_with_bti_enforced(target_name, tmp_path):
    """Built with -mbranch-protection=standard (ARMv8.5 BTI), an indirect branch must land on a BTI instruction or
    the core raises SIGILL on a guarded page: Linux and Android guard the pages of BTI-marked programs. The
    compiler puts pads where it branches; the a53 int8 conv's assembly branches into the middle of its unrolled
    steps (dot4_eo_*), which carry their own. The harness starts at tests/neon/bti_start.S (Debian's crt1.o has no
    pad), the linker marks it BTI, and `qemu-aarch64 -cpu max` enforces it: a canary without a pad must fault
    first, so a QEMU that does not enforce fails the test rather than passing it."""
    target = load_target(target_name)
    qemu = require(target.emulator)
    cc = require(target.cc)
    (tmp_path / "canary.c").write_text(BTI_CANARY)
    subprocess.run([cc, "-O2", *BTI_CFLAGS, *BTI_LINK, str(tmp_path / "canary.c"), "-o", str(tmp_path / "canary")], check=True,
                   capture_output=True)
    canary = subprocess.run([qemu, "-cpu", "max", "-L", target.sysroot, str(tmp_path / "canary")],
                            capture_output=True, text=True, timeout=60)
    assert canary.returncode == -4, f"no SIGILL without a landing pad: BTI is not enforced ({canary.returncode})"

    exe = build_fuzz_harness(target, tmp_path / "build", bti=True)
    notes = subprocess.run([require("aarch64-linux-gnu-readelf"), "-n", str(exe)], capture_output=True, text=True,
                           check=True).stdout
    assert "AArch64 feature: BTI" in notes, notes
    proc = subprocess.run([qemu, "-cpu", "max", "-L", target.sysroot, str(exe), str(CASES_PER_KERNEL)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "cases=" in line]
    assert len(lines) == len(FUZZED) + len(FUZZED_NEON_ONLY), proc.stdout
    assert all(f"cases={CASES_PER_KERNEL} mismatches=0" in line for line in lines), proc.stdout


# tests/neon/float_fuzz.c: kernel -> the functions its reference file defines (renamed ref_* there)
FLOAT_FUZZED = {
    "conv2d_hybrid": ("edgec_conv2d_hybrid",),
    "hybrid_quantize": ("edgec_quantize_symmetric_s8", "edgec_quantize_asymmetric_s8",
                        "edgec_dynamic_quantize_params_u8", "edgec_dynamic_quantize_linear",
                        "edgec_dynamic_quantize_s8_shifted"),
    "pool2d_f32": ("edgec_max_pool2d_f32", "edgec_avg_pool2d_f32"),
    "binary_f32": ("edgec_binary_f32",),
    "mean_f32": ("edgec_mean_f32",),
    "transpose_f32": ("edgec_transpose_f32",),
}
FLOAT_FUZZ_LINES = {"conv2d_hybrid", "conv2d_hybrid_dot4", "hybrid_quantize", "pool2d_f32", "binary_f32", "mean_f32",
                    "transpose_f32", "mean_f32_any_axes", "transpose_f32_any_rank"}


@pytest.mark.parametrize("target_name,clang", [*((t, False) for t in BUILDS), ("cortex-a53", True)],
                         ids=[*BUILDS, "cortex-a53-clang"])
def test_neon_float_kernels_equal_the_reference_kernels(target_name, clang, tmp_path):
    """The hybrid conv (both entries), the activations' quantization, float pooling, binary ops, mean and
    transpose: the same bits as the reference (the reference's conv quantizing with the reference's quantizer).
    Also built by clang (the compiler of the iOS package and of Android's NDK: the a53 hybrid loop's inline
    assembly) with -ffp-contract=off: clang's default contracts the reference's a * b + c into a fused
    multiply-add, which the NEON epilogue does not, so the bits would differ by the reference's choice."""
    target = load_target(target_name)
    cc = require("clang" if clang else target.cc)
    flags = [*(["--target=aarch64-linux-gnu", "-ffp-contract=off"] if clang else []), *target.cflags, *STRICT,
             "-I", str(REPO / "runtimes" / "include")]
    renames = [f"-D{f}=ref_{f}" for functions in FLOAT_FUZZED.values() for f in functions]
    objs = []
    for kernel in FLOAT_FUZZED:
        for kset, extra in (("reference", renames), ("neon", [])):
            obj = tmp_path / f"{kset}_{kernel}.o"
            subprocess.run([cc, *flags, "-ffreestanding", *extra, "-c",
                            str(REPO / "runtimes" / kset / f"edgec_{kernel}.c"), "-o", str(obj)], check=True)
            objs.append(str(obj))
    exe = tmp_path / "float_fuzz"
    subprocess.run([cc, *flags, str(REPO / "tests" / "neon" / "float_fuzz.c"), *objs, "-o", str(exe), "-lm"],
                   check=True)
    proc = subprocess.run([require(target.emulator), "-L", target.sysroot, str(exe), str(CASES_PER_KERNEL)],
                          capture_output=True, text=True, timeout=300)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "cases=" in line}
    assert set(lines) == FLOAT_FUZZ_LINES, proc.stdout + proc.stderr
    for kernel, line in lines.items():
        cases = int(line.split("cases=")[1].split()[0])
        assert cases >= (CASES_PER_KERNEL // 2 if kernel == "conv2d_hybrid_dot4" else CASES_PER_KERNEL), line
        assert "mismatches=0" in line, proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_neon_kernels_built_by_clang_equal_the_reference_kernels(tmp_path):
    """The a53 int8 conv's inline assembly and the intrinsics as clang compiles them (iOS and the NDK use clang)."""
    target = load_target("cortex-a53")
    exe = build_fuzz_harness(target, tmp_path, clang_target="aarch64-linux-gnu")
    proc = subprocess.run([require(target.emulator), "-L", target.sysroot, str(exe), "100"], capture_output=True,
                          text=True, timeout=300)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "cases=" in line}
    assert set(lines) == set(FUZZED) | set(FUZZED_NEON_ONLY), proc.stdout + proc.stderr
    assert all("cases=100 mismatches=0" in line for line in lines.values()), proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr


def quantized_tiny_cnn(tmp_path: Path) -> Path:
    from test_int8_onnx_qdq import quantize

    qdq, _ = quantize(TINY_CNN, tmp_path)
    return qdq


MODELS = {  # name -> (target, model path maker)
    "onnx-float-a53": ("cortex-a53", lambda tmp: TINY_CNN),
    "onnx-qdq-int8-a55": ("cortex-a55", quantized_tiny_cnn),
    "tflite-int8-a53": ("cortex-a53", lambda tmp: MLPERF / "kws_ref_model.tflite"),
    # VWW (MobileNetV1) on SDOT: the depthwise (13 layers: 8 to 256 channels, 48 x 48 to 3 x 3, stride 1 and 2);
    # the pointwise convs with ReLU's zero point (the unsigned narrowing), blocks with channels of no shift
    # (dot4_round4_noleft), the half tile of the first conv
    "tflite-int8-vww-a55": ("cortex-a55", lambda tmp: MLPERF / "vww_96_int8.tflite"),
    # the same on SMULL: the one-lane ReLU pointwise tiles (K = 8 and whole blocks), the 8-channel first layer's
    # batches read in place, the depthwise's 8-channel rows
    "tflite-int8-vww-a53": ("cortex-a53", lambda tmp: MLPERF / "vww_96_int8.tflite"),
    "tflite-int8-a7": ("cortex-a7", lambda tmp: MLPERF / "ad01_int8.tflite"),
    # ad01: ten fully connected layers (edgec_fully_connected_s8_dot4: SDOT by element, one of 8 units)
    "tflite-int8-ad01-a55": ("cortex-a55", lambda tmp: MLPERF / "ad01_int8.tflite"),
    # TFLite dynamic-range (hybrid) conv: edgec_conv2d_hybrid_dot4 on weights packed at compile time
    "tflite-hybrid-a55": ("cortex-a55", lambda tmp: MLPERF / "kws_ref_model_float32.tflite"),
}


@pytest.mark.parametrize("case", list(MODELS))
def test_models_verify_under_qemu_user(case, tmp_path):
    target_name, make = MODELS[case]
    target = load_target(target_name)
    model = make(tmp_path)
    result = compile_model(model, target, tmp_path / "out", CompileOptions(measure_code=False))
    shipped = {p.name for p in (tmp_path / "out").glob("edgec_*.c")}
    neon = {p.name for p in (REPO / "runtimes" / "neon").glob("*.c")}
    assert shipped & neon, f"no NEON kernel in {sorted(shipped)}"
    if "hybrid" in case:
        assert "edgec_conv2d_hybrid_dot4(" in (tmp_path / "out" / "model.c").read_text()
    if case.startswith("tflite-int8"):  # constant weights: the fully connected layers take the packed entry
        assert "edgec_fully_connected_s8_dot4(" in (tmp_path / "out" / "model.c").read_text()
    assert_compiles_warning_free(tmp_path / "out", tmp_path, target.cc, list(target.cflags))

    comparisons = verify_compiled(model, result, runs=2, target=target)
    assert comparisons and all(c.ok for c in comparisons), comparisons

    if "int8" in case:  # the same model compiled with the reference kernels only, run on the host (a file swap
        # would not do: the NEON set's calls differ, its convolution takes weights packed at compile time)
        reference = compile_model(model, dataclasses.replace(load_target("host"), kernels=("reference",)),
                                  tmp_path / "reference_kernels", CompileOptions(measure_code=False))
        inputs = random_inputs(result.report, 7)
        want = run_host_executable(build_host_executable(reference.out_dir, reference.report, tmp_path / "hb"),
                                   reference.report, inputs, tmp_path / "hr")
        exe = build_host_executable(result.out_dir, result.report, tmp_path / "tb", cc=target.cc,
                                    cflags=list(target.cflags))
        got = run_host_executable(exe, result.report, inputs, tmp_path / "tr", runner=emulator_command(target))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
