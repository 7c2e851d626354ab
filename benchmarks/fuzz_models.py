"""Fuzz edgec's frontends with damaged and hostile copies of real models, and report what came out.

    python benchmarks/fuzz_models.py [--total 10000] [--workers 2] [--verify-share 0.02] [--seed 0]
                                     [--deadline 13:30] [--kinds "TFLite int8" ...] [--out benchmarks/results]

Five model kinds, small models of the repository:
  ONNX float     model_zoo/models/tiny_cnn.onnx, digits_cnn_float.onnx
  ONNX QDQ int8  tiny_cnn quantized by edgec's own PTQ (`--quantize int8`) and by onnxruntime's quantize_static
                 (QDQ, per-channel int8, as tests/test_int8_onnx_qdq.py does)
  TFLite int8    MLPerf Tiny KWS and AD, and the int8 operator mix (model_zoo/models/int8_mix_int8io.tflite)
  TFLite float   a small float CNN written with tests/tflite_builder.py (conv, depthwise, average pool, reshape,
                 fully connected, softmax) and, fewer (its 1 MB of weights take seconds to compile and build),
                 MLPerf Tiny AD (ad01_fp32.tflite)
  TFLite hybrid  MLPerf Tiny KWS float32 (dynamic-range: int8 conv weights, float activations)

Mutants (tests/model_mutants.py), distinct files only, grouped in families: byte flips, truncations, appended
bytes, and structure-aware changes through the TFLite flatbuffer object API and the ONNX protobuf of indices,
shapes, quantization parameters, dtypes, names, data lengths and operator codes / options / attributes. Each
is compiled with the real CLI entry in-process (tests/fuzz_runner.py: worker processes of `--batch` files each,
an alarm and a parent timeout per file); each accepted file's C is built with gcc under the suite's strict
flags, and a share of the files (`--verify-share`, chosen before compiling) is run with `edgec verify` on the
mutated file itself against its reference executor.

Writes benchmarks/results/fuzz_models.md and .json: per kind x family, how many mutants ran and how each
ended. "internal", "hang", "crash", "C fails to build", "DIFFERS" and "verify error" are bugs in edgec; the
files that caused them are kept in `--keep` with their mutation.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fuzz_runner import run_files  # noqa: E402
from model_mutants import FAMILIES, RULED, mutants, ruled_change  # noqa: E402

ZOO, MLPERF = REPO / "model_zoo/models", REPO / "model_zoo/mlperf_tiny"
# kind -> model label -> (file or the name of a function that makes it, share of the kind's mutants)
KINDS = {
    "ONNX float": {"tiny_cnn": (ZOO / "tiny_cnn.onnx", 0.5), "digits_cnn": (ZOO / "digits_cnn_float.onnx", 0.5)},
    "ONNX QDQ int8": {"tiny_cnn (edgec PTQ)": ("edgec_ptq_model", 0.5),
                      "tiny_cnn (ORT quantize_static)": ("ort_qdq_model", 0.5)},
    "TFLite int8": {"kws": (MLPERF / "kws_ref_model.tflite", 0.3), "ad01": (MLPERF / "ad01_int8.tflite", 0.2),
                    "int8 mix": (ZOO / "int8_mix_int8io.tflite", 0.2), "int8 ops": ("int8_ops_tflite", 0.2),
                    "variables": ("variables_int8_tflite", 0.1)},
    "TFLite float": {"small cnn": ("small_float_tflite", 0.5), "float ops": ("float_ops_tflite", 0.3),
                     "ad01": (MLPERF / "ad01_fp32.tflite", 0.1), "control flow": ("control_flow_tflite", 0.1)},
    "TFLite hybrid": {"kws": (MLPERF / "kws_ref_model_float32.tflite", 1.0)},
}
# Outcome columns, in report order; BUGS are edgec's defects
OUTCOMES = ["clean error", "compiled, C builds", *(f"accepted by rule: {r}" for r in RULED), "verified: matches",
            "verified: reference refuses too", "verified: DIFFERS", "verify error", "C fails to build", "internal",
            "hang", "crash"]
BUGS = {"verified: DIFFERS", "verify error", "C fails to build", "internal", "hang", "crash"}
VERIFIED = {"verified: matches", "verified: reference refuses too", "verified: DIFFERS", "verify error"}


def edgec_ptq_model(work: Path) -> Path:
    """tiny_cnn quantized by edgec's own PTQ (--quantize int8), kept beside the C as out/<name>_int8.onnx."""
    import numpy as np

    calib = work / "calib.npy"
    np.save(calib, np.random.default_rng(0).uniform(-1, 1, (8, 1, 1, 32, 32)).astype(np.float32))
    out = work / "qdq_out"
    subprocess.run([sys.executable, "-m", "edgec", "compile", str(ZOO / "tiny_cnn.onnx"), "--quantize", "int8",
                    "--calibration", str(calib), "--no-code-size", "--quiet", "-o", str(out), "--target", "host"],
                   check=True, env=dict(os.environ, PYTHONPATH=str(REPO / "compiler")), capture_output=True)
    return out / "tiny_cnn_int8.onnx"


