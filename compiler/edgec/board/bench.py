"""`edgec bench`: build, flash (or emulate), load inputs over serial, run, read outputs back, check them
against the reference executor, and measure latency, stack and memory."""

from __future__ import annotations

import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..config import Config, load_config
from ..errors import EdgecError
from ..reference import describe_reference, random_inputs, reference_executor, reference_inputs
from ..reference_child import run_reference_isolated
from .boards import Board
from .cycles import estimate_cycles, has_timing, load_timing
from .errors import SerialError
from .firmware import FirmwareBuild, build_firmware
from .flash import flash_board
from .insn_mix import build_plugin, per_window, plugin_args, read_mix
from .protocol import DutClient
from .qemu import QemuSession

PRINT_ROUNDING = 0.0005  # results are printed with %0.3f


@dataclass
class BenchOptions:
    runs: int = 20
    seed: int = 0
    timeout: float | None = None  # seconds per command; default from toolchain.toml [serial] timeout_s
    port: str | None = None  # real boards: serial port (or any pyserial URL)
    flash_tool: str | None = None
    flash: bool = True  # real boards: flash before running
    name: str | None = None
    import_options: object = None
    layers: bool = False  # build with the per-layer profile and report each layer's share
    patch: object = None  # passes.patch_search.PatchOptions: patch-based scheduling (default: the target's)
    checksum: bool = False  # the firmware checks the weights' CRC-32 at start-up
    cycles: bool = True  # emulated boards: count the instruction mix with the QEMU plugin and estimate cycles
    ecotta: object = None  # passes.ecotta.EcottaOptions: compile with meta-networks and <name>_adapt()
    adapt: bool = False  # time adaptation steps (<name>_adapt on the input) instead of inferences
    optimize: str = "speed"  # speed or size: the fully connected weights' layout (fc_layouts.py)


def input_bytes(report: dict, inputs: list[np.ndarray]) -> bytes:
    return b"".join(np.ascontiguousarray(a, dtype=info["dtype"]).tobytes() for a, info in zip(inputs, report["inputs"]))


