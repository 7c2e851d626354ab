"""Printing what the board commands share: the firmware's section sizes."""

from __future__ import annotations


def print_sizes(fw, console) -> None:
    from rich.table import Table

    s = fw.sizes
    t = Table(title=f"{fw.elf} ({fw.board.name})")
    t.add_column("section")
    t.add_column("bytes", justify="right")
    for key in ("text", "rodata", "data", "bss", "stack"):
        t.add_row(f".{key}", f"{s[key]:,}")
    t.add_row("flash (.text+.rodata)", f"{s['flash_bytes']:,}")
    t.add_row("RAM (.data+.bss)", f"{s['ram_bytes']:,}")
    console.print(t)
