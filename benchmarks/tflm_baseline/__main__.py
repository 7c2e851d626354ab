"""Build the TFLite Micro baseline from its pinned sources and measure models with it on an emulated board.

    python benchmarks/tflm_baseline [--src NAME=DIR ...] [--board mps2-an500] [--variant cmsis-nn] MODEL.tflite...

Without --src, each library is cloned at its pinned commit into ~/.cache/edgec/tflm/src (network needed once);
`--src tflite-micro=/path/to/checkout` uses a local copy instead (a git checkout must be at the pinned commit).
Builds are cached under ~/.cache/edgec/tflm ($EDGEC_CACHE_DIR/tflm)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(BENCHMARKS), str(BENCHMARKS.parent / "compiler")]

from tflm_baseline import PINS, VARIANTS, baseline, measure_tflm  # noqa: E402
from tflm_baseline.cli import parse_src  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="*", type=Path)
    p.add_argument("--src", action="append", default=[], metavar="NAME=DIR",
                   help=f"a local copy of one pinned library ({', '.join(PINS)})")
    p.add_argument("--board", default="mps2-an500")
    p.add_argument("--variant", action="append", choices=VARIANTS, help="kernel set(s) (default: both)")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--jobs", type=int, default=2, help="parallel compiles")
    args = p.parse_args()

    from edgec.board.boards import load_board

    base = baseline(load_board(args.board), parse_src(args.src), args.jobs)
    for name, (path, how) in base.src.items():
        print(f"{name} {PINS[name].commit[:12]}: {path} ({how})")
    ok = True
    for variant in args.variant or VARIANTS:
        base.library(variant)
        for model in args.models:
            row = measure_tflm(base, model, variant, args.runs)
            ok &= row["outputs_match"]
            print(json.dumps({k: v for k, v in row.items() if k not in ("cycles_model", "cycles_note")}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
