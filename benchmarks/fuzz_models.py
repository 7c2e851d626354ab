"""Fuzz edgec's frontends with damaged and hostile copies of real models, and report what came out.

    python benchmarks/fuzz_models.py [--per-model 500] [--verify-share 0.2] [--seed 0] [--out benchmarks/results]

Mutants (tests/model_mutants.py): byte flips, truncations, appended bytes, and structure-aware changes through
the TFLite flatbuffer object API and the ONNX protobuf (indices, shapes, scales, zero points, dtypes, names,
attributes, buffer lengths, scales made graph inputs, inputs made constants). Each is compiled with the real CLI
(tests/fuzz_runner.py: one worker process, a timeout per file); a share of the accepted ones is then run with
`edgec verify` against the reference executor on the mutated file itself.

Models: ONNX float (model_zoo/models/tiny_cnn.onnx), ONNX QDQ int8 (tiny_cnn through edgec's own PTQ,
`--quantize int8`), TFLite int8 (MLPerf Tiny KWS and AD, and the int8 operator mix), TFLite float (MLPerf Tiny
AD). The repository has no hybrid TFLite model file; hybrid models are built in tests only.

Writes benchmarks/results/fuzz_models.md and .json: per model, how many mutants ran and how each ended.
Any "internal", "crash" or "hang" outcome is a bug in edgec and is listed with the mutation that caused it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fuzz_runner import run_files  # noqa: E402
from model_mutants import mutants  # noqa: E402

MODELS = {
    "onnx-float tiny_cnn": REPO / "model_zoo/models/tiny_cnn.onnx",
    "tflite-int8 kws": REPO / "model_zoo/mlperf_tiny/kws_ref_model.tflite",
    "tflite-int8 ad01": REPO / "model_zoo/mlperf_tiny/ad01_int8.tflite",
    "tflite-int8 mix": REPO / "model_zoo/models/int8_mix_int8io.tflite",
    "tflite-float ad01": REPO / "model_zoo/mlperf_tiny/ad01_fp32.tflite",
}


def qdq_model(work: Path) -> Path:
    """tiny_cnn quantized by edgec's own PTQ (--quantize int8), kept beside the C as out/<name>_int8.onnx."""
    import numpy as np

    calib = work / "calib.npy"
    np.save(calib, np.random.default_rng(0).uniform(-1, 1, (8, 1, 1, 32, 32)).astype(np.float32))
    out = work / "qdq_out"
    subprocess.run([sys.executable, "-m", "edgec", "compile", str(MODELS["onnx-float tiny_cnn"]), "--quantize", "int8",
                    "--calibration", str(calib), "--no-code-size", "--quiet", "-o", str(out), "--target", "host"],
                   check=True, env=dict(os.environ, PYTHONPATH=str(REPO / "compiler")), capture_output=True)
    return out / "tiny_cnn_int8.onnx"


