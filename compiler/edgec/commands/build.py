"""`edgec build`: model -> benchmark firmware for a board (ELF, map, size report)."""

from __future__ import annotations

from pathlib import Path

from ._common import (add_checksum_option, add_model_options, add_optimize_option, add_patch_options, import_options,
                      patch_options)


def register(sub) -> None:
    p = sub.add_parser("build", help="build the benchmark firmware of a model for a board")
    add_model_options(p)
    add_patch_options(p)
    add_checksum_option(p)
    add_optimize_option(p)
    p.add_argument("--board", "-b", required=True, help="board name (see `edgec boards`)")
    p.add_argument("-o", "--output", type=Path, default=Path("out"), help="output folder (default: out/)")
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from rich.console import Console

    from ..board.boards import load_board
    from ..board.firmware import build_firmware
    from ..config import load_config
    from ._board_common import print_sizes

    console = Console()
    board = load_board(args.board)
    with console.status(f"building firmware for {board.name}"):
        fw = build_firmware(args.model, board, args.output, args.name, load_config(args.config), import_options(args),
                             patch=patch_options(args), checksum=args.checksum, optimize=args.optimize)
    print_sizes(fw, console)
    (args.output / "size.json").write_text(json.dumps(fw.sizes, indent=2) + "\n")
    print(f"wrote {fw.elf}, {fw.map}, {args.output / 'size.json'}")
    return 0
