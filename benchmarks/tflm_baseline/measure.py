"""Run the TFLM baseline firmware on the emulated board exactly as `edgec bench` runs edgec's: QEMU -icount
shift=0 with edgec's instruction-mix plugin on the same timed window markers (bench_main.c), `runs` timed
inferences of one input after one warm-up, the instructions from the firmware's SysTick count and the estimated
cycles from the plugin's mix x targets/timing/<core>.toml. The outputs are checked bit for bit against the
tflite-micro Python package's interpreter (TFLM's reference kernels) on the same input."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import numpy as np

from edgec.board.bench import cycle_estimate
from edgec.board.cycles import has_timing, load_timing
from edgec.board.elf import elf_sizes
from edgec.board.insn_mix import build_plugin, plugin_args, read_mix
from edgec.board.protocol import DutClient
from edgec.board.qemu import QemuSession
from edgec.config import load_config
from edgec.reference import random_inputs, run_tflm_reference, tflm_version

from .build import Baseline


def home_relative(path: Path) -> str:
    """The firmware's path in the cache, as ~/...: a report names no machine's home directory."""
    try:
        return "~/" + str(Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)

ARENA_LINE = "m-tflm-arena-used-"


def fixed_inputs(model: Path, seed: int = 0) -> list[np.ndarray]:
    """The input `edgec bench` feeds with the same seed: the full int8 range, from numpy's default_rng(seed)."""
    from edgec.frontend.tflite import load_tflite
    from edgec.reference import tflm_interpreter

    interp = tflm_interpreter(model)
    details = (interp.get_input_details(k) for k in range(load_tflite(model).Subgraphs(0).InputsLength()))
    infos = [{"dtype": np.dtype(d["dtype"]).name, "shape": [int(s) for s in d["shape"]]} for d in details]
    return random_inputs({"inputs": infos}, seed)


def measure_tflm(base: Baseline, model: Path, variant: str, runs: int = 2, seed: int = 0, progress=print) -> dict:
    """One report row: instructions (median of `runs`), estimated cycles and instruction mix, TFLM's arena use,
    flash, and whether the outputs match TFLM's Python interpreter bit for bit."""
    model = Path(model)
    fw = base.firmware(model, variant, progress)
    board = base.board
    inputs = fixed_inputs(model, seed)
    expected = np.concatenate([np.asarray(o).reshape(-1) for o in run_tflm_reference(model, inputs)])
    data = b"".join(np.ascontiguousarray(x).tobytes() for x in inputs)
    timing = load_timing(board.target) if has_timing(board.target) else None
    config = load_config()
    baud = int(config.serial.get("baud", 115200))
    with tempfile.TemporaryDirectory(prefix="edgec-tflm-") as tmp:
        mix_file = Path(tmp) / "insn_mix.json"
        extra = plugin_args(build_plugin(), fw.elf, mix_file) if timing is not None else ()
        with QemuSession(board, fw.elf, extra_args=extra) as session, \
                DutClient(session.url, baud, timeout=300.0) as client:
            boot = client.wait_boot()
            arena = [int(l[len(ARENA_LINE):]) for l in boot if l.startswith(ARENA_LINE)]
            if not arena:
                raise RuntimeError(f"the TFLM firmware for {model.name} ({variant}) did not start: {boot}")
            client.load(data, window=16)
            replies = [client.infer(1, 1 if i == 0 else 0) for i in range(runs)]
        mix = read_mix(mix_file) if timing is not None else None
    device = np.asarray(replies[0].results)
    counts = [r.instructions for r in replies]
    match = device.shape == expected.shape and bool(np.all(device == expected.astype(np.float64)))
    row = {
        "model": model.name, "variant": variant, "board": board.name,
        "instructions": statistics.median(counts), "instructions_min": min(counts), "instructions_max": max(counts),
        "arena_used_bytes": arena[0], "flash_bytes": elf_sizes(fw.elf)["flash_bytes"], "elf": home_relative(fw.elf), "ops": fw.ops,
        "outputs_match": match, "outputs_stable": all(r.results == replies[0].results for r in replies),
        "reference": f"TFLite Micro {tflm_version()} (tflite-micro Python package)",
        "errors": sorted({e for r in replies for e in r.errors}),
    }
    if not match:
        row["mismatch"] = {"device": device.tolist()[:32], "expected": expected.tolist()[:32]}
    if mix is not None:
        row.update(cycle_estimate(mix, timing, runs))
    return row
