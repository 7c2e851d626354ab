"""Estimated cycles from an instruction mix (board/insn_mix.py) and a per-core timing table
(targets/timing/<core>.toml): sum over classes of count x cycles, plus the 32-bit words that multiple loads and
stores move x their per-word cost, plus taken control transfers x the taken-branch penalty. An estimate for
zero wait-state memory and in-order issue, with the model stated; never a measurement."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import EdgecError
from ..paths import TARGETS

TIMING = TARGETS / "timing"
CLASSES = ("alu", "load", "store", "load_multiple", "store_multiple", "mul", "div", "dsp", "fp", "fp_mac", "fp_div",
           "mve", "mve_mem", "branch")  # compiler/edgec/board/qemu_plugin/insn_mix.c's classes
WORD_CLASSES = ("load_multiple", "store_multiple")


@dataclass(frozen=True)
class TimingModel:
    name: str  # the file's stem: cortex-m7
    core: str
    summary: str
    sources: tuple[str, ...]
    cycles: dict  # class -> cycles per instruction
    per_word: dict  # load_multiple / store_multiple -> cycles per 32-bit word moved
    taken_branch: float

    def describe(self) -> dict:
        return {"name": self.name, "core": self.core, "summary": self.summary, "sources": list(self.sources),
                "file": f"targets/timing/{self.name}.toml", "cycles": self.cycles, "per_word": self.per_word,
                "taken_branch": self.taken_branch}


def timing_path(core: str) -> Path:
    return TIMING / f"{core}.toml"


def has_timing(core: str) -> bool:
    return timing_path(core).exists()


def load_timing(core: str) -> TimingModel:
    path = timing_path(core)
    try:
        with open(path, "rb") as f:
            t = tomllib.load(f)["timing"]
        cycles = {c: float(t["cycles"][c]) for c in CLASSES}
        per_word = {c: float(t["per_word"][c]) for c in WORD_CLASSES}
        return TimingModel(core, t["core"], t["summary"], tuple(t["sources"]), cycles, per_word,
                           float(t["branch"]["taken"]))
    except FileNotFoundError:
        raise EdgecError(f"no timing table for {core} ({path})") from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise EdgecError(f"{path}: not a valid timing table ({type(e).__name__}: {e})") from None


def estimate_cycles(mix: dict, model: TimingModel) -> int:
    """mix: one window's counts (insn_mix.per_window)."""
    classes = mix["classes"]
    unknown = set(classes) - set(CLASSES)
    if unknown:
        raise EdgecError(f"the instruction mix has classes the timing model does not know: {sorted(unknown)}")
    total = sum(n * model.cycles[c] for c, n in classes.items())
    total += mix["load_multiple_words"] * model.per_word["load_multiple"]
    total += mix["store_multiple_words"] * model.per_word["store_multiple"]
    total += mix["branches_taken"] * model.taken_branch
    return round(total)
