"""`edgec verify`: compile for the host, run, and compare with the reference executor."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ._common import add_model_options, add_patch_options, import_options, patch_options


def register(sub) -> None:
    p = sub.add_parser("verify", help="build for the host (or a cortex-a target under QEMU user mode, or OpenCL / "
                                      "Vulkan), "
                                      "run, and compare with onnxruntime / LiteRT / TFLite Micro")
    add_model_options(p)
    add_patch_options(p)
    p.add_argument("--runs", type=int, default=3, help="random inputs to try (default 3)")
    p.add_argument("--rtol", type=float, help="relative tolerance (default from toolchain.toml)")
    p.add_argument("--atol", type=float, help="absolute tolerance (default from toolchain.toml)")
    p.add_argument("--sanitize", action="store_true", help="build with AddressSanitizer and UBSan")
    p.add_argument("--cc", default="gcc", help="host C compiler (gcc or clang)")
    p.add_argument("--target", "-t", default="host",
                   help="host: the freestanding C on the host CPU (default); a Linux target run under QEMU user "
                        "mode: cortex-a53, cortex-a55, cortex-a76, cortex-a7; opencl: the OpenCL build, run on the "
                        "machine's OpenCL device (PoCL on a CPU is enough); vulkan: the Vulkan build, run on the "
                        "machine's Vulkan device (lavapipe on a CPU is enough)")
    p.add_argument("-o", "--output", type=Path, help="keep the generated C here (default: a temporary folder)")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from ..config import load_config, load_target
    from ..errors import EdgecError, VerificationError
    from ..pipeline import CompileOptions, compile_model
    from ..verify import verify_compiled

    config = load_config(args.config)
    target = load_target(args.target, config)
    if target.name != "host" and not target.emulator and target.backend not in ("opencl", "vulkan"):
        raise EdgecError(f"edgec verify runs the host, a Linux target with an emulator (targets/*.toml "
                         f"`emulator`) or an OpenCL / Vulkan target, not {target.name}: use `edgec bench --board ...` for a "
                         f"microcontroller")
    opts = import_options(args)
    with tempfile.TemporaryDirectory(prefix="edgec-") as tmp:
        out = args.output or Path(tmp) / "out"
        result = compile_model(args.model, target, out,
                               CompileOptions(name=args.name, import_options=opts, planner=args.planner,
                                              measure_code=False, patch=patch_options(args)), config)
        rtol = args.rtol if args.rtol is not None else config.verify.get("rtol", 1e-4)
        atol = args.atol if args.atol is not None else config.verify.get("atol", 1e-5)
        comparisons = verify_compiled(args.model, result, runs=args.runs, rtol=rtol, atol=atol,
                                      sanitize=args.sanitize, cc=args.cc, bindings=opts.bindings, target=target)
    reference = comparisons[0].reference if comparisons else "the reference executor"
    table = Table(title=f"{result.report['name']}: edgec vs {reference} (rtol {rtol:g}, atol {atol:g})")
    for col in ("output", "max abs error", "max rel error", "result"):
        table.add_column(col)
    for c in comparisons:
        table.add_row(c.output, f"{c.max_abs_err:.3g}", f"{c.max_rel_err:.3g}",
                      "[green]match[/green]" if c.ok else "[red]MISMATCH[/red]")
    Console().print(table)
    bad = [c for c in comparisons if not c.ok]
    if (result.report.get("int8_rounding") == "tflm" and not reference.startswith("TFLite Micro")
            and any(layer["op"] == "fully_connected_s8" for layer in result.report["layers"])):
        print("note: edgec compiled TFLite Micro's int8 arithmetic (--int8-rounding tflm), but the tflite-micro "
              "package is not installed, so the reference is LiteRT's reference kernels, whose FULLY_CONNECTED "
              "rounds differently (up to a few LSB). `pip install tflite-micro` to compare with TFLite Micro itself, "
              "or compile with --int8-rounding litert to compare with LiteRT.")
    if bad:
        raise VerificationError(f"{len(bad)} of {len(comparisons)} outputs differ from {reference}")
    print(f"verified: {len(comparisons)} outputs match {reference}")
    return 0