def expected_results(report: dict, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Reference outputs as the firmware prints them (concatenated, dequantized), and a per-value tolerance
    mask: True where the output is quantized (must match exactly up to the printing)."""
    vals, exact = [], []
    for arr, info in zip(outputs, report["outputs"]):
        a = np.asarray(arr).reshape(-1)
        if "scale" in info:
            a = (a.astype(np.float64) - info["zero_point"][0]) * np.float32(info["scale"][0])
        vals.append(a.astype(np.float64))
        exact.append(np.full(a.size, "scale" in info))
    return np.concatenate(vals), np.concatenate(exact)


def compare(device: list[float], expected: np.ndarray, exact: np.ndarray, rtol: float, atol: float) -> dict:
    d = np.asarray(device, dtype=np.float64)
    if d.shape != expected.shape:
        return {"outputs_match": False, "max_abs_error": None,
                "problem": f"the device returned {d.size} values, the reference {expected.size}"}
    err = np.abs(d - expected)
    tol = PRINT_ROUNDING + 1e-6 + np.where(exact, 0.0, atol + rtol * np.abs(expected))
    return {"outputs_match": bool(np.all(err <= tol)), "max_abs_error": float(err.max(initial=0.0)),
            "mismatches": int(np.sum(err > tol))}


def summary(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def run_bench(model: Path, board: Board, out_dir: Path, opts: BenchOptions, config: Config | None = None,
              step: Callable[[str, int], Callable[[], None]] | None = None) -> dict:
    """Returns the result dict written by --json. `step(description, total)` announces a long step and
    returns a callable to advance it (the CLI shows it with rich)."""
    config = config or load_config()
    step = step or (lambda desc, total: (lambda: None))
    timeout = opts.timeout or float(config.serial.get("timeout_s", 20))
    baud = int(config.serial.get("baud", 115200))
    rtol, atol = float(config.verify.get("rtol", 1e-4)), float(config.verify.get("atol", 1e-5))

    if opts.adapt and (opts.ecotta is None or not opts.ecotta.enabled):
        raise EdgecError("bench --adapt measures an adaptation step: give --ecotta K as for compile")
    if opts.adapt and opts.layers:
        raise EdgecError("bench --adapt cannot profile layers (--layers): the step is not the inference's layers")
    timing = load_timing(board.target) if board.emulated and opts.cycles and has_timing(board.target) else None
    plugin = build_plugin() if timing is not None else None  # before the firmware: a missing compiler fails fast
    done = step(f"building firmware for {board.name}", 1)
    fw: FirmwareBuild = build_firmware(model, board, out_dir, opts.name, config, opts.import_options,
                                       profile_layers=opts.layers, patch=opts.patch,
                                       checksum=opts.checksum, ecotta=opts.ecotta, adapt=opts.adapt,
                                       optimize=opts.optimize)
    done()
    report = fw.report
    inputs = random_inputs(report, opts.seed)
    names = [i.get("source_name", i["name"]) for i in report["inputs"]]
    bindings = getattr(opts.import_options, "bindings", None)
    rounding = report.get("int8_rounding")
    fed = reference_inputs(report, inputs)  # the model file's own inputs (--int8-input: back to float)
    if not opts.adapt:
        expected, exact = expected_results(report, run_reference_isolated(model, names, [fed], bindings, rounding)[0])
    data = input_bytes(report, inputs)

    with ExitStack() as stack:
        if board.emulated:
            done = step(f"starting QEMU {board.qemu['machine']}", 1)
            # The plugin rides along in the same session: it slows QEMU (about 1.8x) but leaves the guest's
            # instruction count as it is, and a second session would load the input again.
            mix_file = out_dir / "insn_mix.json"
            extra = plugin_args(plugin, fw.elf, mix_file) if plugin is not None else ()
            session = stack.enter_context(QemuSession(board, fw.elf, extra_args=extra))
            client = stack.enter_context(DutClient(session.url, baud, timeout))
            client.wait_boot()
            done()
        else:
            if opts.port is None:
                raise SerialError(f"board {board.name} needs hardware: give its serial port with --port")
            if opts.flash:
                done = step(f"flashing {board.name}", 1)
                flash_board(board, fw.elf, opts.flash_tool)
                done()
            client = stack.enter_context(DutClient(opts.port, baud, timeout))
            time.sleep(0.5)  # let the board finish booting after reset; its banner may be lost, `name` re-syncs
            client.port.reset_input_buffer()
        client.name()
        profile = client.profile()
        advance = step(f"loading {len(data):,} input bytes", 1)
        client.load(data, window=16 if board.emulated else 1)
        advance()
        advance = step(f"running {opts.runs} inferences", opts.runs)
        replies = []
        for i in range(opts.runs):
            replies.append(client.infer(1, 1 if i == 0 else 0))  # one warm-up before the first timed run
            advance()
        layer_counts = client.layers() if opts.layers else None  # of the last run

    first = replies[0]
    if opts.adapt:  # no reference executor adapts: tests/test_ecotta.py holds the step to numpy and the host
        check = {"outputs_match": None, "max_abs_error": None,
                 "problem": None if all(np.isfinite(r.results).all() for r in replies) else "a non-finite loss"}
    else:
        check = compare(first.results, expected, exact, rtol, atol)
    stable = all(r.results == first.results for r in replies)
    result = {
        "board": board.name,
        "model": str(model),
        "model_name": report["name"],
        "reference": describe_reference(reference_executor(model, fed, rounding)),
        "emulated": board.emulated,
        "runs": opts.runs,
        "arena_bytes": report["arena_bytes"],
        "arena_lower_bound_bytes": report["arena_lower_bound_bytes"],
        "arena_bytes_excluding_input": report["arena_bytes_excluding_input"],
        "patch": report.get("patch"),
        "weights_bytes": report["weights_bytes"],
        "optimize": opts.optimize,
        **({"fully_connected_layouts": report["fully_connected_layouts"]} if "fully_connected_layouts" in report
           else {}),
        "macs": report.get("macs"),
        "ops": sorted({layer["op"] for layer in report["layers"]}),
        "flash_bytes": fw.sizes["flash_bytes"],
        "ram_bytes": fw.sizes["ram_bytes"],
        "sections": {k: fw.sizes[k] for k in ("text", "rodata", "data", "bss", "stack")},
        "stack_bytes": fw.sizes["stack"],
        "stack_high_water_bytes": max(r.stack_high_water or 0 for r in replies),
        "zero_copy_input": fw.zero_copy_input,
        "firmware": profile.get("firmware"),
        **check,
        "outputs": first.results,  # as the firmware printed them (%0.3f)
        "outputs_stable": stable,
    }
    if layer_counts is not None:
        result["layers"] = layer_profile(report, layer_counts)
    if "adaptation_bytes" in report:
        eco = report["ecotta"]
        result["adaptation"] = {
            "timed": "adaptation steps" if opts.adapt else "inferences",
            "adaptation_bytes": report["adaptation_bytes"], "inference_arena_bytes": report["arena_bytes"],
            "arena_bytes_with_adaptation": eco["arena_bytes_with_adaptation"], "state_bytes": eco["state_bytes"],
            "parameters": eco["parameters"], "losses": [r.results[0] for r in replies] if opts.adapt else None}
    if board.emulated:
        counts = [r.instructions for r in replies]
        result["latency"] = {"unit": "instructions", **summary(counts), "per_run": counts}
        result["note"] = "QEMU -icount shift=0: guest instructions per inference, not time"
        result["instructions"] = round(result["latency"]["median"])
        if timing is not None:
            result.update(cycle_estimate(read_mix(mix_file), timing, opts.runs))
    else:
        cycles = [r.cycles for r in replies]
        result["latency"] = {"unit": "cycles", **summary(cycles), "per_run": cycles}
        hz = board.cpu_hz or board.timer["hz"]
        result["latency_us"] = {k: v * 1e6 / hz for k, v in summary(cycles).items()}
        result["cpu_hz"] = hz
    return result


def layer_profile(report: dict, counts: list[int]) -> list[dict]:
    """Join the device's per-layer counts (instructions or cycles of one run) with report.json's layers."""
    if len(counts) != len(report["layers"]):
        raise SerialError(f"the firmware profiled {len(counts)} layers, the model has {len(report['layers'])}")
    total = sum(counts) or 1
    return [{"name": layer["name"], "op": layer["op"], "macs": layer["macs"], "count": count,
             "share": count / total, "per_mac": count / layer["macs"] if layer["macs"] else None,
             **{k: layer[k] for k in ("format", "kernel", "weight_bytes") if k in layer}}  # weighted int8 layers
            for layer, count in zip(report["layers"], counts)]


def cycle_estimate(mix: dict, timing, runs: int) -> dict:
    """The JSON's cycle fields from the plugin's counts over `runs` timed windows of one inference each."""
    if mix["windows"] != runs:
        raise SerialError(f"the instruction-mix plugin saw {mix['windows']} timed windows, the bench ran {runs}")
    one = per_window(mix)
    return {"cycles_estimate": estimate_cycles(one, timing), "cycles_model": timing.describe(),
            "instruction_mix": one,
            "cycles_note": f"an estimate: the instruction mix counted by QEMU (edgec's TCG plugin) x the "
                           f"{timing.core} timing table (targets/timing/{timing.name}.toml), not a measurement"}
