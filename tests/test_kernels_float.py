"""Optimized float kernels against the reference kernels they replace: same results on awkward shapes
(borders, strides, dilation, channel and pixel remainders, depth multipliers), under ASan and UBSan."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, require

RUNTIMES = REPO / "runtimes"

# A driver that fills inputs and weights from a fixed LCG, runs one kernel, and writes the output to stdout.
CONV_DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "KERNEL.h"
static uint32_t seed = 12345u;
static float rnd(void) { seed = seed * 1664525u + 1013904223u; return (float)((int32_t)(seed >> 8) % 2001 - 1000) / 1000.0f; }
int main(int argc, char **argv) {
    if (argc != 19) return 2;
    int v[18]; for (int i = 0; i < 18; ++i) v[i] = atoi(argv[i + 1]);
    edgec_conv2d_params p = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], -1e30f, 1e30f};
    if (v[16]) { p.act_min = 0.0f; p.act_max = 0.5f; }
    size_t n_in = (size_t)p.batch * p.in_h * p.in_w * p.in_c, n_out = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
    size_t n_w = v[17] ? (size_t)p.k_h * p.k_w * p.out_c : (size_t)p.out_c * p.k_h * p.k_w * (p.in_c / p.groups);
    float *in = malloc(n_in * 4), *w = malloc(n_w * 4), *b = malloc((size_t)p.out_c * 4), *out = malloc(n_out * 4);
    for (size_t i = 0; i < n_in; ++i) in[i] = rnd();
    for (size_t i = 0; i < n_w; ++i) w[i] = rnd();
    for (int i = 0; i < p.out_c; ++i) b[i] = rnd();
    FUNC(in, w, b, out, &p);
    fwrite(out, 4, n_out, stdout);
    free(in); free(w); free(b); free(out);
    return 0;
}
"""

