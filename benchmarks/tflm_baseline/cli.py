"""Command-line helpers the baseline's users share (its own CLI and the benchmark scripts)."""

from __future__ import annotations

from pathlib import Path


def parse_src(values: list[str]) -> dict[str, Path]:
    """["tflite-micro=/x", ...] -> {"tflite-micro": Path("/x")}"""
    out = {}
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--src {v!r}: expected NAME=DIR")
        out[name] = Path(path).expanduser()
    return out
