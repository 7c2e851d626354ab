"""`edgec compile`: model -> freestanding C, with the memory report."""

from __future__ import annotations

import sys
from pathlib import Path

from ._common import (add_checksum_option, add_ecotta_options, add_model_options, add_optimize_option,
                      add_patch_options, ecotta_options, import_options, patch_options)


def register(sub) -> None:
    p = sub.add_parser("compile", help="compile a model to freestanding C")
    add_compile_options(p)
    p.add_argument("--target", "-t", help="target name (see `edgec targets`; default from toolchain.toml)")
    p.add_argument("-o", "--output", type=Path, default=Path("out"), help="output folder (default: out/)")
    p.add_argument("--sram", type=int, metavar="BYTES", help="override the target's SRAM budget")
    p.add_argument("--flash", type=int, metavar="BYTES", help="override the target's flash budget")
    p.set_defaults(func=run)


def add_compile_options(p) -> None:
    """What the model is compiled with, whatever it is compiled for (`compile` and `export` share them)."""
    add_model_options(p)
    add_patch_options(p)
    add_checksum_option(p)
    add_ecotta_options(p)
    add_optimize_option(p)
    p.add_argument("--no-code-size", action="store_true",
                   help="do not build with the target's compiler to measure code size (flash then counts weights only)")
    p.add_argument("--dump-ir", action="store_true", help="print the IR after every pass (to stderr)")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the report table")
    p.add_argument("--quantize", choices=["int8", "ternary"],
                   help="post-training quantization of a float ONNX model: int8, or ternary weights (int8 "
                        "activations; Conv / Gemm / MatMul weights in {-s, 0, +s}, MatMul-free kernels)")
    p.add_argument("--ternary-method", choices=["absmean", "twn"], default="absmean",
                   help="--quantize ternary: absmean (BitNet b1.58; default) or twn (threshold 0.7 mean |W|)")
    p.add_argument("--ternary-granularity", choices=["channel", "tensor"], default="channel",
                   help="--quantize ternary: one scale per output channel (default) or per tensor")
    p.add_argument("--keep-int8", default="", metavar="NAME,...",
                   help="--quantize ternary: more layers (node or weight names) to keep int8 besides the first "
                        "and the last")
    p.add_argument("--calibration", type=Path, metavar="DATA",
                   help="calibration samples for --quantize: one .npy (stacked on the first axis) or a folder of .npy")
    p.add_argument("--calibration-method", choices=["minmax", "percentile", "entropy"], default="minmax",
                   help="how activation ranges are chosen from the calibration data (default: minmax)")
    p.add_argument("--generate", action="store_true",
                   help="a step model (token, states) -> (logits, new states): also emit <name>_generate, greedy "
                        "decoding in the static arena (generate.h)")


def compile_options(args):
    """The pipeline's CompileOptions from the options add_compile_options registered."""
    from ..errors import EdgecError
    from ..pipeline import CompileOptions

    def dump(stage: str, text: str) -> None:
        print(f"// ---- after {stage} ----\n{text}\n", file=sys.stderr)

    quantize = None
    if args.quantize:
        from ..quantize.ptq import QuantizeOptions, load_calibration

        if args.generate:  # a step model: activations quantized per token at run time (quantize/ptq.py)
            if args.calibration is not None:
                raise EdgecError("--calibration is not used with --generate: a step model's activations are "
                                 "quantized per token at run time")
        elif args.calibration is None:
            load_calibration(None, ())  # raises the explanation
        quantize = QuantizeOptions(args.calibration, args.calibration_method)
        if args.quantize == "ternary":
            from ..quantize.ternary import TernaryOptions

            quantize.ternary = TernaryOptions(args.ternary_method, args.ternary_granularity,
                                              tuple(k for k in args.keep_int8.split(",") if k))
        elif args.keep_int8:
            raise EdgecError("--keep-int8 is only used with --quantize ternary")
    elif args.calibration is not None:
        raise EdgecError("--calibration is only used with --quantize int8 or ternary")
    return CompileOptions(name=args.name, import_options=import_options(args), planner=args.planner, quantize=quantize,
                          dump_ir=dump if args.dump_ir else None, measure_code=not args.no_code_size,
                          patch=patch_options(args), checksum=args.checksum,
                          ecotta=ecotta_options(args), generate=args.generate, optimize=args.optimize)


def print_compile_summary(args, result) -> None:
    from ..report import print_report

    if not args.quiet:
        print_report(result.report)
    if "quantization" in result.report:
        print(result.report["quantization"]["summary"])


def run(args) -> int:
    from ..config import load_config, load_target
    from ..errors import DoesNotFitError
    from ..pipeline import compile_model
    from ..report import fit_problems

    config = load_config(args.config)
    target = load_target(args.target or config.default_target, config, sram_bytes=args.sram, flash_bytes=args.flash)
    result = compile_model(args.model, target, args.output, compile_options(args), config, check_fit=False)
    print_compile_summary(args, result)
    print(f"wrote {args.output}/ (model.h, model.c, weights.c, kernels, report.json, memory.html)")
    if not result.report["fits"]:
        raise DoesNotFitError(f"{result.report['name']} does not fit {target.name}:\n  "
                              + "\n  ".join(fit_problems(result.report)))
    return 0
