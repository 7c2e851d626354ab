"""Options shared by the subcommands that compile a model."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..errors import EdgecError
from ..frontend import ImportOptions
from ..memory.plan import PLANNERS


def add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help="model file (.onnx or .tflite)")
    p.add_argument("--name", help="C name of the model (default: the file's stem)")
    p.add_argument("--input-shape", action="append", default=[], metavar="NAME=D0,D1,...",
                   help="static shape for a dynamic input (repeatable)")
    p.add_argument("--bind", action="append", default=[], metavar="NAME=FILE.npy",
                   help="make a graph input a compile-time constant, e.g. a shape or pads tensor (repeatable)")
    p.add_argument("--config", type=Path, help="toolchain.toml to use (default: the one shipped with edgec)")
    p.add_argument("--planner", choices=["best", *PLANNERS], help="memory planner")
    p.add_argument("--int8-rounding", choices=["tflm", "litert"], default="tflm",
                   help="int8 TFLite fully connected requantisation: tflm (TFLite Micro / CMSIS-NN: two "
                        "fixed-point roundings; default) or litert (LiteRT's reference kernel: one rounding)")
    p.add_argument("--int8-input", action="store_true",
                   help="int8 models with a float input: take the input already quantized (int8, NHWC; scale and "
                        "zero point in model.h) instead of float, as a camera-fed MCU has it")
    p.add_argument("--input-outside-arena", action="store_true",
                   help="the inputs stay in the application's buffers (e.g. a camera's DMA buffer): <name>_run reads "
                        "them in place and the arena leaves them out (MCUNet's 'peak memory excluding the input')")


def add_patch_options(p: argparse.ArgumentParser) -> None:
    """Patch-based scheduling of the first stage (passes/patch_search.py)."""
    p.add_argument("--patch", default="default", metavar="off|auto|SPLIT:N[,SPLIT:N...]",
                   help="run the first layers patch by patch: the target's default when not given (auto on the "
                        "Cortex-M targets, off elsewhere), off (layer by layer), auto (search the split and the grid; "
                        "layer by layer when patching does not lower the arena), "
                        "or SPLIT:N (stage ends after the node named SPLIT, or at index SPLIT; an N x N grid), "
                        "SPLIT:Nr (N full-width row bands that keep the rows they share instead of recomputing "
                        "them); several separated by commas: one stage each, in order, each its own grid")
    p.add_argument("--patch-overhead", type=float, default=0.10, metavar="FRACTION",
                   help="--patch auto: the largest overhead accepted, in MACs and in instructions estimated for "
                        "the DSP kernels (default 0.10: 10 %% more)")


def add_optimize_option(p: argparse.ArgumentParser) -> None:
    """Speed or flash (fc_layouts.py), as -O2 / -Os are for a C compiler."""
    p.add_argument("--optimize", choices=["speed", "size"], default="speed",
                   help="speed (default): the Cortex-M fully connected layers' int8 weights stored wide (two bytes "
                        "per weight, about 14 %% fewer cycles per MAC) while the model leaves 1/8 of the target's "
                        "flash free for the application; size: one byte per weight. Outputs are the same; the "
                        "report says which layout each layer got")


def add_checksum_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--checksum", action="store_true",
                   help="embed the weights' CRC-32 and generate <name>_check(), which verifies it on the device "
                        "(the benchmark firmware calls it at start-up and refuses to infer on a mismatch)")


def add_ecotta_options(p: argparse.ArgumentParser) -> None:
    """On-device adaptation with EcoTTA meta-networks (passes/ecotta.py)."""
    p.add_argument("--ecotta", type=int, default=0, metavar="K",
                   help="attach K EcoTTA meta-networks and generate <name>_adapt() / <name>_reset() (float CNNs, or "
                        "int8 ones: the frozen parts stay int8, the meta-networks float)")
    p.add_argument("--ecotta-points", default="", metavar="LAYER,...",
                   help="--ecotta: the layers to attach them after (default: the K conv outputs with fewest bytes)")
    p.add_argument("--ecotta-lr", type=float, default=0.001, help="--ecotta: SGD learning rate (default 0.001)")
    p.add_argument("--ecotta-reg", type=float, default=0.5,
                   help="--ecotta: weight of the self-distilled regulariser (default 0.5)")
    p.add_argument("--ecotta-momentum", type=float, default=0.05,
                   help="--ecotta: running estimates' blend of each new sample (default 0.05)")
    p.add_argument("--ecotta-groups", type=int, default=1, metavar="G",
                   help="--ecotta: groups of each meta-network's conv block: C*C/G trainable weights per kernel "
                        "tap (default 1: a full conv)")
    p.add_argument("--ecotta-block", choices=("residual", "paper"), default="residual",
                   help="--ecotta: the meta-network's block: residual (default: BatchNorm + 1x1 conv block on its "
                        "ReLU, added) or paper (EcoTTA's: BatchNorm on the part's output + conv-BN-ReLU on the "
                        "part's input, the frozen conv's geometry; more RAM)")
    p.add_argument("--ecotta-init", type=Path, metavar="FILE.npy",
                   help="--ecotta: deployed meta-network parameters (a warm-up's; theta then statistics, flat)")


def ecotta_options(args):
    from ..passes.ecotta import EcottaOptions

    points = [p for p in args.ecotta_points.split(",") if p]
    if args.ecotta < 0 or (points and len(points) != args.ecotta):
        raise EdgecError(f"--ecotta {args.ecotta} with {len(points)} --ecotta-points: give K >= 1 and K points")
    if args.ecotta and not (args.ecotta_lr > 0 and args.ecotta_reg >= 0 and 0 <= args.ecotta_momentum <= 1
                            and args.ecotta_groups >= 1):
        raise EdgecError("--ecotta-lr must be > 0, --ecotta-reg >= 0, --ecotta-momentum in [0, 1], "
                         "--ecotta-groups >= 1")
    return EcottaOptions(parts=args.ecotta, points=points, lr=args.ecotta_lr, reg_weight=args.ecotta_reg,
                         momentum=args.ecotta_momentum, groups=args.ecotta_groups, init=args.ecotta_init,
                         block=args.ecotta_block)


def patch_options(args):
    from ..passes.patch_search import PatchOptions, parse_patch_mode

    if not 0.0 <= args.patch_overhead:
        raise EdgecError(f"--patch-overhead {args.patch_overhead}: expected a fraction >= 0 (0.10 = 10 %)")
    return PatchOptions(parse_patch_mode(args.patch), args.patch_overhead)


def parse_input_shapes(items: list[str]) -> dict[str, tuple[int, ...]]:
    shapes = {}
    for item in items:
        name, sep, dims = item.rpartition("=")
        try:
            shape = tuple(int(d) for d in dims.split(","))
        except ValueError:
            shape = ()
        if not sep or not name or not shape or any(d <= 0 for d in shape):
            raise EdgecError(f"--input-shape '{item}': expected NAME=D0,D1,... with positive integers")
        shapes[name] = shape
    return shapes


def parse_bindings(items: list[str]) -> dict[str, np.ndarray]:
    bindings = {}
    for item in items:
        name, sep, file = item.rpartition("=")
        if not sep or not name:
            raise EdgecError(f"--bind '{item}': expected NAME=FILE.npy")
        try:
            bindings[name] = np.load(file, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise EdgecError(f"--bind {name}: cannot read {file}: {exc}") from None
    return bindings


def import_options(args) -> ImportOptions:
    return ImportOptions(parse_input_shapes(args.input_shape), parse_bindings(args.bind),
                         int8_rounding=getattr(args, "int8_rounding", "tflm"), int8_input=getattr(args, "int8_input", False),
                         input_outside_arena=getattr(args, "input_outside_arena", False))
