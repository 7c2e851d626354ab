"""`edgec verify`: build the generated C for the host, run it, and compare with the reference executor."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .build.host import build_host_executable, run_host_executable
from .reference import describe_reference, random_inputs, reference_executor, reference_inputs, run_reference


@dataclass
class Comparison:
    output: str
    max_abs_err: float
    max_rel_err: float
    ok: bool
    reference: str = ""  # the executor compared with (reference.describe_reference)


def compare(name: str, got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> Comparison:
    want = np.asarray(want).reshape(got.shape)
    if got.dtype.kind != "f":
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        return Comparison(name, float(diff.max(initial=0)), 0.0, bool(np.all(diff <= atol)))
    g64, w64 = got.astype(np.float64), want.astype(np.float64)
    same_special = (np.isnan(g64) & np.isnan(w64)) | (np.isinf(g64) & (g64 == w64))
    err = np.where(same_special, 0.0, np.abs(g64 - w64))
    scale = np.maximum(np.abs(w64), 1e-30)
    rel = np.where(same_special, 0.0, err / scale)
    ok = bool(np.all(same_special | (err <= atol + rtol * np.abs(w64))))
    return Comparison(name, float(err.max(initial=0)), float(rel.max(initial=0)), ok)


def verify_compiled(model_path: Path, result, runs: int = 3, rtol: float = 1e-4, atol: float = 1e-5,
                    sanitize: bool = False, cc: str = "gcc", seed: int = 0,
                    bindings: dict[str, np.ndarray] | None = None) -> list[Comparison]:
    report = result.report
    with tempfile.TemporaryDirectory(prefix="edgec-verify-") as tmp:
        exe = build_host_executable(result.out_dir, report, Path(tmp), cc=cc, sanitize=sanitize)
        comparisons = []
        for run in range(runs):
            inputs = random_inputs(report, seed + run)
            got = run_host_executable(exe, report, inputs, Path(tmp) / f"run{run}")
            rounding = report.get("int8_rounding")
            fed = reference_inputs(report, inputs)
            want = run_reference(model_path, [i["source_name"] for i in report["inputs"]], fed, bindings, rounding)
            reference = describe_reference(reference_executor(model_path, fed, rounding))
            for info, g, w in zip(report["outputs"], got, want):
                c = compare(f"{info['name']} (run {run})", g, w, rtol, atol)
                c.reference = reference
                comparisons.append(c)
    return comparisons