def ort_qdq_model(work: Path) -> Path:
    """tiny_cnn through onnxruntime's quantize_static (QDQ, per-channel int8 weights and activations)."""
    import numpy as np
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self, name, shape):
            rng = np.random.default_rng(0)
            self.data = iter([{name: rng.uniform(-1, 1, shape).astype(np.float32)} for _ in range(16)])

        def get_next(self):
            return next(self.data, None)

    pre, qdq = work / "tiny_cnn_pre.onnx", work / "tiny_cnn_qdq.onnx"
    quant_pre_process(str(ZOO / "tiny_cnn.onnx"), str(pre))
    (inp,) = ort.InferenceSession(str(pre), providers=["CPUExecutionProvider"]).get_inputs()
    quantize_static(str(pre), str(qdq), Reader(inp.name, inp.shape), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, reduce_range=True)
    return qdq


def float_ops_tflite(work: Path) -> Path:
    """The float importer's own converters in one small model (tests/test_float_tflite_ops.py's cases): LSTM and
    SVDF (state kept between runs), detection post-processing, the index-map data movement, gathers, arg / cumsum
    / cast, resizes, folded shapes, dynamic update slices, all / any."""
    from tflite_builder import TFLiteBuilder

    import test_float_tflite_ops as cases

    b = TFLiteBuilder(seed=2)
    inputs, outputs = [], []
    builds = [cases.STATEFUL["lstm"], cases.STATEFUL["svdf"]] + [cases.CASES[name][0] for name in (
        "detection_postprocess", "pads", "space_depth_batch", "broadcast_tile_reverse", "gathers", "arg_cumsum_cast",
        "resizes", "shapes_at_compile_time", "update_slices", "any_all")]
    for build in builds:
        ins, outs = build(b)
        inputs += ins
        outputs += outs
    path = work / "float_ops.tflite"
    path.write_bytes(b.finish(inputs, outputs))
    return path


def int8_ops_tflite(work: Path) -> Path:
    """The int8 importer's data movement, bool logic, running sums and folded operators in one model
    (tests/test_int8_tflite_coverage.py's families)."""
    import test_int8_tflite_coverage as cases

    m = cases.Model(seed=4)
    cases.movement_model(m)
    cases.logic_model(m)
    path = work / "int8_ops.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    return path


def variables_int8_tflite(work: Path) -> Path:
    """An int8 streaming model with resource variables and CALL_ONCE (tests/test_tflite_variables.py)."""
    import test_tflite_variables as cases

    m = cases.Streaming(int8=True, seed=8)
    path = work / "variables_int8.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    return path


def control_flow_tflite(work: Path) -> Path:
    """A float model with IF and a WHILE over a sequence (tests/test_tflite_control_flow.py)."""
    import test_tflite_control_flow as cases

    m = cases.ControlFlow(int8=False, seed=11)
    path = work / "control_flow.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    return path


