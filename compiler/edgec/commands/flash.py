"""`edgec flash`: put a built firmware on its board: QEMU for emulated boards, pyOCD/OpenOCD/st-flash otherwise."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("flash", help="flash a built firmware (or start it in QEMU for an emulated board)")
    p.add_argument("build_dir", type=Path, help="folder written by `edgec build`")
    p.add_argument("--board", "-b", required=True, help="board name (see `edgec boards`)")
    p.add_argument("--tool", choices=["pyocd", "openocd", "st-flash"], help="flashing tool (default: the first installed)")
    p.add_argument("--serve", action="store_true",
                   help="emulated boards: keep QEMU running and print its serial URL until Ctrl-C")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for the boot banner")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from ..board.boards import load_board
    from ..board.errors import BoardError
    from ..board.flash import flash_board
    from ..board.protocol import DutClient
    from ..board.qemu import QemuSession

    board = load_board(args.board)
    elf = args.build_dir / "firmware.elf"
    if not elf.exists():
        raise BoardError(f"{elf}: no firmware there (build it with `edgec build MODEL --board {board.name} -o {args.build_dir}`)")
    if not board.emulated:
        tool = flash_board(board, elf, args.tool)
        print(f"flashed {elf} to {board.name} with {tool}")
        return 0
    with QemuSession(board, elf) as session:
        if args.serve:
            print(f"QEMU {board.qemu['machine']} running {elf}; serial at {session.url} (Ctrl-C to stop)", flush=True)
            while session.running():
                time.sleep(0.5)
            raise BoardError(f"QEMU exited:\n{session.output().strip()[-2000:]}")
        with DutClient(session.url, timeout=args.timeout) as client:
            client.wait_boot()
            profile = client.profile()
    print(f"{board.name} (QEMU {board.qemu['machine']}) booted {elf}: firmware {profile['firmware']}, "
          f"model {profile['model']}, arena {profile.get('arena_bytes', 0):,} B")
    return 0
