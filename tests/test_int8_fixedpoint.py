"""runtimes/include/edgec_fixedpoint_s8.h against the numpy model of TFLite's arithmetic (int8_numpy.py), on
edge cases (INT32_MIN, ties, large shifts) and random values; and QuantizeMultiplier's corner cases."""

from __future__ import annotations

import subprocess

import numpy as np

from conftest import require
from edgec.frontend.tflite_int8 import quantize_multiplier, tflite_round
from edgec.paths import RUNTIMES
from int8_numpy import multiply_by_quantized_multiplier, rounding_divide_by_pot, srdhm

PROGRAM = r"""
#include <stdio.h>
#include "edgec_fixedpoint_s8.h"
int main(void) {
    long long x, m, s;
    while (scanf("%lld %lld %lld", &x, &m, &s) == 3) {
        printf("%ld %ld %ld\n", (long)edgec_srdhm((int32_t)x, (int32_t)m),
               (long)edgec_rdbpot((int32_t)x, (int32_t)(s < 0 ? -s : 0)),
               (long)edgec_mbqm((int32_t)x, (int32_t)m, (int32_t)s));
    }
    return 0;
}
"""


def test_fixedpoint_helpers_match_numpy_model(tmp_path):
    src = tmp_path / "fp.c"
    src.write_text(PROGRAM)
    exe = tmp_path / "fp"
    subprocess.run([require("gcc"), "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", str(RUNTIMES / "include"),
                    str(src), "-o", str(exe)], check=True)
    rng = np.random.default_rng(0)
    i32 = np.iinfo(np.int32)
    cases = [(i32.min, i32.min, 0), (i32.min, i32.max, -1), (i32.max, i32.max, 0), (-5, 1 << 30, -1), (5, 1 << 30, -1),
             (-6, 1 << 30, -2), (6, 1 << 30, -2), (-1, 1, -31), (0, 0, 0), (12345, 1073741824, 3)]
    # small x with left shifts must not overflow; random x with right shifts only
    cases += [(int(x), int(m), int(s)) for x, m, s in zip(rng.integers(-2**20, 2**20, 500),
                                                             rng.integers(2**30, 2**31 - 1, 500), rng.integers(-31, 8, 500))]
    cases += [(int(x), int(m), int(s)) for x, m, s in zip(rng.integers(i32.min, i32.max, 500, dtype=np.int64),
                                                             rng.integers(i32.min, i32.max, 500, dtype=np.int64),
                                                             rng.integers(-31, 1, 500))]
    text = "\n".join(f"{x} {m} {s}" for x, m, s in cases)
    out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True).stdout.split("\n")
    for (x, m, s), line in zip(cases, out):
        got = [int(v) for v in line.split()]
        want = [int(srdhm(np.array([x]), m)[0]), int(rounding_divide_by_pot(np.array([x]), max(-s, 0))[0]),
                int(multiply_by_quantized_multiplier(np.array([x]), m, s)[0])]
        assert got == want, (x, m, s, got, want)


def test_quantize_multiplier_corner_cases():
    assert quantize_multiplier(0.0) == (0, 0)
    assert quantize_multiplier(0.5) == (1 << 30, 0)
    assert quantize_multiplier(1.0) == (1 << 30, 1)
    assert quantize_multiplier(2.0 ** -40) == (0, 0)  # shift below -31 flushes to zero
    m, s = quantize_multiplier(1.0 - 2.0 ** -33)  # rounds up to 2^31: halved, shift incremented
    assert (m, s) == (1 << 30, 1)
    m, s = quantize_multiplier(0.003)
    assert abs(m * 2.0 ** (s - 31) - 0.003) < 1e-11
    assert tflite_round(2.5) == 3 and tflite_round(-2.5) == -3 and tflite_round(0.49999) == 0


def test_fc_multiplier_is_derived_in_double():
    """AD's last fully connected layer: the multiplier TFLite Micro uses (scales widened to double, then
    multiplied) is 29 units below the one from the scale product rounded to float, and only the former gives
    TFLM's output on accumulator -88337 (a rounding tie for the latter; test_int8_tflite.py checks many more)."""
    import tflite

    from conftest import MLPERF
    from edgec.frontend.tflite import load_tflite
    from edgec.frontend.tflite_int8 import import_int8_graph

    path = MLPERF / "ad01_int8.tflite"
    for rounding in ("tflm", "litert"):
        a = import_int8_graph(load_tflite(path), rounding)[0].nodes[-1].attrs
        assert (a["multiplier"], a["shift"]) == (1462485049, -9)
    sg = tflite.Model.GetRootAsModel(path.read_bytes(), 0).Subgraphs(0)
    op = sg.Operators(sg.OperatorsLength() - 1)
    x, w = (int(i) for i in op.InputsAsNumpy()[:2])
    y = int(op.OutputsAsNumpy()[0])
    i_s, w_s, o_s = (np.float32(sg.Tensors(t).Quantization().Scale(0)) for t in (x, w, y))
    assert quantize_multiplier(float(i_s) * float(w_s) / float(o_s)) == (1462485049, -9)
    assert quantize_multiplier(float(i_s * w_s) / float(o_s)) == (1462485078, -9)  # product in float32
    assert int(multiply_by_quantized_multiplier(np.array([-88337]), 1462485049, -9)[0]) == -117  # TFLM's
    assert int(multiply_by_quantized_multiplier(np.array([-88337]), 1462485078, -9)[0]) == -118
