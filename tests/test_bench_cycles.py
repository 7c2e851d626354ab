"""Estimated cycles in `edgec bench` on emulated boards: edgec's QEMU plugin counts the timed window's
instructions by class; its total agrees with the firmware's own count (QEMU -icount), the classes add up, the
estimate is the timing table's, and a missing or failing host compiler is a clear error."""

from __future__ import annotations

import json
import re

import pytest

from board_helpers import MODELS, require_tools
from edgec.board import insn_mix
from edgec.board.bench import BenchOptions, run_bench
from edgec.board.boards import load_board
from edgec.board.cycles import CLASSES, estimate_cycles, load_timing
from edgec.board.protocol import DutClient
from edgec.board.qemu import QemuSession
from edgec.cli import main

TICK = 40  # mps2-an500: the firmware counts SysTick ticks of 40 instructions (targets/boards/mps2-an500.toml)
# The firmware's window runs from its first SysTick read to its second; the plugin's from the first instruction
# of edgec_bench_window_begin to the first of edgec_bench_window_end (firmware_templates/common/bench_main.c).
# Between them, outside the plugin's window: the 10 instructions of timer_ticks after its read and the store of
# t0 and call of the begin marker (2), then the end marker's return, a literal load and the call of timer_ticks,
# and timer_ticks up to and including its read (8): 20 with arm-none-eabi-gcc 12.2 -O2.
OFFSET = 20


def test_cycles_on_the_emulated_m7(tmp_path):
    require_tools()
    board = load_board("mps2-an500")
    runs = 3
    r = run_bench(MODELS / "kws_ref_model.tflite", board, tmp_path, BenchOptions(runs=runs))
    assert r["outputs_match"], r
    mix = json.loads((tmp_path / "insn_mix.json").read_text())
    assert mix["windows"] == runs and len(mix["per_window"]) == runs

    # The plugin's count of each timed run is the firmware's, up to the fixed offset and the firmware's tick.
    firmware = r["latency"]["per_run"]
    for counted, plugin in zip(firmware, mix["per_window"]):
        assert abs(counted - (plugin + OFFSET)) < TICK, (firmware, mix["per_window"])
    assert len(set(mix["per_window"])) == 1  # the same input: the same instructions every run

    # The classes add up to the total, counted apart; every instruction was known to the disassembler.
    one = r["instruction_mix"]
    assert sum(one["classes"].values()) == one["instructions"] == mix["per_window"][0]
    assert set(one["classes"]) == set(CLASSES) and one["unknown"] == 0
    c = one["classes"]
    assert c["mul"] > 0 and c["dsp"] > 0 and c["load_multiple"] > 0 and c["mve"] == c["fp"] == 0
    assert one["load_multiple_words"] >= 2 * c["load_multiple"] - 1  # LDRD and 4-register LDM dominate
    assert one["branches_taken"] + one["branches_not_taken"] >= c["branch"]  # POP {pc} is a taken branch too

    # The estimate is the timing table's sum, and the JSON names the model.
    assert r["instructions"] == r["latency"]["median"]
    timing = load_timing("cortex-m7")
    assert r["cycles_estimate"] == estimate_cycles(one, timing)
    by_hand = (sum(c.values()) - c["load_multiple"] - c["store_multiple"] + 6 * c["div"] + 13 * c["fp_div"]
               + 0.5 * one["load_multiple_words"] + 0.5 * one["store_multiple_words"]
               + one["branches_taken"])  # cortex-m7.toml, written out
    assert r["cycles_estimate"] == round(by_hand)
    assert r["cycles_model"]["name"] == "cortex-m7" and r["cycles_model"]["sources"]
    assert "estimate" in r["cycles_note"]

    # What the classes mean, on the instructions QEMU translated for that firmware (the plugin's dump).
    dump = tmp_path / "dump.txt"
    args = insn_mix.plugin_args(insn_mix.build_plugin(), tmp_path / "firmware.elf", tmp_path / "again.json", dump)
    with QemuSession(board, tmp_path / "firmware.elf", extra_args=args) as s, DutClient(s.url, 115200, 30) as client:
        client.wait_boot()
        client.load(bytes(490), window=16)  # KWS's input: 49 x 10 int8
        client.infer(1, 0)
    seen = {}
    for line in dump.read_text().splitlines():
        _addr, cls, words, branch, _code, disas = line.split(" ", 5)
        mnemonic = disas.split()[0].split(".")[0]
        seen.setdefault(mnemonic, set()).add(cls)
        if mnemonic in ("ldm", "pop", "push", "stm"):
            regs = re.search(r"\{(.*)\}", disas).group(1).split(",")
            assert int(words) == len(regs), line
            assert branch == ("1" if "pc" in disas else "0"), line
        if mnemonic in ("ldrd", "strd"):
            assert int(words) == 2, line
    expected = {"smlad": "mul", "sxtb16": "dsp", "ldrd": "load_multiple", "strd": "store_multiple",
                "ldm": "load_multiple", "push": "store_multiple", "bne": "branch", "bl": "branch", "ldr": "load",
                "str": "store", "add": "alu", "it": "alu", "sdiv": "div"}
    for mnemonic, cls in expected.items():
        assert seen.get(mnemonic) == {cls}, (mnemonic, seen.get(mnemonic))


@pytest.mark.parametrize("compiler,message", [
    ("no-such-cc", "'no-such-cc' not found on PATH"),
    ("arm-none-eabi-gcc", "building the QEMU instruction-mix plugin failed"),  # a compiler that cannot build it
])
def test_plugin_compiler_errors(tmp_path, monkeypatch, capsys, compiler, message):
    """Before anything is built: exit 1 (an error in the environment), the compiler named, the way out given."""
    monkeypatch.setenv(insn_mix.HOST_CC_ENV, compiler)
    monkeypatch.setenv(insn_mix.CACHE_ENV, str(tmp_path / "cache"))
    code = main(["bench", str(MODELS / "ad01_fp32.tflite"), "--board", "mps2-an500", "-o", str(tmp_path / "fw")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert message in err and "--no-cycles" in err and "Traceback" not in err
    assert not (tmp_path / "fw" / "firmware.elf").exists()
    assert not list((tmp_path / "cache").glob("**/*.so"))  # no half-built plugin left in the cache
