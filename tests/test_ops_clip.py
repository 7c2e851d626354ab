"""Clip through edgec's ONNX converter: constant bounds become one clamp (fusable), NaN bounds mean "no
bound", min > max gives max everywhere, and bounds known only at run time use element-wise max/min."""

from __future__ import annotations

import math

import numpy as np
import pytest
from onnx import helper

from onnx_check import check, make_model, ops_of, rand

BOUNDS = {
    "both": (-0.25, 0.5),
    "min_only": (0.1, None),
    "max_only": (None, 0.3),
    "min_above_max": (0.6, -0.2),
    "nan_min": (math.nan, 0.4),
    "nan_max": (-0.4, math.nan),
}


@pytest.mark.parametrize("case", list(BOUNDS))
def test_clip_constant_bounds(case, tmp_path):
    lo, hi = BOUNDS[case]
    inits, names = {}, ["x"]
    for name, v in (("lo", lo), ("hi", hi)):
        if v is None:
            names.append("")
        else:
            inits[name] = np.array(v, np.float32)
            names.append(name)
    while names[-1] == "":
        names.pop()
    model = make_model([helper.make_node("Clip", names, ["y"])], {"x": (4, 6)}, ["y"], initializers=inits)
    graph = check(model, {"x": rand(4, 6) * 2}, tmp_path)
    ops = ops_of(graph)
    assert set(ops) == {"clamp"} and len(ops) == (2 if case == "min_above_max" else 1), ops


def test_clip_after_conv_is_fused(tmp_path):
    w = rand(4, 3, 3, 3, seed=1)
    model = make_model([helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3]),
                        helper.make_node("Clip", ["c", "lo", "hi"], ["y"])], {"x": (1, 3, 8, 8)}, ["y"],
                       initializers={"w": w, "lo": np.float32(0), "hi": np.float32(6)})
    graph = check(model, {"x": rand(1, 3, 8, 8) * 4}, tmp_path)
    ops = ops_of(graph)
    assert ops.count("conv2d") == 1 and "clamp" not in ops, ops


def test_clip_bounds_at_run_time(tmp_path):
    model = make_model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], {"x": (3, 5), "lo": (), "hi": ()}, ["y"])
    check(model, {"x": rand(3, 5), "lo": np.array(-0.3, np.float32), "hi": np.array(0.2, np.float32)}, tmp_path)