def small_float_tflite(work: Path) -> Path:
    """A float CNN small enough to compile in a fraction of a second: conv 3x3 (relu), depthwise 3x3 stride 2
    (relu6), average pool, reshape, fully connected, softmax."""
    import numpy as np
    from tflite_builder import TFLiteBuilder, schema

    b = TFLiteBuilder(seed=5)

    def weights(*shape):
        return b.tensor(shape, "float32", data=b.rng.normal(0, 0.3, shape).astype(np.float32))

    def options(cls, **fields):
        o = cls()
        for k, v in fields.items():
            setattr(o, k, v)
        return o

    act = schema.ActivationFunctionType
    x, y1, y2 = b.tensor([1, 12, 12, 3], "float32"), b.tensor([1, 12, 12, 8], "float32"), b.tensor([1, 6, 6, 8], "float32")
    y3, y4, y5, y6 = (b.tensor(s, "float32") for s in ([1, 3, 3, 8], [1, 72], [1, 10], [1, 10]))
    b.op("CONV_2D", [x, weights(8, 3, 3, 3), weights(8)], [y1],
         options(schema.Conv2DOptionsT, padding=schema.Padding.SAME, strideH=1, strideW=1, dilationHFactor=1,
                 dilationWFactor=1, fusedActivationFunction=act.RELU))
    b.op("DEPTHWISE_CONV_2D", [y1, weights(1, 3, 3, 8), weights(8)], [y2],
         options(schema.DepthwiseConv2DOptionsT, padding=schema.Padding.SAME, strideH=2, strideW=2, depthMultiplier=1,
                 dilationHFactor=1, dilationWFactor=1, fusedActivationFunction=act.RELU6))
    b.op("AVERAGE_POOL_2D", [y2], [y3], options(schema.Pool2DOptionsT, padding=schema.Padding.VALID, strideH=2,
                                               strideW=2, filterHeight=2, filterWidth=2))
    b.op("RESHAPE", [y3, b.tensor([2], "int32", data=np.array([1, 72], np.int32))], [y4],
         options(schema.ReshapeOptionsT, newShape=[1, 72]))
    b.op("FULLY_CONNECTED", [y4, weights(10, 72), weights(10)], [y5], options(schema.FullyConnectedOptionsT))
    b.op("SOFTMAX", [y5], [y6], options(schema.SoftmaxOptionsT, beta=1.0))
    path = work / "small_float_cnn.tflite"
    path.write_bytes(b.finish([x], [y6]))
    return path


def distinct_mutants(path: Path, seed: int):
    """The generator's mutants of `path`, each distinct file once (a byte set to the value it had, or the same
    structural change drawn twice, would only repeat an outcome)."""
    seen = {hashlib.sha1(path.read_bytes()).digest()}
    for k, m in enumerate(mutants(path, 10**9, seed)):
        digest = hashlib.sha1(m.data).digest()
        if digest not in seen:
            seen.add(digest)
            yield k, m


def utc_deadline(hhmm: str | None) -> float | None:
    """A wall-clock time today (UTC) as a time.time() value."""
    if not hhmm:
        return None
    h, m = map(int, hhmm.split(":"))
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.replace(hour=h, minute=m, second=0, microsecond=0).timestamp()


