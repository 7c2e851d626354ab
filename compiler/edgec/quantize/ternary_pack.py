"""Packed ternary weights: the layouts the ternary kernels read (runtimes/include/edgec_ternary_s8.h decodes them).

A ternary layer's weights are, per output channel c, T[c, k] in {-1, 0, +1} (times a per-channel integer a_c that
the kernel applies once per output). k runs over the channel's K weights in the int8 kernels' order (OHWI:
kernel row, kernel column, input channel). Each channel's row is packed on its own, padded with zero trits to a
whole number of bytes; rows follow each other (row c starts at byte c * row_bytes).

  FORMAT_2BIT  (2 bits per weight): byte j holds weights 4j .. 4j+3. Bits 0-3 are the plus mask (bit i set:
               weight 4j + i is +1), bits 4-7 the minus mask (bit 4 + i set: it is -1); never both.
               row_bytes = ceil(K / 4).
  FORMAT_BASE3 (5 trits per byte, 1.6 bits per weight): byte j = sum over i < 5 of (T[5j + i] + 1) * 3^i, in
               0 .. 242. row_bytes = ceil(K / 5).

Both are bytes the kernels use as they are: the 2-bit byte's nibbles index a 16-entry byte-mask table (the
add/subtract kernel), and either byte indexes a table of the partial sums of its 4 or 5 activations (the look-up
kernel)."""

from __future__ import annotations

import numpy as np

FORMAT_2BIT, FORMAT_BASE3 = 0, 1
FORMATS = {"2bit": FORMAT_2BIT, "base3": FORMAT_BASE3}
GROUP = {FORMAT_2BIT: 4, FORMAT_BASE3: 5}  # weights per byte
NAMES = {FORMAT_2BIT: "ternary-2bit", FORMAT_BASE3: "ternary-base3"}


def row_bytes(k: int, fmt: int) -> int:
    return -(-k // GROUP[fmt])


def pack(trits: np.ndarray, fmt: int) -> np.ndarray:
    """[channels, K] trits in {-1, 0, 1} -> uint8 [channels * row_bytes(K)]."""
    t = np.asarray(trits, np.int64)
    if t.ndim != 2 or np.any(np.abs(t) > 1):
        raise ValueError("pack expects [channels, K] values in {-1, 0, 1}")
    g = GROUP[fmt]
    rows, k = t.shape
    padded = np.zeros((rows, row_bytes(k, fmt) * g), np.int64)
    padded[:, :k] = t
    groups = padded.reshape(rows, -1, g)
    if fmt == FORMAT_2BIT:
        bits = 1 << np.arange(4)
        packed = ((groups == 1) * bits).sum(-1) | (((groups == -1) * bits).sum(-1) << 4)
    else:
        packed = ((groups + 1) * 3 ** np.arange(5)).sum(-1)
    return packed.astype(np.uint8).reshape(-1)


def unpack(packed: np.ndarray, fmt: int, channels: int, k: int) -> np.ndarray:
    """The inverse of pack: uint8 [channels * row_bytes(K)] -> int8 [channels, K]."""
    b = np.asarray(packed, np.int64).reshape(channels, row_bytes(k, fmt))
    if fmt == FORMAT_2BIT:
        i = np.arange(4)
        t = ((b[..., None] >> i) & 1) - ((b[..., None] >> (4 + i)) & 1)
    else:
        t = (b[..., None] // 3 ** np.arange(5)) % 3 - 1
    return t.reshape(channels, -1)[:, :k].astype(np.int8)


def ternary_rows(w: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """int8 weights [channels, ...] -> (a [channels] int32, T [channels, K] int8) with w = a_c * T[c], or None if
    some channel holds two different magnitudes. An all-zero channel has a_c = 0."""
    w = np.asarray(w, np.int64).reshape(w.shape[0], -1)
    a = np.abs(w).max(1)
    if np.any((w != 0) & (np.abs(w) != a[:, None])):
        return None
    return a.astype(np.int32), np.sign(w).astype(np.int8)
