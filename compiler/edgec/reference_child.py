"""Run the reference executor in a child process, under a timeout.

onnxruntime, LiteRT and TFLite Micro are C++ libraries: on a damaged or hostile model they may abort, crash or
loop instead of raising. In edgec's own process that would take `edgec verify` down with them (or hang it), so
the reference runs here, in a child: any failure becomes a ReferenceUnavailableError naming the executor and
what it said, and edgec's own result is still reported (verify.py).

    python -m edgec.reference_child MODEL REQUEST.npz RESULT.npz
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from .errors import ReferenceUnavailableError


def run_reference_isolated(path: Path, input_names: list[str], batches: list[list[np.ndarray]],
                           bindings: dict[str, np.ndarray] | None = None, int8_rounding: str | None = None,
                           timeout: float = 300.0) -> list[list[np.ndarray]]:
    """run_reference for each list of inputs in `batches`, in one child process; per batch, the outputs."""
    from .reference import describe_reference, reference_executor

    executor = describe_reference(reference_executor(path, batches[0] if batches else [], int8_rounding))
    with tempfile.TemporaryDirectory(prefix="edgec-ref-") as tmp:
        request, result = Path(tmp) / "request.npz", Path(tmp) / "result.npz"
        arrays = {f"in_{b}_{i}": x for b, inputs in enumerate(batches) for i, x in enumerate(inputs)}
        arrays.update({f"bind_{k}": np.asarray(v) for k, v in enumerate((bindings or {}).values())})
        meta = dict(names=input_names, batches=len(batches), inputs=len(input_names),
                    bindings=list((bindings or {}).keys()), rounding=int8_rounding)
        np.savez(request, meta=np.array(json.dumps(meta)), **arrays)
        compiler_dir = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=compiler_dir + os.pathsep + os.environ.get("PYTHONPATH", ""))
        try:
            proc = subprocess.run([sys.executable, "-m", "edgec.reference_child", str(path), str(request), str(result)],
                                  capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise ReferenceUnavailableError(f"{executor} did not finish in {timeout:.0f} s on {path}") from None
        if proc.returncode != 0 or not result.exists():
            said = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:500]
            how = f"died with signal {-proc.returncode}" if proc.returncode < 0 else "cannot run it"
            raise ReferenceUnavailableError(f"{executor} {how}: {said}")
        with np.load(result) as data:
            counts = json.loads(str(data["meta"]))
            return [[data[f"out_{b}_{k}"] for k in range(counts[b])] for b in range(len(batches))]


def main(model: str, request: str, result: str) -> int:
    from .reference import run_reference

    with np.load(request) as data:
        meta = json.loads(str(data["meta"]))
        batches = [[data[f"in_{b}_{i}"] for i in range(meta["inputs"])] for b in range(meta["batches"])]
        bindings = {name: data[f"bind_{k}"] for k, name in enumerate(meta["bindings"])} or None
    outputs = {}
    counts = []
    try:
        for b, inputs in enumerate(batches):
            outs = run_reference(Path(model), meta["names"], inputs, bindings, meta["rounding"])
            counts.append(len(outs))
            outputs.update({f"out_{b}_{k}": np.asarray(o) for k, o in enumerate(outs)})
    except Exception as exc:  # the reference refuses the model: say what it said, on one line
        print(f"{exc.__class__.__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    np.savez(result, meta=np.array(json.dumps(counts)), **outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
