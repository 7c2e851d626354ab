"""The host's kernel set runtimes/x86/ (GNU C vectors) against the reference kernels on hundreds of random shapes,
with tests/neon/kernel_fuzz.c run natively, and tests/x86/kernel_fuzz.c for the x86 kernels it does not cover
(hybrid conv, the activations' quantization, add, the float binary ops, deep fully connected layers, the float matmul on
weights packed at compile time, the float depthwise's 3x3 path, the float transpose and mean, the float and int8 convs on weights packed
at compile time, the QDQ quantize and add, the pooling, the int8 depthwise's paths: bit for bit): int8 byte for byte, float within
1e-4. Each fuzzed kernel comes from the first of the host's sets (targets/host.toml) that has it, as in a host
build; four builds: the host target's flags, the x86 benchmark's (-O3 -march=native, where the vectors are AVX
and, on a CPU with AVX-VNNI, the dot products vpdpwssd / vpdpbusd; on one with AVX-512, the float conv's zmm
tiles), AVX2 without AVX-512 (the paths of a desktop CPU) and -march=native under ASan / UBSan."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import REPO, require
from edgec.config import load_target
from test_neon import CASES_PER_KERNEL, FUZZED, STRICT

RUNTIMES = REPO / "runtimes"

# tests/x86/kernel_fuzz.c: kernel -> the functions its reference file defines (renamed ref_* there), and the lines
# the harness prints for it
X86_FUZZED = {
    "conv2d_hybrid": (["edgec_conv2d_hybrid"], ["conv2d_hybrid", "conv2d_hybrid_dot4"]),
    "hybrid_quantize": (["edgec_quantize_symmetric_s8", "edgec_quantize_asymmetric_s8",
                         "edgec_dynamic_quantize_params_u8", "edgec_dynamic_quantize_linear",
                         "edgec_dynamic_quantize_s8_shifted"], ["hybrid_quantize"]),
    "add_s8": (["edgec_add_s8"], ["add_s8"]),
    "binary_f32": (["edgec_binary_f32"], ["binary_f32"]),
    "fully_connected_s8": (["edgec_fully_connected_s8"], ["fully_connected_s8_deep"]),
    "conv2d_nhwc_f32": (["edgec_conv2d_nhwc_f32"], ["conv2d_nhwc_f32_packed", "conv2d_nhwc_f32_few_channels"]),
    "conv2d_s8": (["edgec_conv2d_s8"], ["conv2d_s8_dot4"]),
    "depthwise_conv2d_s8": (["edgec_depthwise_conv2d_s8"], ["depthwise_conv2d_s8_x86"]),
    "pool2d_f32": (["edgec_max_pool2d_f32", "edgec_avg_pool2d_f32"], ["pool2d_f32"]),
    "matmul_f32": (["edgec_matmul_f32"], []),  # the reference the packed twins are checked against
    "matmul_f32_packed": (["edgec_matmul_f32_packed"], ["matmul_f32_packed"]),
    "depthwise_conv2d_f32": (["edgec_depthwise_conv2d_f32"], ["depthwise_conv2d_f32_3x3"]),
    "transpose_f32": (["edgec_transpose_f32"], ["transpose_f32", "transpose_f32_any_rank"]),
    "mean_f32": (["edgec_mean_f32"], ["mean_f32", "mean_f32_any_axes"]),
    "qdq_s8": (["edgec_quantize_s8", "edgec_dequantize_s8", "edgec_max_pool2d_s8", "edgec_global_avg_pool_s8",
                "edgec_softmax_q8", "edgec_add_q8", "edgec_binary_q8"], ["quantize_s8", "add_q8"]),
}


@pytest.mark.parametrize("flags", [None, ["-O3", "-march=native"], ["-O2", "-mavx2", "-mfma"],
                                   ["-O1", "-march=native", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]],
                         ids=["host-flags", "O3-native", "avx2", "sanitized"])
def test_host_kernels_equal_the_reference_kernels(flags, tmp_path):
    target = load_target("host")
    assert target.kernels[0] == "x86"
    cc = require(target.cc)
    cflags = [*(flags or target.cflags), *STRICT, "-ffreestanding", "-I", str(RUNTIMES / "include")]
    objs, used = [], {}
    for kernel in FUZZED:
        name = f"edgec_{kernel}"
        used[kernel] = next(k for k in target.kernels if (RUNTIMES / k / f"{name}.c").exists())
        for role, kset, extra in (("ref", "reference", [f"-D{name}=ref_{name}"]), ("impl", used[kernel], [])):
            obj = tmp_path / f"{role}_{kernel}.o"
            subprocess.run([cc, *cflags, *extra, "-c", str(RUNTIMES / kset / f"{name}.c"), "-o", str(obj)],
                           check=True, capture_output=True, text=True)
            objs.append(str(obj))
    assert {k for k, s in used.items() if s == "x86"} >= {"conv2d_s8", "depthwise_conv2d_s8", "conv2d_nhwc_f32",
                                                         "depthwise_conv2d_f32", "fully_connected_s8", "avg_pool2d_s8"}
    exe = tmp_path / "kernel_fuzz"
    proc = subprocess.run([cc, *cflags[:-3], "-I", str(RUNTIMES / "include"), str(REPO / "tests" / "neon" / "kernel_fuzz.c"),
                           *objs, "-o", str(exe), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(exe), str(CASES_PER_KERNEL)], capture_output=True, text=True, timeout=300)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "cases=" in line}
    assert set(lines) == set(FUZZED), proc.stdout + proc.stderr
    for line in lines.values():
        assert f"cases={CASES_PER_KERNEL} mismatches=0" in line, proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # the x86 kernels beyond the NEON harness's
    objs = []
    for kernel, (functions, _) in X86_FUZZED.items():
        name = f"edgec_{kernel}"
        assert (RUNTIMES / "x86" / f"{name}.c").exists(), name
        renames = [f"-D{f}=ref_{f}" for f in functions]
        for role, kset, extra in (("xref", "reference", renames), ("ximpl", "x86", [])):
            obj = tmp_path / f"{role}_{kernel}.o"
            subprocess.run([cc, *cflags, *extra, "-c", str(RUNTIMES / kset / f"{name}.c"), "-o", str(obj)],
                           check=True, capture_output=True, text=True)
            objs.append(str(obj))
    exe = tmp_path / "x86_kernel_fuzz"
    proc = subprocess.run([cc, *cflags[:-3], "-I", str(RUNTIMES / "include"), str(REPO / "tests" / "x86" / "kernel_fuzz.c"),
                           *objs, "-o", str(exe), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(exe), str(CASES_PER_KERNEL)], capture_output=True, text=True, timeout=300)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if "cases=" in line}
    assert set(lines) == {line for _, names in X86_FUZZED.values() for line in names}, proc.stdout + proc.stderr
    for line in lines.values():
        assert "cases=0 " not in line and line.endswith("mismatches=0"), proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr


FLOAT_KERNELS = ("conv2d_nhwc_f32", "depthwise_conv2d_f32", "matmul_f32", "matmul_f32_packed")


@pytest.mark.parametrize("arch", [["-mavx2", "-mfma"], ["-march=skylake-avx512"]], ids=["avx2-fma", "avx512"])
def test_float_kernels_fuse_their_multiply_adds_under_iso_c(arch, tmp_path):
    """gcc contracts `acc += x * k` into an FMA in its GNU dialects only; under -std=c99 (the host target's flags,
    users' builds) the float kernels fuse their multiply-adds explicitly (edgec_x86_fma.h): every product is a
    vfmadd, none a separate multiply."""
    cc = require("gcc")
    for kernel in FLOAT_KERNELS:
        obj = tmp_path / f"{kernel}.o"
        subprocess.run([cc, "-O2", *arch, *STRICT, "-ffreestanding", "-I", str(RUNTIMES / "include"), "-c",
                        str(RUNTIMES / "x86" / f"edgec_{kernel}.c"), "-o", str(obj)], check=True, capture_output=True,
                       text=True)
        code = subprocess.run([require("objdump"), "-d", "--no-show-raw-insn", str(obj)], check=True,
                              capture_output=True, text=True).stdout
        mnemonics = re.findall(r"^\s*[0-9a-f]+:\t(\S+)", code, re.M)
        assert any(m.startswith("vfmadd") for m in mnemonics), kernel
        assert not [m for m in mnemonics if m.startswith(("vmulps", "vmulss", "mulps", "mulss"))], kernel
