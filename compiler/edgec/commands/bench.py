"""`edgec bench`: build, flash or emulate, run over the serial protocol, check outputs, report latency and memory."""

from __future__ import annotations

from pathlib import Path

from ._common import (add_checksum_option, add_ecotta_options, add_model_options, add_optimize_option,
                      add_patch_options, ecotta_options, import_options, patch_options)


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmark a model on a board (QEMU or hardware), on the host or on a Linux "
                                     "target under QEMU user mode, and check its outputs")
    add_model_options(p)
    add_patch_options(p)
    add_checksum_option(p)
    add_ecotta_options(p)
    add_optimize_option(p)
    p.add_argument("--adapt", action="store_true",
                   help="with --ecotta K and --board: time adaptation steps (<name>_adapt on the input) instead of "
                        "inferences")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--board", "-b", help="board name (see `edgec boards`)")
    where.add_argument("--target", "-t",
                       help="host (real time), or a Linux target run under QEMU user mode (cortex-a53, cortex-a55, "
                            "cortex-a76, cortex-a7: emulated time, plus instructions per inference): output in the "
                            "shape of TFLite's benchmark_model")
    p.add_argument("--runs", type=int, default=20, help="timed inferences (default 20)")
    p.add_argument("--warmup", type=int, default=5, help="--target: warm-up runs after the first (default 5)")
    p.add_argument("--rtol", type=float, help="--target: relative tolerance of the output check (default from "
                                              "toolchain.toml)")
    p.add_argument("--atol", type=float, help="--target: absolute tolerance (default from toolchain.toml)")
    p.add_argument("--port", help="serial port of a hardware board, e.g. /dev/ttyACM0 (any pyserial URL)")
    p.add_argument("--tool", choices=["pyocd", "openocd", "st-flash"], help="flashing tool for hardware boards")
    p.add_argument("--no-flash", action="store_true", help="hardware boards: the firmware is already on the board")
    p.add_argument("--timeout", type=float, help="seconds to wait for each reply (default: toolchain.toml [serial])")
    p.add_argument("--seed", type=int, default=0, help="seed of the random input")
    p.add_argument("-o", "--output", type=Path, help="keep the firmware here (default: a temporary folder)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON")
    p.add_argument("--layers", action="store_true",
                   help="profile each layer (the firmware reads its timer after every layer) and print where the "
                        "time goes")
    p.add_argument("--no-cycles", action="store_true",
                   help="emulated boards: instructions only, without the instruction mix and estimated cycles "
                        "(which need a host C compiler for edgec's QEMU plugin); --target under QEMU: no instruction "
                        "count")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    import tempfile

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from ..board.bench import BenchOptions, run_bench
    from ..board.boards import load_board
    from ..board.errors import OutputMismatchError
    from ..config import load_config
    from ..errors import EdgecError

    if args.runs < 1:
        raise EdgecError("--runs must be at least 1")
    if args.target:
        if args.adapt or args.ecotta:
            raise EdgecError("--ecotta / --adapt run on a board (--board), not with --target")
        return run_target(args)
    console = Console(stderr=True)
    board = load_board(args.board)
    opts = BenchOptions(runs=args.runs, seed=args.seed, timeout=args.timeout, port=args.port, flash_tool=args.tool,
                        flash=not args.no_flash, name=args.name, import_options=import_options(args),
                        patch=patch_options(args), layers=args.layers, checksum=args.checksum,
                        cycles=not args.no_cycles, ecotta=ecotta_options(args), adapt=args.adapt,
                        optimize=args.optimize)
    with tempfile.TemporaryDirectory(prefix="edgec-bench-") as tmp, \
            Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                     TimeElapsedColumn(), console=console, transient=True) as progress:
        def step(desc: str, total: int):
            task = progress.add_task(desc, total=total)
            return lambda: progress.advance(task)

        result = run_bench(args.model, board, args.output or Path(tmp) / "fw", opts, load_config(args.config), step)

    lat = result["latency"]
    adapting = args.adapt
    t = Table(title=f"{result['model_name']} on {board.name}" + (" (QEMU)" if board.emulated else "")
              + (": adaptation steps" if adapting else ""))
    t.add_column("")
    t.add_column("value", justify="right")
    unit = lat["unit"]
    per = " per adaptation step" if adapting else ""
    t.add_row(f"latency{per} min / median / max ({unit})", f"{lat['min']:,.0f} / {lat['median']:,.0f} / {lat['max']:,.0f}")
    if "cycles_estimate" in result:
        t.add_row(f"estimated cycles, one {'adaptation step' if adapting else 'inference'} "
                  f"({result['cycles_model']['core']} model)",
                  f"~{result['cycles_estimate']:,}")
    if "latency_us" in result:
        us = result["latency_us"]
        t.add_row(f"latency (µs at {result['cpu_hz'] / 1e6:g} MHz)", f"{us['min']:,.1f} / {us['median']:,.1f} / {us['max']:,.1f}")
    t.add_row("arena", f"{result['arena_bytes']:,} B")
    if "adaptation" in result:
        a = result["adaptation"]
        t.add_row("  + adaptation (arena growth + state)",
                  f"{a['adaptation_bytes']:,} B (arena {a['arena_bytes_with_adaptation']:,} B while adapting, "
                  f"state {a['state_bytes']:,} B)")
    t.add_row("stack high-water / reserved", f"{result['stack_high_water_bytes']:,} / {result['stack_bytes']:,} B")
    t.add_row("flash (.text+.rodata)", f"{result['flash_bytes']:,} B")
    t.add_row("RAM (.data+.bss)", f"{result['ram_bytes']:,} B")
    if not adapting:
        t.add_row("reference", result["reference"])
    if adapting:
        losses = result["adaptation"]["losses"]
        t.add_row("loss of the first / last step", f"{losses[0]:.3f} / {losses[-1]:.3f}")
    else:
        t.add_row("outputs match reference", ("[green]yes[/green]" if result["outputs_match"] else "[red]NO[/red]")
                  + f" (max abs error {result['max_abs_error']:.3g})" if result["max_abs_error"] is not None
                  else "[red]NO[/red]")
    Console().print(t)
    if "layers" in result:
        Console().print(layer_table(result["layers"], unit))
    if board.emulated:
        print("latency is in guest instructions counted by QEMU (-icount shift=0), not time")
    if "cycles_estimate" in result:
        m = result["cycles_model"]
        print(f"estimated cycles: the instruction mix of the timed inference x {m['file']} ({m['summary']}); "
              f"an estimate, not a measurement")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    if adapting:
        if result.get("problem"):
            raise EdgecError(f"adaptation on {board.name}: {result['problem']}")
        return 0
    if not result["outputs_match"]:
        hint = ""
        if (getattr(args, "int8_rounding", "tflm") == "tflm" and "fully_connected_s8" in result["ops"]
                and not result["reference"].startswith("TFLite Micro")):
            hint = ("\n  int8 fully connected layers round like TFLite Micro, compared here with LiteRT's reference "
                    "kernel (tflite-micro is not installed), which rounds differently by up to a few LSB. "
                    "`pip install tflite-micro` to compare with TFLite Micro; --int8-rounding litert matches LiteRT.")
        raise OutputMismatchError(f"outputs read back from {board.name} differ from {result['reference']} "
                                  f"({result.get('problem') or str(result.get('mismatches')) + ' values'}){hint}")
    return 0


