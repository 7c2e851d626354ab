"""The `edgec` command. Each subcommand lives in edgec/commands/<name>.py with register() and run()."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import traceback

from . import __version__, commands
from .errors import EdgecError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edgec", description="Compile ML models to freestanding C for edge devices.")
    parser.add_argument("--version", action="version", version=f"edgec {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:  # also shows the native libraries' log lines (native_log.py)
        logging.getLogger("edgec").setLevel(logging.DEBUG)
    try:
        return int(args.func(args) or 0)
    except EdgecError as exc:
        print(f"edgec: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("edgec: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in edgec, not in the user's input
        if args.debug:
            traceback.print_exc()
        print(f"edgec: internal error: {exc.__class__.__name__}: {exc}\n"
              "This is a bug in edgec; run again with --debug for the traceback and report it.", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