def classify(result: dict, rule: str | None) -> str:
    outcome = result["outcome"]
    if outcome == "refused":
        return "clean error"
    if outcome != "accepted":
        return outcome
    if result.get("build", "ok") != "ok":
        return "C fails to build"
    if "verify_exit" in result:
        return {0: "verified: matches", 4: "verified: DIFFERS",
                6: "verified: reference refuses too"}.get(result["verify_exit"], "verify error")
    return f"accepted by rule: {rule}" if rule else "compiled, C builds"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--total", type=int, default=10000, help="mutants over all kinds (split evenly)")
    parser.add_argument("--verify-share", type=float, default=0.05,
                        help="share of the accepted mutants the documented rule covers (same model, weights changed) "
                             "verified too, to check the rule; every other accepted mutant is verified")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="worker processes at a time")
    parser.add_argument("--batch", type=int, default=40, help="files per worker process")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per compile before it is a hang")
    parser.add_argument("--deadline", help="HH:MM (UTC): start no batch after it; the report states the count run")
    parser.add_argument("--kinds", nargs="*", help="subset of kinds")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results")
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "edgec-fuzz-findings",
                        help="where the files of findings are copied")
    parser.add_argument("--log", type=Path, help="write every file's result here (JSON lines)")
    args = parser.parse_args()
    deadline = utc_deadline(args.deadline)

    started = time.monotonic()
    kinds = {k: v for k, v in KINDS.items() if not args.kinds or k in args.kinds}
    per_kind = args.total // len(kinds)
    work = Path(tempfile.mkdtemp(prefix="edgec-fuzz-"))
    args.keep.mkdir(parents=True, exist_ok=True)
    sources = []  # (kind, label, path, count, generator)
    for kind, models in kinds.items():
        for label, (path, share) in models.items():
            path = globals()[path](work) if isinstance(path, str) else path
            count = round(per_kind * share)
            sources.append((kind, label, path, count, distinct_mutants(path, args.seed)))
    original = {path: path.read_bytes() for _, _, path, _, _ in sources}

    # batches round-robin over the models, so that a run cut by the deadline still covers every kind
    def batches():
        made = collections.Counter()
        for _ in itertools.count():
            live = [s for s in sources if made[s[1], s[0]] < s[3]]
            if not live:
                return
            for kind, label, path, count, gen in live:
                take = min(args.batch, count - made[label, kind])
                made[label, kind] += take
                yield kind, label, path, list(itertools.islice(gen, take))

    lock = threading.Lock()
    stream = batches()
    records: list[dict] = []
    log = args.log.open("w") if args.log else None

    def work_loop(w: int) -> None:
        for n in itertools.count():
            with lock:
                if deadline and time.time() > deadline:
                    return
                batch = next(stream, None)
            if batch is None:
                return
            kind, label, path, items = batch
            folder = work / f"w{w}_{n}"
            folder.mkdir()
            jobs, rules = [], []
            for k, m in items:
                f = folder / f"m{k:06d}{m.suffix}"
                f.write_bytes(m.data)
                pick = int.from_bytes(hashlib.sha1(m.data).digest()[:4], "little") / 2**32
                rules.append(ruled_change(original[path], m.data, m.suffix))
                jobs.append({"file": str(f), "out": str(folder / f"out{k}"), "build": True, "clean": True,
                             "verify": rules[-1] is None or pick < args.verify_share})
            results = run_files(jobs, folder / "runner", timeout=args.timeout)
            with lock:
                for (k, m), job, r, rule in zip(items, jobs, results, rules):
                    outcome = classify(r, rule)
                    rec = dict(kind=kind, model=label, index=k, family=m.family, what=m.what, outcome=outcome, rule=rule,
                               seconds=r.get("seconds"), message=(r.get("verify_message") if outcome in VERIFIED
                                                                  else r.get("build") if outcome == "C fails to build"
                                                                  else r["message"]) or "")
                    if outcome in BUGS:
                        keep = args.keep / f"{kind}_{label}_{k}{m.suffix}".replace(" ", "_").replace("/", "_")
                        shutil.copy(job["file"], keep)
                        rec["file"] = str(keep)
                        print(f"  {kind} / {label}: {outcome}: {m.what}: {rec['message'][:300]}", flush=True)
                    records.append(rec)
                    if log:
                        log.write(json.dumps(rec) + "\n")
                if len(records) % 400 < len(items):
                    print(f"{len(records)} mutants, {time.monotonic() - started:.0f} s: "
                          f"{dict(collections.Counter(r['outcome'] for r in records))}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)

    threads = [threading.Thread(target=work_loop, args=(w,)) for w in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shutil.rmtree(work, ignore_errors=True)
    report = summarize(records, args, round(time.monotonic() - started), cut=len(records) < args.total)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fuzz_models.json").write_text(json.dumps(report, indent=1))
    write_markdown(report, args.out / "fuzz_models.md")
    print(f"{len(records)} mutants in {report['seconds']} s; bugs: {len(report['findings'])}")
    return 0


def summarize(records: list[dict], args, seconds: int, cut: bool) -> dict:
    table: dict = {}
    for r in records:
        row = table.setdefault(r["kind"], {}).setdefault(r["family"], collections.Counter())
        row[r["outcome"]] += 1
    models = collections.Counter(f"{r['kind']} / {r['model']}" for r in records)
    return {"command": " ".join(["python benchmarks/fuzz_models.py", *sys.argv[1:]]), "seed": args.seed,
            "requested": args.total, "ran": len(records), "cut_by_deadline": cut, "seconds": seconds,
            "workers": args.workers, "verify_share": args.verify_share, "models": dict(models),
            "table": {k: {f: dict(c) for f, c in v.items()} for k, v in table.items()},
            # the accepted mutants the rule covers that were verified too: the rule's own check
            "rule_sample": {rule: dict(collections.Counter(r["outcome"] for r in records if r.get("rule") == rule
                                                           and r["outcome"] in VERIFIED)) for rule in RULED},
            "findings": [r for r in records if r["outcome"] in BUGS]}


def write_markdown(report: dict, path: Path) -> None:
    table = report["table"]
    cols = [o for o in OUTCOMES if o == "clean error" or o in BUGS
            or any(o in c for v in table.values() for c in v.values())]
    totals = collections.Counter()
    lines = [
        "# Fuzzing edgec with damaged model files",
        "",
        f"`{report['command']}`: **{report['ran']} mutants** "
        + (f"(of {report['requested']} requested: the run was cut at its deadline on this shared machine) "
           if report["cut_by_deadline"] else "")
        + f"in {report['seconds']} s wall time with {report['workers']} worker processes, on 2 cores shared with "
        "other jobs. Mutants per model: " + ", ".join(f"{k} {v}" for k, v in report["models"].items()) + ".",
        "",
        "Each mutant (tests/model_mutants.py; distinct files) went through `edgec compile --target host` "
        "(the CLI entry in-process, tests/fuzz_runner.py). Outcomes: *clean error*: an `edgec: error:` message "
        "(exit 1-3). Every accepted file's C is built with gcc `-std=c99 -Wall -Wextra -Werror -ffreestanding -O2` "
        "and then either verified or covered by the documented rule (tests/model_mutants.py `ruled_change`): "
        "*accepted by rule: same model*: the file parses to the same model as the original (bytes nothing reads, "
        "trailing bytes, a field set to the value it had); *accepted by rule: weights changed*: it differs from the "
        "original only in the values of the weights and biases of Conv / Gemm / MatMul, CONV_2D / DEPTHWISE_CONV_2D "
        "/ FULLY_CONNECTED (same sizes), so it is a valid model of the same graph. Every other accepted file is "
        "*verified*: its C, built for the host, run on a random input and compared with the reference executor on "
        "the mutated file itself (edgec.verify, as `edgec verify`): *matches*, or *reference refuses too* (exit 6: "
        "the reference executor cannot run the file either; edgec's own build ran). A share "
        f"({report['verify_share']}, chosen before compiling) of the ruled files is verified too, to check the rule. "
        "*DIFFERS* (exit 4), *verify error*, *C fails to build*, *internal* (exit 70), *hang* (no answer within "
        "the timeout) and *crash* (a signal, a traceback) are bugs in edgec.",
        "",
        "| kind | family | mutants | " + " | ".join(cols) + " |",
        "|---|---|---|" + "---|" * len(cols),
    ]
    for kind, fams in table.items():
        for fam in [f for f in FAMILIES if f in fams]:
            c = fams[fam]
            totals.update(c)
            lines.append(f"| {kind} | {fam} | {sum(c.values())} | " + " | ".join(str(c.get(o, 0)) for o in cols) + " |")
    lines.append(f"| **all** | | **{sum(totals.values())}** | " + " | ".join(f"**{totals.get(o, 0)}**" for o in cols) + " |")
    accepted = sum(v for o, v in totals.items() if o != "clean error")
    ruled = {r: totals.get(f"accepted by rule: {r}", 0) for r in RULED}
    sample = report.get("rule_sample", {})
    lines += ["", f"Accepted: **{accepted}** of {sum(totals.values())}: "
              f"{sum(totals.get(o, 0) for o in VERIFIED)} verified, "
              + ", ".join(f"{n} by the rule ({r})" for r, n in ruled.items())
              + f", {totals.get('compiled, C builds', 0)} neither. Rule check: of the ruled files also verified, "
              + "; ".join(f"{r}: " + (", ".join(f"{n} {o}" for o, n in sample.get(r, {}).items()) or "none")
                          for r in RULED) + "."]
    findings = report["findings"]
    lines += ["", f"## Findings ({len(findings)})", ""]
    if not findings:
        lines.append("None: no internal error, hang, crash, build failure or wrong answer.")
    for f in findings[:60]:
        lines.append(f"- {f['kind']} / {f['model']} (mutant {f['index']}): {f['outcome']}: {f['what']}: "
                     f"`{f['message'][:200].replace(chr(10), ' ')}`")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
