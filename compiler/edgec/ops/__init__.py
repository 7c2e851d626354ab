"""Operator support, one module per operator family.

Each module registers two things:
  - lowerings: how a Relax call becomes edgec IR nodes (`@lowering("relax.nn.conv2d")`);
  - kernels: how an IR node becomes a C call into runtimes/ (`@kernel("conv2d")`).
Adding an operator means adding (or extending) one module here and one kernel file in runtimes/.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

LOWERINGS: dict[str, Callable] = {}
KERNELS: dict[str, Callable] = {}


def lowering(*relax_ops: str):
    def register(fn):
        for op in relax_ops:
            if op in LOWERINGS:
                raise ValueError(f"two lowerings for {op}")
            LOWERINGS[op] = fn
        return fn

    return register


def kernel(*ir_ops: str):
    def register(fn):
        for op in ir_ops:
            if op in KERNELS:
                raise ValueError(f"two kernels for {op}")
            KERNELS[op] = fn
        return fn

    return register


_loaded = False


def load_all() -> None:
    """Import every operator module so that it registers itself (once: the planner asks at every plan)."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
