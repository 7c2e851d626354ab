"""Run edgec on many model files and classify each outcome; used by tests/test_fuzz_models.py and
benchmarks/fuzz_models.py.

A worker process (`python fuzz_runner.py LIST.json`) compiles the files one after the other in-process through
the real CLI entry point (edgec.cli.main, as a user's `edgec compile` would run, only without the cost of
importing TVM once per file) and prints one JSON line per file. The parent (run_files) reads the lines under a
per-file timeout: a file that takes longer is a hang, the worker is killed and a new one takes the remaining
files; a worker that dies without a line (a segfault, an abort) is a crash.

Outcomes:
  refused   exit 1-3 with an "edgec: error:" message (an EdgecError): the model is rejected clearly
  accepted  exit 0: C was generated (optionally then verified against the reference executor: see verify)
  internal  exit 70: "internal error ... This is a bug in edgec"
  crash     the worker died (signal, abort) or printed a traceback
  hang      no answer within the timeout
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import subprocess
import threading
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _compile_one(path: str, out_dir: str, verify: bool) -> dict:
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
        if verify:
            result.update(_verify(path, out_dir))
    elif message.startswith("edgec: error:"):
        result["outcome"] = "refused"
    else:
        result["outcome"] = "crash"
    return result


def _verify(path: str, out_dir: str) -> dict:
    """The accepted model's C against the reference executor on the mutated file itself, as `edgec verify`
    does: a match, a mismatch, or the reference cannot run the file (reported as such, not as a failure of
    edgec)."""
    from edgec.cli import main

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["verify", path, "--runs", "1"])
    return {"verify_exit": code, "verify_message": (err.getvalue().strip() or out.getvalue().strip())[-600:]}


def worker(list_file: str) -> None:
    sys.path.insert(0, str(REPO / "compiler"))
    jobs = json.loads(Path(list_file).read_text())
    for job in jobs:
        try:
            result = _compile_one(job["file"], job["out"], job.get("verify", False))
        except BaseException as exc:  # noqa: BLE001 - anything escaping main() is a crash of edgec
            result = {"file": job["file"], "outcome": "crash", "exit": None,
                      "message": f"{exc.__class__.__name__}: {exc}"[-600:]}
        print(json.dumps(result), flush=True)


def run_files(jobs: list[dict], work_dir: Path, timeout: float = 60.0) -> list[dict]:
    """Compile every job's file ({"file", "out", "verify"}) in worker processes; one result per job, in order."""
    work_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    env = dict(os.environ, PYTHONPATH=str(REPO / "compiler") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    while len(results) < len(jobs):
        rest = jobs[len(results):]
        list_file = work_dir / f"jobs_{len(results)}.json"
        list_file.write_text(json.dumps(rest))
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(list_file)],
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
    worker(sys.argv[1])