def classify(result: dict) -> str:
    """The outcome, with an accepted-and-verified file split by what verify said (exit codes: README)."""
    outcome = result["outcome"]
    if outcome == "accepted" and "verify_exit" in result:
        return {0: "accepted, matches reference", 4: "accepted, DIFFERS from reference",
                6: "accepted, reference cannot run it"}.get(result["verify_exit"],
                                                           f"accepted, verify exit {result['verify_exit']}")
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-model", type=int, default=500)
    parser.add_argument("--verify-share", type=float, default=0.2, help="share of accepted mutants to verify")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per compile before it is a hang")
    parser.add_argument("--models", nargs="*", help="subset of model labels")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="write one report from the JSON reports of runs made in parallel (no fuzzing)")
    args = parser.parse_args()
    if args.merge:
        parts = [json.loads(p.read_text()) for p in args.merge]
        report = {"seed": ",".join(sorted({str(p["seed"]) for p in parts})),
                  "per_model": ",".join(sorted({str(p["per_model"]) for p in parts})),
                  "models": {k: v for p in parts for k, v in p["models"].items()},
                  "seconds": sum(p["seconds"] for p in parts)}
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "fuzz_models.json").write_text(json.dumps(report, indent=1))
        write_markdown(report, args.out / "fuzz_models.md")
        return 0

    started = time.monotonic()
    report = {"seed": args.seed, "per_model": args.per_model, "models": {}}
    with tempfile.TemporaryDirectory(prefix="edgec-fuzz-") as tmp:
        work = Path(tmp)
        models = dict(MODELS)
        models["onnx-qdq tiny_cnn (edgec PTQ)"] = None
        for label, path in models.items():
            if args.models and label not in args.models:
                continue
            path = path or qdq_model(work)
            folder = work / label.replace(" ", "_").replace("(", "").replace(")", "")
            folder.mkdir()
            jobs = []
            for k, m in enumerate(mutants(path, args.per_model, args.seed)):
                f = folder / f"m{k:05d}{m.suffix}"
                f.write_bytes(m.data)
                jobs.append({"file": str(f), "out": str(folder / f"out{k}"), "what": m.what,
                             "verify": (k * 7919 % 1000) / 1000 < args.verify_share})
            t0 = time.monotonic()
            results = run_files(jobs, folder / "runner", timeout=args.timeout)
            counts = collections.Counter(classify(r) for r in results)
            bugs = [dict(what=j["what"], outcome=classify(r), message=r.get("verify_message") or r["message"])
                    for j, r in zip(jobs, results)
                    if r["outcome"] in ("internal", "crash", "hang") or classify(r).startswith("accepted, DIFFERS")
                    or classify(r).startswith("accepted, verify exit")]
            report["models"][label] = dict(model=str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name,
                                           mutants=len(results), seconds=round(time.monotonic() - t0, 1),
                                           outcomes=dict(counts), findings=bugs[:50])
            print(f"{label}: {len(results)} mutants in {time.monotonic() - t0:.0f} s: {dict(counts)}", flush=True)
            for b in bugs[:10]:
                print(f"  {b['outcome']}: {b['what']}: {b['message'][:300]}", flush=True)
    report["seconds"] = round(time.monotonic() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fuzz_models.json").write_text(json.dumps(report, indent=1))
    write_markdown(report, args.out / "fuzz_models.md")
    return 0


def write_markdown(report: dict, path: Path) -> None:
    total = sum(m["mutants"] for m in report["models"].values())
    outcomes = sorted({o for m in report["models"].values() for o in m["outcomes"]})
    lines = [
        "# Fuzzing edgec's frontends with damaged model files",
        "",
        f"`python benchmarks/fuzz_models.py --per-model {report['per_model']} --seed {report['seed']}`: "
        f"{total} mutants over {len(report['models'])} models in {report['seconds']:.0f} s of runs "
        "(tests/model_mutants.py: byte flips, truncations, appended bytes, and structure-aware changes of indices, "
        "shapes, scales, zero points, dtypes, names, attributes and buffer lengths).",
        "",
        "Outcomes: *refused*: a clear `edgec: error:` (exit 1-3); *accepted*: C was generated; a share of those was "
        "run with `edgec verify` on the mutated file (*matches reference*; *reference cannot run it*: exit 6, the "
        "reference executor itself refuses or dies on the file); *internal* (exit 70), *crash* and *hang* are bugs.",
        "",
        "| model | mutants | " + " | ".join(outcomes) + " |",
        "|---|---|" + "---|" * len(outcomes),
    ]
    for label, m in report["models"].items():
        lines.append(f"| {label} | {m['mutants']} | " + " | ".join(str(m["outcomes"].get(o, 0)) for o in outcomes) + " |")
    findings = [(label, f) for label, m in report["models"].items() for f in m["findings"]]
    lines += ["", f"## Findings ({len(findings)})", ""]
    if not findings:
        lines.append("None: no internal error, crash, hang or mismatch.")
    for label, f in findings[:60]:
        lines.append(f"- {label}: {f['outcome']}: {f['what']}: `{f['message'][:200]}`")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
