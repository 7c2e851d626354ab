"""Board descriptions: targets/boards/<name>.toml. Adding a board is adding a file (and, for a new chip, a
board_init() in firmware_templates/boards/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ..config import read_toml
from ..paths import TARGETS
from .errors import BoardError

BOARDS = TARGETS / "boards"


@dataclass(frozen=True)
class Region:
    name: str
    origin: int
    length: int


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    target: str  # compile target (targets/<target>.toml): CPU flags and kernels
    emulated: bool
    init: str  # firmware_templates/boards/<init>.c
    stack_bytes: int
    regions: tuple[Region, ...]
    placement: dict  # code/data/stack (and optionally rodata) -> region name
    uart: dict
    timer: dict
    cflags: tuple[str, ...] | None = None  # replaces the target's cflags when the chip differs
    cpu_hz: int | None = None
    qemu: dict = field(default_factory=dict)
    flash: dict = field(default_factory=dict)
    path: Path | None = None

    def region(self, role: str) -> Region:
        name = self.placement[role]
        return next(r for r in self.regions if r.name == name)

    @property
    def instructions_per_tick(self) -> Fraction:
        """Guest instructions per SysTick tick under QEMU -icount shift=0 (1 ns each): 1e9 / clock."""
        return Fraction(str(self.timer.get("instructions_per_tick", 0))).limit_denominator(1000)


def board_names() -> list[str]:
    return sorted(p.stem for p in BOARDS.glob("*.toml"))


def load_board(name: str) -> Board:
    path = BOARDS / f"{name}.toml"
    if not path.exists():
        raise BoardError(f"unknown board '{name}' (known: {', '.join(board_names())})")
    try:
        b = read_toml(path)["board"]
        regions = tuple(Region(n, int(r["origin"]), int(r["length"])) for n, r in b["memory"].items())
        board = Board(
            name=b["name"], description=b.get("description", ""), target=b["target"], emulated=bool(b["emulated"]),
            init=b["init"], stack_bytes=int(b.get("stack_bytes", 16384)), regions=regions,
            placement=dict(b["placement"]), uart=dict(b["uart"]), timer=dict(b["timer"]),
            cflags=tuple(b["cflags"]) if "cflags" in b else None, cpu_hz=b.get("cpu_hz"),
            qemu=dict(b.get("qemu", {})), flash=dict(b.get("flash", {})), path=path,
        )
    except KeyError as exc:
        raise BoardError(f"{path}: missing setting {exc}") from None
    names = {r.name for r in board.regions}
    for role in ("code", "data", "stack", *(("rodata",) if "rodata" in board.placement else ())):
        if board.placement.get(role) not in names:
            raise BoardError(f"{path}: placement.{role} must name one of the memory regions ({', '.join(sorted(names))})")
    if board.emulated and "machine" not in board.qemu:
        raise BoardError(f"{path}: an emulated board needs qemu.machine")
    return board
