"""`edgec boards`: the boards edgec builds firmware for, and which of them QEMU emulates."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("boards", help="list boards (emulated by QEMU, or real hardware)")
    p.set_defaults(func=run)


def run(args) -> int:
    import shutil

    from rich.console import Console
    from rich.table import Table

    from ..board.boards import board_names, load_board
    from ..board.flash import board_tools

    table = Table(title="edgec boards")
    for col in ("board", "target", "runs on", "code", "RAM", "flash tools"):
        table.add_column(col, justify="right" if col in ("code", "RAM") else "left",
                         no_wrap=col in ("board", "runs on"))
    for name in board_names():
        b = load_board(name)
        if b.emulated:
            runs = f"QEMU {b.qemu['machine']}" + ("" if shutil.which("qemu-system-arm") else " (not installed)")
        else:
            runs = "hardware"
        tools = " ".join(t if shutil.which(t) else f"{t}?" for t in board_tools(b)) or "-"
        ram = sum(r.length for r in b.regions if r.name != b.placement["code"])
        table.add_row(name, b.target, runs, f"{b.region('code').length // 1024:,} KiB", f"{ram // 1024:,} KiB", tools)
    Console().print(table)
    print("emulated boards report instructions (QEMU -icount); hardware boards report DWT cycles and µs. "
          "'tool?' = not installed.\nDetails: targets/boards/<board>.toml")
    return 0
