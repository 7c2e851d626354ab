"""Run edgec on many model files and classify each outcome; used by tests/test_fuzz_models.py and
benchmarks/fuzz_models.py.

A worker process (`python fuzz_runner.py LIST.json`) compiles the files one after the other in-process through
the real CLI entry point (edgec.cli.main, as a user's `edgec compile` would run, only without the cost of
importing TVM once per file) and prints one JSON line per file. The parent (run_files) reads the lines under a
per-file timeout: a file that takes longer is a hang, the worker is killed and a new one takes the remaining
files; a worker that dies without a line (a segfault, an abort) is a crash.

Outcomes:
  refused   exit 1-3 with an "edgec: error:" message (an EdgecError): the model is rejected clearly
  accepted  exit 0: C was generated (optionally then built with gcc, warning-free and freestanding: "build";
            and verified against the reference executor: "verify_exit")
  internal  exit 70: "internal error ... This is a bug in edgec"
  crash     the worker died (signal, abort) or printed a traceback
  hang      no answer within the timeout (an alarm in the worker for Python code; the parent's timeout, which
            kills the worker, for native code)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# tests/conftest.py's STRICT_C_FLAGS (not imported: this module runs outside pytest too)
BUILD_FLAGS = ["-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-c"]


class CaseTimeout(BaseException):
    """Raised by the per-file alarm; a BaseException so that the CLI's internal-error handler lets it through."""


def _on_alarm(signum, frame):
    raise CaseTimeout()


def _compile_one(path: str, out_dir: str, verify: bool, build: bool = False) -> dict:
    from edgec.cli import main

    err = io.StringIO()
    args = ["compile", path, "-o", out_dir, "--target", "host", "--no-code-size", "--quiet"]
    started = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    message = err.getvalue().strip()
    result = {"file": path, "exit": code, "message": message[-600:], "seconds": round(time.monotonic() - started, 2)}
    if code == 70 or "Traceback" in message:
        result["outcome"] = "internal"
    elif code == 0:
        result["outcome"] = "accepted"
        if build:
            result["build"] = _build(Path(out_dir))
        if verify:
            result.update(_verify(path, out_dir))
    elif message.startswith("edgec: error:"):
        result["outcome"] = "refused"
    else:
        result["outcome"] = "crash"
    return result


_BUILT: set[str] = set()  # sources (by content) that built already: the kernel files repeat from file to file


def _build(out_dir: Path) -> str:
    """Compile every generated C file with gcc under the suite's strict flags: "ok" or the first error."""
    obj_dir = out_dir / "obj"
    obj_dir.mkdir(exist_ok=True)
    for src in sorted(out_dir.glob("*.c")):
        digest = hashlib.sha1(src.read_bytes() + b"".join(h.read_bytes() for h in sorted(out_dir.glob("edgec_*.h"))))
        if digest.hexdigest() in _BUILT:
            continue
        proc = subprocess.run(["gcc", *BUILD_FLAGS, "-I", str(out_dir), str(src), "-o", str(obj_dir / (src.stem + ".o"))],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            return f"{src.name}: {proc.stderr.strip()[:500]}"
        if src.name not in ("model.c", "weights.c"):
            _BUILT.add(digest.hexdigest())
    return "ok"


def _verify(path: str, out_dir: str) -> dict:
    """The accepted model's C against the reference executor on the mutated file itself, as `edgec verify` does
    (edgec.verify.verify_compiled, one run, toolchain.toml's tolerances), on the C just compiled rather than a
    second compile of the same file: a match (exit 0), a mismatch (4), or the reference cannot run the file (6,
    reported as such, not as a failure of edgec)."""
    from types import SimpleNamespace

    from edgec.config import load_config
    from edgec.errors import EdgecError, VerificationError
    from edgec.verify import verify_compiled

    tolerance = load_config().verify
    out = Path(out_dir)
    result = SimpleNamespace(report=json.loads((out / "report.json").read_text()), out_dir=out)
    try:
        comparisons = verify_compiled(Path(path), result, runs=1, rtol=tolerance.get("rtol", 1e-4),
                                      atol=tolerance.get("atol", 1e-5))
        bad = [c for c in comparisons if not c.ok]
        if bad:
            raise VerificationError(f"{len(bad)} of {len(comparisons)} outputs differ: "
                                    + "; ".join(f"{c.output} max abs error {c.max_abs_err:.3g}" for c in bad))
        return {"verify_exit": 0, "verify_message": f"verified: {len(comparisons)} outputs match"}
    except EdgecError as exc:
        return {"verify_exit": exc.exit_code, "verify_message": str(exc)[-600:]}


def worker(list_file: str, alarm: float) -> None:
    sys.path.insert(0, str(REPO / "compiler"))
    signal.signal(signal.SIGALRM, _on_alarm)
    jobs = json.loads(Path(list_file).read_text())
    for job in jobs:
        started = time.monotonic()
        limit = alarm * (3 if job.get("verify") else 1)
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            result = _compile_one(job["file"], job["out"], job.get("verify", False), job.get("build", False))
        except CaseTimeout:
            result = {"file": job["file"], "outcome": "hang", "exit": None,
                      "message": f"no answer in {limit:.0f} s (alarm)"}
        except BaseException as exc:  # noqa: BLE001 - anything escaping main() is a crash of edgec
            result = {"file": job["file"], "outcome": "crash", "exit": None,
                      "message": f"{exc.__class__.__name__}: {exc}"[-600:]}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        result["seconds"] = round(time.monotonic() - started, 2)
        if job.get("clean"):  # thousands of outputs would fill the disk
            shutil.rmtree(job["out"], ignore_errors=True)
        print(json.dumps(result), flush=True)


def run_files(jobs: list[dict], work_dir: Path, timeout: float = 60.0) -> list[dict]:
    """Compile every job's file ({"file", "out", "verify", "build", "clean"}) in worker processes; one result per
    job, in order. A file gets `timeout` seconds (three times that when verified): the worker's alarm stops it
    a little earlier, and the parent kills a worker stuck in native code."""
    work_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    env = dict(os.environ, PYTHONPATH=str(REPO / "compiler") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    while len(results) < len(jobs):
        rest = jobs[len(results):]
        list_file = work_dir / f"jobs_{len(results)}.json"
        list_file.write_text(json.dumps(rest))
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(list_file), str(timeout * 0.9)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                                start_new_session=True)
        done_before = len(results)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout] + [lines.put(None)], daemon=True).start()
        try:
            while len(results) < len(jobs):
                # verification builds and runs C, so an accepted file may take longer than a refused one
                limit = timeout * (3 if jobs[len(results)].get("verify") else 1)
                try:
                    line = lines.get(timeout=limit)
                except queue.Empty:
                    results.append({"file": jobs[len(results)]["file"], "outcome": "hang", "exit": None,
                                    "message": f"no answer in {limit:.0f} s"})
                    break
                if line is None:  # the worker died mid-file
                    proc.wait()
                    results.append({"file": jobs[len(results)]["file"], "outcome": "crash",
                                    "exit": proc.returncode, "message": f"worker died with {proc.returncode}"})
                    break
                if line.startswith("{"):
                    results.append(json.loads(line))
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, 9)
                proc.wait()
        assert len(results) > done_before
    return results


if __name__ == "__main__":
    worker(sys.argv[1], float(sys.argv[2]))
