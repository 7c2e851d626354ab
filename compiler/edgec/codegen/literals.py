"""C literals for constant arrays: exact (float32 values round-trip) and deterministic."""

from __future__ import annotations

import numpy as np


def float_literal(value: np.float32) -> str:
    if np.isnan(value):
        return "NAN"
    if np.isinf(value):
        return "INFINITY" if value > 0 else "(-INFINITY)"
    text = str(np.float32(value))  # shortest text that round-trips as float32
    if "." not in text and "e" not in text:
        text += ".0"
    return text + "f"


def c_array_body(data: np.ndarray, per_line: int = 8, indent: str = "") -> str:
    flat = np.ravel(data)
    if flat.dtype == np.float32:
        items = [float_literal(v) for v in flat]
    elif flat.dtype.kind in "iub":
        items = [str(int(v)) for v in flat]
        if flat.dtype == np.int32:
            # INT32_MIN is not a literal in C; write it as an expression
            items = ["(-2147483647 - 1)" if v == "-2147483648" else v for v in items]
        elif flat.dtype == np.int64:
            items = [f"INT64_C({v})" for v in items]
        elif flat.dtype == np.uint64:
            items = [f"UINT64_C({v})" for v in items]
        elif flat.dtype == np.uint32:
            items = [f"{v}u" for v in items]
    else:
        raise TypeError(f"no C literal for dtype {flat.dtype}")
    rows = [indent + ", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n".join(rows)
