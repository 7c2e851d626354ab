"""`edgec targets`: the targets edgec compiles for, with their memory budgets."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("targets", help="list targets and their memory budgets")
    p.add_argument("--config", type=Path, help="toolchain.toml to apply")
    p.set_defaults(func=run)


def run(args) -> int:
    import shutil

    from rich.console import Console
    from rich.table import Table

    from ..config import load_config, load_target, target_names

    config = load_config(args.config)
    table = Table(title="edgec targets")
    for col in ("target", "SRAM", "flash", "compiler", "description"):
        table.add_column(col, justify="right" if col in ("SRAM", "flash") else "left")
    for name in target_names():
        t = load_target(name, config)
        cc = t.cc if shutil.which(t.cc) else f"{t.cc} (not installed)"
        default = " (default)" if name == config.default_target else ""
        table.add_row(name + default, f"{t.sram_bytes // 1024:,} KiB", f"{t.flash_bytes // 1024:,} KiB", cc, t.description)
    Console().print(table)
    return 0