def run_target(args) -> int:
    """`edgec bench --target`: the host or a Linux target under QEMU user mode (build/linux_bench.py)."""
    import json
    import tempfile

    from ..board.errors import OutputMismatchError
    from ..build.linux_bench import LinuxBenchOptions, format_result, run_linux_bench
    from ..config import load_config, load_target
    from ..errors import EdgecError

    if args.layers or args.port or args.tool or args.no_flash:
        raise EdgecError("--layers, --port, --tool and --no-flash go with --board, not --target")
    config = load_config(args.config)
    target = load_target(args.target, config)
    opts = LinuxBenchOptions(runs=args.runs, warmup=args.warmup, seed=args.seed, name=args.name,
                             import_options=import_options(args), patch=patch_options(args),
                             instructions=not args.no_cycles, rtol=args.rtol, atol=args.atol)
    with tempfile.TemporaryDirectory(prefix="edgec-bench-") as tmp:
        result = run_linux_bench(args.model, target, args.output or Path(tmp), opts, config)
    print(format_result(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    if not result["outputs_match"]:
        raise OutputMismatchError(f"outputs on {target.name} differ from {result['reference']} "
                                  f"(max abs error {result['max_abs_error']:.3g})")
    return 0


def layer_table(layers: list[dict], unit: str, top: int = 25):
    """The costliest layers of one run, in model order."""
    from rich.table import Table

    keep = sorted(sorted(range(len(layers)), key=lambda i: -layers[i]["count"])[:top])
    t = Table(title=f"per layer, one run ({len(keep)} costliest of {len(layers)})")
    short = {"instructions": "instr."}.get(unit, unit)
    for col, justify in (("#", "right"), ("layer", "left"), ("op", "left"), (short, "right"), ("share", "right"),
                         (f"{short}/MAC", "right")):
        t.add_column(col, justify=justify, overflow="fold")
    for i in keep:
        layer = layers[i]
        per_mac = f"{layer['per_mac']:.2f}" if layer["per_mac"] is not None else ""
        t.add_row(str(i), layer["name"][-40:], layer["op"], f"{layer['count']:,}", f"{100 * layer['share']:.1f} %",
                  per_mac)
    return t
