"""The per-core timing tables behind `edgec bench`'s estimated cycles (targets/timing/<target>.toml): every emulated
board's core has one, it loads and states its sources, and it turns a real benchmark's instruction mix into an
estimate. The mixes are the ones recorded by the int8 benchmarks (benchmarks/results/int8_models_m7.json: edgec's
and TFLite Micro's firmware on the emulated Cortex-M7; int8_models_m55.json: the same with Helium kernels on the
Cortex-M55), so no QEMU run is needed; where a JSON was made with a table, the table still gives its figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgec.board.boards import board_names, load_board
from edgec.board.cycles import CLASSES, estimate_cycles, load_timing

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
CORES = {"cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"}
# the recorded mixes each table is checked on: the M4 and M33 run the M7's Armv7E-M code (no MVE), the M55 its own
MIXES = {"cortex-m4": "int8_models_m7.json", "cortex-m7": "int8_models_m7.json",
         "cortex-m33": "int8_models_m7.json", "cortex-m55": "int8_models_m55.json"}


def recorded_runs(name: str) -> list[dict]:
    """Every run in a benchmark JSON that has an instruction mix (each model's kernel variants)."""
    runs = []
    for model in json.loads((RESULTS / name).read_text())["models"]:
        runs += [r for r in model.values() if isinstance(r, dict) and "instruction_mix" in r]
    return runs


def model_name(run: dict) -> str:
    m = run.get("cycles_model")
    return m["name"] if isinstance(m, dict) else m


def test_every_emulated_board_has_a_timing_table():
    targets = {load_board(n).target for n in board_names() if load_board(n).emulated}
    assert CORES <= targets, targets
    for target in targets:
        t = load_timing(target)
        assert t.name == target and t.core and t.summary and t.sources, target
        assert set(t.cycles) == set(CLASSES) and all(v >= 0 for v in t.cycles.values()), target


@pytest.mark.parametrize("core", sorted(CORES))
def test_table_estimates_a_recorded_benchmark(core):
    timing = load_timing(core)
    runs = recorded_runs(MIXES[core])
    assert len(runs) >= 8, MIXES[core]
    same_table = 0
    for run in runs:
        mix = run["instruction_mix"]
        est = estimate_cycles(mix, timing)
        # a cycle model of an in-order core: no fewer than half the instructions (two a cycle at most), no more
        # than three times as many
        assert mix["instructions"] * 0.5 <= est <= mix["instructions"] * 3, (core, run.get("model"), est)
        if model_name(run) == core:  # the JSON's own estimate was made with this table: the same figure today
            assert est == run["cycles_estimate"], (core, run.get("model"))
            same_table += 1
    assert core not in ("cortex-m7", "cortex-m55") or same_table == len(runs)


def test_m4_table_costs_at_least_the_m7_one():
    """LDR 2 and a taken branch +2 against 1 and +1, LDM 1 + N against N / 2: never cheaper, on every mix."""
    m4, m7 = load_timing("cortex-m4"), load_timing("cortex-m7")
    for run in recorded_runs("int8_models_m7.json"):
        assert estimate_cycles(run["instruction_mix"], m4) >= estimate_cycles(run["instruction_mix"], m7)
