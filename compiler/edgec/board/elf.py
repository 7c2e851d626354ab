"""Reading the linked firmware: section sizes from arm-none-eabi-size, and ld's overflow messages."""

from __future__ import annotations

import re
from pathlib import Path

from ..build.toolchain import require_tool, run_tool

OVERFLOW = re.compile(r"region `([^']+)' overflowed by (\d+) bytes")
WONT_FIT = re.compile(r"section `([^']+)' will not fit in region `([^']+)'")


def elf_sizes(elf: Path, size_tool: str = "arm-none-eabi-size") -> dict:
    """Bytes per section; flash_bytes = .text + .rodata, ram_bytes = .data + .bss (the stack is separate)."""
    out = run_tool([require_tool(size_tool), "-A", str(elf)], f"reading section sizes of {elf.name}")
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = int(parts[1])
    sizes = {k: sections.get(f".{k}", 0) for k in ("text", "rodata", "data", "bss", "stack")}
    sizes["flash_bytes"] = sizes["text"] + sizes["rodata"]
    sizes["ram_bytes"] = sizes["data"] + sizes["bss"]
    return sizes


def overflows(ld_stderr: str) -> list[tuple[str, int, list[str]]]:
    """[(region, bytes over, sections that did not fit)] from ld's error output."""
    sections: dict[str, list[str]] = {}
    for sec, region in WONT_FIT.findall(ld_stderr):
        sections.setdefault(region, []).append(sec)
    return [(region, int(n), sections.get(region, [])) for region, n in OVERFLOW.findall(ld_stderr)]
