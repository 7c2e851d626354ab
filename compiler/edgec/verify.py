"""`edgec verify`: build the generated C for the host (or a Linux target under QEMU user mode), run it, and compare
with the reference executor."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .build.host import build_host_executable, emulator_command, run_host_executable
from .errors import EdgecError
from .errors import ReferenceUnavailableError
from .reference import describe_reference, random_inputs, reference_executor, reference_inputs
from .reference_child import run_reference_isolated


@dataclass
class Comparison:
    output: str
    max_abs_err: float
    max_rel_err: float
    ok: bool
    reference: str = ""  # the executor compared with (reference.describe_reference)


def compare(name: str, got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> Comparison:
    want = np.asarray(want)
    if want.size != got.size:  # the model's declared output shape is not what its operators compute
        return Comparison(f"{name}: {got.size} values, the reference gives {want.size}", float("inf"), float("inf"),
                          False)
    want = want.reshape(got.shape)
    if got.dtype.kind != "f":
        with np.errstate(over="ignore"):  # 64-bit values wrap; a difference of exactly 2^63 stays negative
            diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        diff = np.where(diff < 0, np.iinfo(np.int64).max, diff)
        return Comparison(name, float(diff.max(initial=0)), 0.0, bool(np.all(diff <= atol)))
    g64, w64 = got.astype(np.float64), want.astype(np.float64)
    same_special = (np.isnan(g64) & np.isnan(w64)) | (np.isinf(g64) & (g64 == w64))
    # LiteRT clamps every fused activation, NONE too, to +-FLT_MAX: where a sum overflows it gives FLT_MAX and
    # edgec's C (as onnxruntime) gives inf; the same overflow, not a difference
    flt_max = float(np.finfo(np.float32).max)
    same_special |= np.isinf(g64) & (np.abs(w64) == flt_max) & (np.sign(g64) == np.sign(w64))
    with np.errstate(invalid="ignore"):  # inf - inf where both are the same infinity: masked just below
        err = np.where(same_special, 0.0, np.abs(g64 - w64))
    scale = np.maximum(np.abs(w64), 1e-30)
    rel = np.where(same_special, 0.0, err / scale)
    # float32 sums round at the scale of their terms: an output near 0 that cancels large terms (an autoencoder's
    # reconstruction, say) differs between any two engines by atol relative to the tensor's largest value
    finite = np.abs(w64[np.isfinite(w64)])
    atol_scaled = atol * max(1.0, float(finite.max(initial=0.0)))
    ok = bool(np.all(same_special | (err <= atol_scaled + rtol * np.abs(w64))))
    return Comparison(name, float(err.max(initial=0)), float(rel.max(initial=0)), ok)


def random_nodes(model_path: Path) -> list[str]:
    """The ONNX model's random generators ('name (op)'): no two executors draw the same values."""
    if Path(model_path).suffix.lower() != ".onnx":
        return []
    import onnx

    from .frontend.onnx_fold import RANDOM_OPS

    try:
        graph = onnx.load(str(model_path), load_external_data=False).graph
    except Exception:  # a file the reference cannot read either: run_reference_isolated says so
        return []
    return [f"'{n.name or n.output[0]}' ({n.op_type})" for n in graph.node if n.op_type in RANDOM_OPS]


def verify_compiled(model_path: Path, result, runs: int = 3, rtol: float = 1e-4, atol: float = 1e-5,
                    sanitize: bool = False, cc: str = "gcc", seed: int = 0,
                    bindings: dict[str, np.ndarray] | None = None, target=None) -> list[Comparison]:
    """Build the generated C for the host, run it on `runs` random inputs and compare with the reference executor
    (run in a child process: reference_child.py). If the reference cannot run the model, ReferenceUnavailableError
    says so and what edgec's own build produced. A target with an emulator (targets/cortex-a53.toml ...) is built
    with its own compiler and flags and run under its QEMU user-mode emulator instead."""
    report = result.report
    rounding = report.get("int8_rounding")
    runner = emulator_command(target) if target is not None else []
    if runner and sanitize:
        raise EdgecError(f"--sanitize builds for the host only, not for target {target.name}")
    build = dict(cc=target.cc, cflags=list(target.cflags)) if runner else dict(cc=cc)
    with tempfile.TemporaryDirectory(prefix="edgec-verify-") as tmp:
        exe = build_host_executable(result.out_dir, report, Path(tmp), sanitize=sanitize, **build)
        batches = [random_inputs(report, seed + run) for run in range(runs)]
        got = [run_host_executable(exe, report, inputs, Path(tmp) / f"run{run}", timeout=600 if runner else 120,
                                   runner=runner) for run, inputs in enumerate(batches)]
    names = [i["source_name"] for i in report["inputs"]]
    fed = [reference_inputs(report, inputs) for inputs in batches]  # the model file's own inputs (--int8-input)
    random = random_nodes(model_path)
    if random:
        raise ReferenceUnavailableError(f"no comparison made: the model draws random numbers ({', '.join(random)}), "
                                        f"and the reference draws others\n{edgec_result_summary(report, got)}")
    try:
        wanted = run_reference_isolated(model_path, names, fed, bindings, rounding)
    except ReferenceUnavailableError as exc:
        raise ReferenceUnavailableError(f"no comparison made: {exc}\n{edgec_result_summary(report, got)}") from None
    reference = describe_reference(reference_executor(model_path, fed[0], rounding))
    comparisons = []
    for run, (outs, want) in enumerate(zip(got, wanted)):
        for info, g, w in zip(report["outputs"], outs, want):
            c = compare(f"{info['name']} (run {run})", g, w, rtol, atol)
            c.reference = reference
            comparisons.append(c)
    return comparisons


def edgec_result_summary(report: dict, got: list[list[np.ndarray]]) -> str:
    """What edgec's own build produced, for when there is nothing to compare it with."""
    lines = [f"edgec's generated C built and ran on {len(got)} random input(s); its outputs:"]
    for k, info in enumerate(report["outputs"]):
        values = np.concatenate([np.asarray(outs[k], np.float64).reshape(-1) for outs in got]) if got else np.zeros(0)
        finite = bool(np.all(np.isfinite(values)))
        span = f"[{values.min():.6g}, {values.max():.6g}]" if values.size else "(empty)"
        lines.append(f"  {info['name']} {info['shape']} {info['dtype']}: values in {span}"
                     + ("" if finite else ", NOT all finite"))
    return "\n".join(lines)
