"""What the emulated Cortex-M7 benchmark scripts share: finding the models, and one measured bench run.

Figures are guest instructions counted by QEMU (-icount shift=0), not time: QEMU models neither the
Cortex-M7's pipeline nor its caches. Compare them as ratios measured in the same run. Rows also carry the
estimated cycles `edgec bench` derives from the instruction mix (targets/timing/<core>.toml): a model, stated.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "compiler"))

from edgec.board.bench import BenchOptions, run_bench  # noqa: E402
from edgec.board.boards import load_board  # noqa: E402
from edgec.config import Config, load_config  # noqa: E402
from edgec.errors import EdgecError  # noqa: E402
from edgec.passes.patch_search import PatchOptions  # noqa: E402

BOARD = "mps2-an500"


def models_dir() -> Path:
    d = REPO / "model_zoo" / "mlperf_tiny"
    if not d.is_dir():
        raise SystemExit(f"MLPerf Tiny models not found at {d}")
    return d


def measure(model: Path, runs: int, config: Config | None = None, board: str = BOARD, import_options=None,
            layers: bool = False, patch: PatchOptions = PatchOptions("off"), timeout: float | None = None,
            optimize: str = "speed") -> dict:
    """Build, run `runs` timed inferences on the emulated board (default: the Cortex-M7's), check outputs; one row
    of a report. `import_options`: edgec.frontend.ImportOptions (e.g. the int8 rounding). With `layers`, the
    firmware is the profiled build (a timer read after every layer) and the row has "layers". `timeout`: seconds
    per command to the board (default: toolchain.toml's; a billion-instruction model on a busy machine needs more).
    `patch`: layer by layer unless asked (not the Cortex-M targets' default, auto): the kernel benchmarks compare
    layer-by-layer schedules, as TFLite Micro runs them; patch_models_m7.py measures patching against it.
    `optimize`: `--optimize` speed (default) or size: the fully connected weights' layout (edgec/fc_layouts.py)."""
    options = BenchOptions(runs=runs, import_options=import_options, layers=layers, patch=patch, timeout=timeout,
                           optimize=optimize)
    with tempfile.TemporaryDirectory(prefix="edgec-bench-") as tmp:
        try:
            r = run_bench(model, load_board(board), Path(tmp), options, config)
        except EdgecError as exc:
            return {"model": model.name, "error": str(exc).splitlines()[0][:200]}
    inst = r["latency"]["median"]
    return {
        "model": model.name, "instructions": inst, "instructions_min": r["latency"]["min"],
        "instructions_max": r["latency"]["max"], "macs": r["macs"],
        "instructions_per_mac": inst / r["macs"] if r["macs"] else None,
        "arena_bytes": r["arena_bytes"], "arena_lower_bound_bytes": r["arena_lower_bound_bytes"],
        "arena_bytes_excluding_input": r["arena_bytes_excluding_input"], "patch": r["patch"],
        "weights_bytes": r["weights_bytes"], "flash_bytes": r["flash_bytes"], "optimize": r["optimize"],
        **({"fully_connected_layouts": r["fully_connected_layouts"]} if "fully_connected_layouts" in r else {}),
        "ram_bytes": r["ram_bytes"], "stack_high_water_bytes": r["stack_high_water_bytes"],
        "outputs_match": r["outputs_match"], "max_abs_error": r["max_abs_error"], "reference": r["reference"],
        "outputs": r["outputs"],
        # estimated cycles (emulated boards): the instruction mix x targets/timing/<core>.toml, not a measurement
        **({k: r[k] for k in ("cycles_estimate", "instruction_mix")} if "cycles_estimate" in r else {}),
        **({"cycles_model": r["cycles_model"]["name"]} if "cycles_model" in r else {}),
        **({"layers": r["layers"]} if layers else {}),
    }


def by_op(layers: list[dict]) -> dict[str, dict]:
    """A per-layer profile summed per IR op: instructions, MACs and share of the run."""
    total = sum(layer["count"] for layer in layers) or 1
    ops: dict[str, dict] = {}
    for layer in layers:
        o = ops.setdefault(layer["op"], {"layers": 0, "instructions": 0, "macs": 0})
        o["layers"] += 1
        o["instructions"] += layer["count"]
        o["macs"] += layer["macs"]
    for o in ops.values():
        o["share"] = o["instructions"] / total
    return dict(sorted(ops.items(), key=lambda kv: -kv[1]["instructions"]))


def config_with_kernels(target: str, kernels: list[str] | None) -> Config:
    """The configuration with `target`'s kernel sets replaced by `kernels` (None: the target's own)."""
    config = load_config()
    if kernels is not None:
        config.target_overrides = {**config.target_overrides, target: {"kernels": kernels}}
    return config


def git_commit() -> str:
    """The commit the figures were measured at (rows added by a later `--only` run say so)."""
    import subprocess

    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def merge_rows(previous: Path, rows: list[dict], order: list[str], commit: str, key: str = "model") -> list[dict]:
    """`rows` (from an `--only` run, each tagged with `commit`, the one the run started at) in place of the same
    models' rows of the report at `previous`, the others kept as they were measured; in `order`."""
    old = json.loads(previous.read_text()) if previous.exists() else []
    old = old["models"] if isinstance(old, dict) else old
    by_name = {r[key]: r for r in old}
    by_name.update({r[key]: {"commit": commit, **r} for r in rows})  # a row that names its commit keeps it
    return [by_name[name] for name in order if name in by_name] + \
        [r for name, r in by_name.items() if name not in order]


def write_report(out: Path, stem: str, board: str, runs: int, rows: list[dict], md: str) -> None:
    """<out>/<stem>.json (every figure) and <stem>.md (the tables), and the tables on stdout."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps({"board": board, "runs": runs, "models": rows}, indent=2) + "\n")
    (out / f"{stem}.md").write_text(md)
    print(md)
    print(f"wrote {out / (stem + '.md')} and {stem}.json")