MATMUL_DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "edgec_matmul_f32.h"
static uint32_t seed = 777u;
static float rnd(void) { seed = seed * 1664525u + 1013904223u; return (float)((int32_t)(seed >> 8) % 2001 - 1000) / 1000.0f; }
int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int m = atoi(argv[1]), k = atoi(argv[2]), n = atoi(argv[3]), batch = atoi(argv[4]);
    edgec_matmul_params p = {{0}, {0}, {0}, m, k, n, -1e30f, 1e30f};
    for (int d = 0; d < EDGEC_MAX_RANK; ++d) p.batch_shape[d] = 1;
    p.batch_shape[EDGEC_MAX_RANK - 1] = batch; p.a_strides[EDGEC_MAX_RANK - 1] = m * k;
    float *a = malloc((size_t)batch * m * k * 4), *b = malloc((size_t)k * n * 4), *bias = malloc((size_t)n * 4);
    float *out = malloc((size_t)batch * m * n * 4);
    for (int i = 0; i < batch * m * n; ++i) out[i] = __builtin_nanf(""); /* an output the kernel skips stays NaN */
    for (int i = 0; i < batch * m * k; ++i) a[i] = rnd();
    for (int i = 0; i < k * n; ++i) b[i] = rnd();
    for (int i = 0; i < n; ++i) bias[i] = rnd();
    edgec_matmul_f32(a, b, bias, out, &p);
    fwrite(out, 4, (size_t)batch * m * n, stdout);
    free(a); free(b); free(bias); free(out);
    return 0;
}
"""


def build(tmp_path, driver: str, kernel: str, kset: str, name: str):
    require("gcc")
    src = tmp_path / f"{name}.c"
    src.write_text(driver)
    exe = tmp_path / f"{name}_{kset}"
    cmd = ["gcc", "-O1", "-std=c99", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
           "-fno-sanitize-recover=all", "-I", str(RUNTIMES / "include"), str(src), str(RUNTIMES / kset / f"{kernel}.c"),
           "-o", str(exe), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return exe


def run(exe, args) -> np.ndarray:
    proc = subprocess.run([str(exe), *map(str, args)], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    return np.frombuffer(proc.stdout, np.float32)


def out_size(size, k, stride, pad_total, dil):
    return (size + pad_total - (k - 1) * dil - 1) // stride + 1


CONV_CASES = [
    # (n, h, w, cin, cout, kh, kw, stride, pad, dil, groups)
    (1, 9, 11, 3, 8, 3, 3, 2, 1, 1, 1),    # first layer: 3 channels, stride 2, padded
    (1, 7, 7, 16, 20, 1, 1, 1, 0, 1, 1),   # pointwise, pixel and channel remainders
    (2, 5, 6, 5, 7, 3, 3, 1, 1, 1, 1),     # batch 2, odd channels
    (1, 12, 12, 4, 6, 3, 3, 1, 2, 2, 1),   # dilation 2
    (1, 10, 13, 8, 8, 5, 3, 1, 0, 1, 1),   # rectangular kernel, no padding
    (1, 8, 8, 6, 9, 3, 3, 2, 0, 1, 3),     # grouped
    (1, 3, 3, 2, 4, 3, 3, 1, 1, 1, 1),     # smaller than a tile
    (1, 6, 7, 75, 22, 3, 3, 1, 1, 1, 1),   # k_h * k_w * in_c > 512: the x86 set's lanes along the input channels
    (1, 5, 9, 40, 37, 1, 1, 1, 0, 1, 1),   # pointwise, out_c not a multiple of 16 (x86: a partial packed block)
]
DW_CASES = [
    # (n, h, w, c, mult, kh, kw, stride, pad, dil)
    (1, 12, 12, 16, 1, 3, 3, 1, 1, 1),
    (1, 11, 9, 10, 1, 3, 3, 2, 1, 1),     # channel remainder, stride 2
    (1, 8, 8, 4, 2, 3, 3, 1, 1, 1),       # depth multiplier 2
    (2, 9, 9, 7, 1, 5, 5, 1, 2, 2),       # dilation, big kernel
    (1, 4, 4, 8, 1, 3, 3, 2, 0, 1),
    (1, 7, 10, 24, 1, 3, 3, 2, 1, 1),     # the Cortex-M tiles: 8-channel blocks, stride 2, odd width
    (1, 6, 9, 16, 1, 5, 5, 1, 2, 2),      # dilated 5x5 over 8-channel blocks: pixels with different columns
    (1, 3, 3, 8, 1, 3, 3, 1, 1, 1),       # every pixel a border pixel
]


@pytest.mark.parametrize("kset", ["optimized", "cortex-m", "x86"])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "x".join(map(str, c)))
def test_conv2d_nhwc_optimized_matches_reference(tmp_path, case, kset):
    n, h, w, cin, cout, kh, kw, s, pad, dil, groups = case
    oh, ow = out_size(h, kh, s, 2 * pad, dil), out_size(w, kw, s, 2 * pad, dil)
    driver = CONV_DRIVER.replace("KERNEL", "edgec_conv2d_nhwc_f32").replace("FUNC", "edgec_conv2d_nhwc_f32")
    ref = build(tmp_path, driver, "edgec_conv2d_nhwc_f32", "reference", "conv")
    sets = [build(tmp_path, driver, "edgec_conv2d_nhwc_f32", kset, "conv")]
    for act in (0, 1):
        args = [n, h, w, cin, oh, ow, cout, kh, kw, s, s, pad, pad, dil, dil, groups, act, 0]
        want = run(ref, args)
        assert want.size == n * oh * ow * cout
        for exe in sets:
            np.testing.assert_allclose(run(exe, args), want, rtol=1e-5, atol=1e-5, err_msg=exe.name)


@pytest.mark.parametrize("kset", ["optimized", "cortex-m"])
@pytest.mark.parametrize("case", DW_CASES, ids=lambda c: "x".join(map(str, c)))
def test_depthwise_optimized_matches_reference(tmp_path, case, kset):
    n, h, w, c, mult, kh, kw, s, pad, dil = case
    oh, ow = out_size(h, kh, s, 2 * pad, dil), out_size(w, kw, s, 2 * pad, dil)
    driver = CONV_DRIVER.replace("KERNEL", "edgec_depthwise_conv2d_f32").replace("FUNC", "edgec_depthwise_conv2d_f32")
    ref = build(tmp_path, driver, "edgec_depthwise_conv2d_f32", "reference", "dw")
    opt = build(tmp_path, driver, "edgec_depthwise_conv2d_f32", kset, "dw")
    for act in (0, 1):
        args = [n, h, w, c, oh, ow, c * mult, kh, kw, s, s, pad, pad, dil, dil, c, act, 1]
        np.testing.assert_allclose(run(opt, args), run(ref, args), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kset", ["optimized", "cortex-m"])
def test_matmul_optimized_matches_reference(tmp_path, kset):
    ref = build(tmp_path, MATMUL_DRIVER, "edgec_matmul_f32", "reference", "mm")
    opt = build(tmp_path, MATMUL_DRIVER, "edgec_matmul_f32", kset, "mm")
    for m, k, n, batch in itertools.product((1, 3, 4, 9), (1, 7, 64), (1, 5, 8, 17), (1, 2)):
        want = run(ref, [m, k, n, batch])
        assert want.size == batch * m * n and np.isfinite(want).all(), f"m={m} k={k} n={n} batch={batch}"
        np.testing.assert_allclose(run(opt, [m, k, n, batch]), want, rtol=1e-5, atol=1e-5,
                                   err_msg=f"m={m} k={k} n={n} batch={batch}")


# The Cortex-M float kernels' hand-written FPU loops (VLDM / VFMA, and VMAXNM where the FPU is FPv5) against the
# reference kernels on 2100 random shapes (tests/semihost/float_kernel_fuzz.c), on the emulated M7 and M4 (FPv4:
# the clamp in C), and the same firmware's C twins on the host under the sanitizers.
SEMIHOST = REPO / "tests" / "semihost"
FUZZ_KERNELS = {"edgec_conv2d_nhwc_f32": "ref_conv", "edgec_depthwise_conv2d_f32": "ref_dw",
                "edgec_conv2d_hybrid": "ref_hybrid", "edgec_matmul_f32": "ref_matmul",
                "edgec_hybrid_quantize": "ref_quantize", "edgec_pool2d_f32": "ref_pool",
                "edgec_mean_f32": "ref_mean", "edgec_transpose_f32": "ref_transpose"}
# The reference objects' functions renamed, so that the reference hybrid conv calls the reference quantization.
ONE_FUNCTION = {k: a for k, a in FUZZ_KERNELS.items() if k not in ("edgec_hybrid_quantize", "edgec_pool2d_f32")}
REF_RENAMES = [f"-D{k}={a}" for k, a in ONE_FUNCTION.items()] + [
    "-Dedgec_max_pool2d_f32=ref_max_pool", "-Dedgec_avg_pool2d_f32=ref_avg_pool",
    "-Dedgec_quantize_symmetric_s8=ref_qsym", "-Dedgec_quantize_asymmetric_s8=ref_qasym",
    "-Dedgec_dynamic_quantize_params_u8=ref_dq_params", "-Dedgec_dynamic_quantize_linear=ref_dq_linear",
    "-Dedgec_dynamic_quantize_s8_shifted=ref_dq_shifted"]
FUZZ_BOARDS = {"cortex-m7": (["-mcpu=cortex-m7", "-mfpu=fpv5-d16"], "mps2-an500"),
               "cortex-m4": (["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16"], "mps2-an386")}


def reference_objects(cc: str, flags: list[str], tmp_path: Path) -> list[str]:
    objs = []
    for kernel, alias in FUZZ_KERNELS.items():
        obj = tmp_path / f"{alias}.o"
        subprocess.run([cc, *flags, *REF_RENAMES, "-c", str(RUNTIMES / "reference" / f"{kernel}.c"), "-o", str(obj)],
                       check=True)
        objs.append(str(obj))
    return objs


@pytest.mark.parametrize("board", FUZZ_BOARDS)
def test_cortex_m_float_kernels_match_reference_on_qemu(tmp_path, board):
    cc = require("arm-none-eabi-gcc")
    cpu, machine = FUZZ_BOARDS[board]
    flags = [*cpu, "-O2", "-std=c99", "-mthumb", "-mfloat-abi=hard", "-ffreestanding", "-nostartfiles", "-nostdlib",
             "-Wall", "-Wextra", "-Werror", "-I", str(RUNTIMES / "include")]
    objs = reference_objects(cc, flags, tmp_path)
    elf = tmp_path / "fuzz.elf"
    subprocess.run([cc, *flags, "-T", str(SEMIHOST / "link.ld"), str(SEMIHOST / "float_kernel_fuzz.c"), *objs,
                    *(str(RUNTIMES / "cortex-m" / f"{k}.c") for k in FUZZ_KERNELS), "-lm", "-lgcc", "-o", str(elf)],
                   check=True)
    disasm = subprocess.run([require("arm-none-eabi-objdump"), "-d", str(elf)], capture_output=True, text=True).stdout
    expected = ["vldmia", "vfma.f32", "smlad"] + (["vmaxnm.f32"] if board == "cortex-m7" else [])
    assert all(i in disasm for i in expected), "the hand-written loops were not compiled in"
    if board == "cortex-m4":
        assert "vmaxnm" not in disasm
    proc = subprocess.run([require("qemu-system-arm"), "-M", machine, "-nographic", "-monitor", "none",
                           "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode} random cases differ from the reference kernels"


def test_cortex_m_float_kernels_c_twins_under_sanitizers(tmp_path):
    cc = require("gcc")
    flags = ["-O1", "-std=c99", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
             "-fno-sanitize-recover=all", "-DEDGEC_FUZZ_HOST", "-I", str(RUNTIMES / "include")]
    objs = reference_objects(cc, flags, tmp_path)
    exe = tmp_path / "fuzz"
    subprocess.run([cc, *flags, str(SEMIHOST / "float_kernel_fuzz.c"), *objs,
                    *(str(RUNTIMES / "cortex-m" / f"{k}.c") for k in FUZZ_KERNELS), "-lm", "-o", str(exe)], check=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode} random cases differ from the reference kernels\n{proc.stderr}"
