"""The Cortex-M kernels against the portable reference kernels on random shapes: conv (odd pixel and channel
counts, K % 4 and K % 16 tails, in_c % 4 == 0 and not), depthwise (depth multiplier 1 and 2), fully connected
(filter offset 0 and not, both roundings), padding, strides, dilations, both requantisation modes; then depthwise
cases aimed at the DSP kernel's 3x3 path: maps up to 24 x 100 (whole-map copies, the border frame around inside
pixels, column pieces), strides and dilations up to 3, paddings up to 3, in_c % 4 != 0, every shift from -31 to 8,
biases near the fast path's bound, INT32_MIN multipliers, clamped and full activation ranges; 3x3 stride 1 on
tall maps (the 2 x 2 path's row pieces in every plane layout); k x k depthwise
(5x5, 7x7 for the band path, other k up to 7, non-square), both requantisations; add (the table path, the DSP
requantisation of contiguous rows, broadcasting, small shifts where every rounding shows); SVDF (int8 and int16
memory, state zero points) and LSTM (both time layouts, clipping), odd sizes, three runs in a row from a random
state, outputs and states compared. One firmware
(tests/semihost/kernel_fuzz.c) per kernel set and core, on QEMU; every case must match bit for bit:
- runtimes/cortex-m/ (DSP: SMLAD, SMLABB) built for the Cortex-M7, on mps2-an500;
- runtimes/cortex-m55/ (Helium: VMLADAVA, VMULLB, VQRDMULH) built for the Cortex-M55, on mps3-an547: with the
  shipped chunk sizes, with tiny ones (so that every shape spans several K, channel and output-channel chunks),
  and without MVE (the scalar twins of the same loops);
- runtimes/cortex-m55/ built for the host under AddressSanitizer and UBSan (the scalar twins: the blocking, im2col
  and chunking that the Helium path shares with them stay inside their buffers).

The packed entry points of runtimes/cortex-m/ (edgec_conv2d_s8_packed, edgec_fully_connected_s8_packed,
edgec_depthwise_conv2d_s8_packed) get their own cases, packed by the compiler's packing functions, on QEMU (the
hand-written DSP loops) and on the host (their portable C)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import require
from edgec.ops.quantized_s8 import (CLAMP, DWS_MAX_COLS, SIGN_FIX, TRUNCATE, WIDE, dw_map_path, dw_plane_path,
                                    pack_conv_s8, pack_depthwise_s8, pack_fc_s8)

REPO = Path(__file__).resolve().parents[1]
RUNTIMES = REPO / "runtimes"
SEMIHOST = Path(__file__).parent / "semihost"
COMMON = ["-O2", "-std=c99", "-mthumb", "-mfloat-abi=hard", "-ffreestanding", "-nostartfiles", "-nostdlib",
          "-I", str(RUNTIMES / "include")]
M7 = ["-mcpu=cortex-m7", "-mfpu=fpv5-d16"]
FLAGS = [*M7, *COMMON]  # the packed kernels' firmware
KERNELS = {"conv2d": "ref_conv", "depthwise_conv2d": "ref_dw", "fully_connected": "ref_fc", "add": "ref_add",
           "svdf": "ref_svdf", "lstm": "ref_lstm"}


def renamed(kernel: str) -> list[str]:
    """-D flags that give a reference kernel file's entry points their ref_* names."""
    extra = ["-Dedgec_svdf_s8_s16=ref_svdf_s16"] if kernel == "svdf" else []
    return [f"-Dedgec_{kernel}_s8={KERNELS[kernel]}", *extra]


TINY_CHUNKS = ["-DEDGEC_HL_K_CHUNK=40", "-DEDGEC_HL_OC_CHUNK=24", "-DEDGEC_HL_MAX_C=24"]
HELIUM = ["vmlava.s8", "vmullb.s16", "vqrdmulh.s32"]  # objdump's names (VMLAV is VMLADAV's alias)

# id: (kernel set, cpu flags, extra flags, QEMU machine, linker script, instructions that must be in the ELF,
#      instructions that must not be)
CASES = {
    "cortex-m7-dsp": ("cortex-m", M7, [], "mps2-an500", "link.ld", ["smlad", "smlabb"], []),
    "cortex-m55-helium": ("cortex-m55", ["-mcpu=cortex-m55"], [], "mps3-an547", "link_an547.ld", HELIUM, []),
    "cortex-m55-helium-tiny-chunks": ("cortex-m55", ["-mcpu=cortex-m55"], TINY_CHUNKS, "mps3-an547",
                                      "link_an547.ld", HELIUM, []),
    "cortex-m55-no-mve": ("cortex-m55", ["-mcpu=cortex-m55+nomve"], TINY_CHUNKS, "mps3-an547", "link_an547.ld", [],
                          ["vmlava", "vldrb"]),
}


def kernel_source(kernel_set: str, kernel: str) -> Path:
    """The set's own file, else the next set in its targets' lists (the Cortex-M55 uses cortex-m/'s add)."""
    own = RUNTIMES / kernel_set / f"edgec_{kernel}_s8.c"
    return own if own.exists() else RUNTIMES / "cortex-m" / f"edgec_{kernel}_s8.c"


@pytest.mark.parametrize("case", CASES)
def test_kernels_match_reference_on_random_shapes(tmp_path, case):
    kernel_set, cpu, extra, machine, link, present, absent = CASES[case]
    cc = require("arm-none-eabi-gcc")
    flags = [*cpu, *COMMON]
    objs = []
    for kernel in KERNELS:
        obj = tmp_path / f"ref_{kernel}.o"
        subprocess.run([cc, *flags, *renamed(kernel), "-c",
                        str(RUNTIMES / "reference" / f"edgec_{kernel}_s8.c"), "-o", str(obj)], check=True)
        objs.append(str(obj))
    elf = tmp_path / "fuzz.elf"
    subprocess.run([cc, *flags, *extra, "-Wall", "-T", str(SEMIHOST / link), str(SEMIHOST / "kernel_fuzz.c"), *objs,
                    *(str(kernel_source(kernel_set, k)) for k in KERNELS), "-lgcc", "-o", str(elf)],
                   check=True)
    # objdump needs the architecture spelled out to decode MVE
    arch = ["-m", "armv8.1-m.main"] if "cortex-m55" in cpu[0] else []
    disasm = subprocess.run([require("arm-none-eabi-objdump"), "-d", *arch, str(elf)], capture_output=True,
                            text=True).stdout
    assert all(i in disasm for i in present) and not any(i in disasm for i in absent), \
        f"the {case} paths were not compiled in as expected"
    proc = subprocess.run([require("qemu-system-arm"), "-M", machine, "-nographic", "-monitor", "none",
                           "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode} random cases differ from the reference kernels"


def test_helium_kernels_scalar_twins_under_sanitizers(tmp_path):
    cc = require("gcc")
    flags = ["-O1", "-std=c99", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
             "-fno-sanitize-recover=all", "-DEDGEC_FUZZ_HOST", *TINY_CHUNKS, "-I", str(RUNTIMES / "include")]
    objs = []
    for kernel in KERNELS:
        obj = tmp_path / f"ref_{kernel}.o"
        subprocess.run([cc, *flags, *renamed(kernel), "-c",
                        str(RUNTIMES / "reference" / f"edgec_{kernel}_s8.c"), "-o", str(obj)], check=True)
        objs.append(str(obj))
    exe = tmp_path / "fuzz"
    subprocess.run([cc, *flags, str(SEMIHOST / "kernel_fuzz.c"), *objs,
                    *(str(kernel_source("cortex-m55", k)) for k in KERNELS), "-o", str(exe)], check=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{proc.returncode}: {proc.stderr[-2000:]}"


# -- packed kernels ----------------------------------------------------------------------------------------------
PACKED_CASES = 700
FC_ENTRY_CASES = 96
DW_CASES = 240
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]  # the host build of the packed fuzz


def conv_case(rng, i: int):
    """A random conv layer that exercises one of the packed kernel's paths (cycling through them)."""
    kind = i % 6
    if kind == 0:  # pointwise, read straight from the input (in_c % 4 == 0), stride 1 or 2
        kh = kw = 1
        in_c = 4 * int(rng.integers(1, 17))
        pads, dil = (0, 0, 0, 0), (1, 1)
    elif kind == 1:  # pointwise with a K % 4 tail, or padded
        kh = kw = 1
        in_c = int(rng.integers(1, 24))
        pads, dil = tuple(int(v) for v in rng.integers(0, 2, 4)), (1, 1)
    elif kind == 2:  # first-layer shapes: one or three channels, tall kernels (KWS: 10x4), padding
        kh, kw = int(rng.integers(1, 11)), int(rng.integers(1, 5))
        in_c = int(rng.choice([1, 2, 3]))
        pads, dil = tuple(int(v) for v in rng.integers(0, 3, 4)), (1, 1)
    else:  # k x k, any in_c, padding, dilation
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        in_c = int(rng.integers(1, 33)) if kind == 3 else 4 * int(rng.integers(1, 9))
        pads = tuple(int(v) for v in rng.integers(0, 3, 4))
        dil = tuple(int(v) for v in rng.integers(1, 3, 2)) if kind == 5 else (1, 1)
    stride = tuple(int(v) for v in rng.integers(1, 3, 2))
    batch, in_h, in_w = int(rng.integers(1, 3)), int(rng.integers(1, 13)), int(rng.integers(1, 13))
    out_c = int(rng.choice([1, 2, 3, 5, 8, 16, int(rng.integers(1, 41))]))
    eff_h, eff_w = (kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1
    out_h = (in_h + pads[0] + pads[2] - eff_h) // stride[0] + 1
    out_w = (in_w + pads[1] + pads[3] - eff_w) // stride[1] + 1
    if out_h < 1 or out_w < 1:
        return None
    in_off, out_off = int(rng.integers(-127, 129)), int(rng.integers(-128, 128))
    act = [(-128, 127), (out_off, 127), (out_off, int(rng.integers(out_off, 128))),
           (int(rng.integers(-128, out_off + 1)), int(rng.integers(max(out_off, 0), 128)))][int(rng.integers(0, 4))]
    w = rng.integers(-128, 128, (out_c, kh, kw, in_c), dtype=np.int64).astype(np.int8)
    bias = rng.integers(-20000, 20001, out_c).astype(np.int32)
    mult = rng.integers(1 << 30, 1 << 31, out_c).astype(np.int64)
    mult[rng.random(out_c) < 0.1] = (1 << 30) + 1
    shift = rng.integers(-12, 0, out_c) if rng.random() < 0.7 else rng.integers(-12, 2, out_c)
    if rng.random() < 0.1:
        shift[:] = 1  # a left shift for every channel
    dead = rng.random(out_c) < 0.15  # pruned channels: zero weights, a huge bias, a tiny scale
    w[dead] = 0
    bias[dead] = rng.choice([-(1 << 30), 1 << 30], int(dead.sum()))
    shift[dead] = rng.integers(-31, -24, int(dead.sum()))
    mult[dead & (rng.random(out_c) < 0.3)] = 0
    params = [batch, in_h, in_w, in_c, out_h, out_w, out_c, kh, kw, stride[0], stride[1], pads[0], pads[1],
              dil[0], dil[1], 1, in_off, out_off, act[0], act[1], 0]
    packed = pack_conv_s8(w, bias, mult.astype(np.int32), shift.astype(np.int32), in_off, out_off, act,
                          wide=bool(i // 6 % 2))  # both layouts, on every path (no draw: the stream stays)
    if packed is None:
        return None
    x = rng.integers(-128, 128, batch * in_h * in_w * in_c).astype(np.int8)
    return 0, params, x, w, bias, packed, [mult.astype(np.int32), shift.astype(np.int32)], batch * out_h * out_w * out_c


def fc_case(rng, i: int, d4: int | None = None, wide: bool | None = None):
    batches, depth = int(rng.integers(1, 4)), int(rng.integers(1, 301))
    if d4 is not None:
        depth = 4 * d4 - depth % 4
    units = int(rng.choice([1, 2, 3, 4, 8, 12, int(rng.integers(1, 40))]))
    single = bool(i % 2)
    out_off = int(rng.integers(-128, 128))
    act = [(-128, 127), (out_off, 127),
           (int(rng.integers(-128, out_off + 1)), int(rng.integers(max(out_off, 0), 128)))][int(rng.integers(0, 3))]
    attrs = dict(input_offset=int(rng.integers(-127, 129)), filter_offset=0, output_offset=out_off,
                 multiplier=int(rng.integers(1 << 30, 1 << 31)), shift=int(rng.integers(-12, 2)), act=act,
                 single_rounding=single)
    w = rng.integers(-128, 128, (units, depth)).astype(np.int8)
    bias = rng.integers(-20000, 20001, units).astype(np.int32)
    packed = pack_fc_s8(w, bias, attrs, wide=bool(i // 3 % 2) if wide is None else wide)
    if packed is None:
        return None
    params = [batches, depth, units, attrs["input_offset"], 0, out_off, attrs["multiplier"], attrs["shift"], act[0],
              act[1], int(single)]
    x = rng.integers(-128, 128, batches * depth).astype(np.int8)
    return 1, params, x, w, bias, packed, [], batches * units


def dw_case(rng, i: int):
    """A random 3x3 depthwise layer for edgec_depthwise_conv2d_s8_packed: mostly the 2 x 2 plane path (stride 1, a
    third stride 2; odd widths and heights, maps taller than the planes and wider than a piece, batch 2), else the
    tables' portable twin (strides, dilations, narrow maps)."""
    plane = i % 4 != 0
    c = 4 * int(rng.integers(1, 5))
    stride = ((2, 2) if i % 3 == 0 else (1, 1)) if plane else tuple(int(v) for v in rng.integers(1, 3, 2))
    dil = (1, 1) if plane else tuple(int(v) for v in rng.integers(1, 3, 2))
    pads = tuple(int(v) for v in rng.integers(0, 2, 4))
    wide_s2 = plane and stride == (2, 2) and i % 7 == 2  # stride 2, one plane a band line: 13 to 24 columns
    tall = i % 7 == 1 or wide_s2
    in_h = int(rng.integers(30, 75)) if tall else int(rng.integers(2, 14))
    in_w = int(rng.integers(25, 50) if wide_s2 else rng.integers(48, 110)) if i % 7 == 2 else int(rng.integers(3, 14))
    batch = int(rng.integers(1, 3))
    if plane and i % 10 == 7:  # 3 x 3 output maps padded at the edges only (the taps-inside kernel): stride 1
        in_h, in_w, pads, stride = 3, 3, (1, 1, 1, 1), (1, 1)
    if plane and i % 10 == 3:  # ... and stride 2 on a 6 x 6 map, the padding after it (TFLite's SAME)
        in_h, in_w, pads, stride = 6, 6, (0, 0, 1, 1), (2, 2)
    if plane and i % 10 == 5:  # ... and 6 x 6 maps at stride 1 with padding 1 (the full output range only)
        in_h, in_w, pads, stride = 6, 6, (1, 1, 1, 1), (1, 1)
    out_h = (in_h + pads[0] + pads[2] - 2 * dil[0] - 1) // stride[0] + 1
    out_w = (in_w + pads[1] + pads[3] - 2 * dil[1] - 1) // stride[1] + 1
    if out_h < 1 or out_w < 1 or batch * max(in_h * in_w, out_h * out_w) * c > 65536:
        return None
    in_off, out_off = int(rng.integers(-127, 129)), int(rng.integers(-128, 128))
    act = [(-128, 127), (out_off, 127), (int(rng.integers(-128, out_off + 1)), int(rng.integers(max(out_off, 0), 128)))][
        int(rng.integers(0, 3))]
    w = rng.integers(-128, 128, (1, 3, 3, c)).astype(np.int8)
    bound = (1 << 29) - 293760
    bias = rng.integers(-20000, 20001, c).astype(np.int64)
    edge = rng.random(c) < 0.1
    bias[edge] = rng.choice([-(bound - 1), bound - 1], int(edge.sum()))  # near the fast range's bound
    mult = rng.integers(0, 1 << 31, c).astype(np.int64)
    shift = -rng.integers(1, 23, c)
    params = [batch, in_h, in_w, c, out_h, out_w, c, 3, 3, stride[0], stride[1], pads[0], pads[1], dil[0], dil[1],
              1, in_off, out_off, act[0], act[1], 0]
    q = dict(zip(("batch", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "k_h", "k_w", "stride_h", "stride_w",
                  "pad_top", "pad_left", "dil_h", "dil_w", "depth_multiplier"), params), requant=0, act_min=act[0],
             act_max=act[1])
    packed = pack_depthwise_s8(w, None if i % 9 == 0 else bias, mult, shift, in_off, out_off,
                               map_bias=dw_map_path(q))
    assert packed is not None
    if i % 9 == 0:
        bias[:] = 0  # no bias: the reference gets zeros
    x = rng.integers(-128, 128, batch * in_h * in_w * c).astype(np.int8)
    return (2, params, x, w, bias.astype(np.int32), packed, [mult.astype(np.int32), shift.astype(np.int32)],
            batch * out_h * out_w * c)


def padded(b: bytes) -> bytes:
    return b + bytes(-len(b) % 4)


def write_packed_cases(path: Path, seed: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    blobs, seen = [], {"conv": set(), "px_mod3": set(), "units_mod8": set(), "fc_wide": set(), "fc": set(), "odd_out_c": 0, "k4_mod16": set(), "d4_mod8": set(), "dead": 0,
            "d4_mod32": set(), "fc_folded": set(), "dw": set(), "dw_map3": set()}
    # then compact fully connected cases with every d4 from 1 to 96 (the loop is unrolled 32 times), then the
    # depthwise cases, each from its own generator so that the cases before them stay as they were
    entry_rng = np.random.default_rng(seed + 1)
    dw_rng = np.random.default_rng(seed + 1)

    def cases():
        i, n = 0, 0
        while n < PACKED_CASES + FC_ENTRY_CASES + DW_CASES:
            i += 1
            if n < PACKED_CASES:
                case = conv_case(rng, i) if i % 3 else fc_case(rng, i)
            elif n < PACKED_CASES + FC_ENTRY_CASES:
                case = fc_case(entry_rng, i, d4=n - PACKED_CASES + 1, wide=False)
            else:
                case = dw_case(dw_rng, i)
            if case is not None:
                n += 1
                yield case

    for case in cases():
        kind, params, x, w, bias, packed, extra, n_out = case
        header = [kind, x.size, w.size, n_out, bias.size, packed.size]
        blobs.append(np.array(header + params, np.int32).tobytes() + padded(x.tobytes()) + padded(w.tobytes())
                     + bias.astype(np.int32).tobytes() + packed.tobytes() + b"".join(a.tobytes() for a in extra))
        if kind == 2:
            q = dict(zip(("batch", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "k_h", "k_w", "stride_h",
                          "stride_w", "pad_top", "pad_left", "dil_h", "dil_w", "depth_multiplier"), params))
            q["requant"] = 0
            plane = dw_plane_path(q)
            seen["dw"].add(("plane", q["out_w"] % 2, q["out_h"] % 2, q["out_w"] > 50, q["out_h"] > 30,
                            (params[18], params[19]) == (-128, 127), q["stride_h"], q["out_h"] > 14,
                            q["out_w"] > 12)
                           if plane else ("portable",))
            if plane and (q["in_h"], q["in_w"], q["out_h"], q["out_w"], q["stride_h"], q["pad_top"],
                          q["pad_left"]) in ((3, 3, 3, 3, 1, 1, 1), (6, 6, 3, 3, 2, 0, 0), (6, 6, 6, 6, 1, 1, 1)):
                seen["dw_map3"].add((q["out_h"], q["stride_h"], (params[18], params[19]) == (-128, 127)))
        elif kind == 0:
            seen["conv"].add(int(packed[2]))
            seen["px_mod3"].add((params[0] * params[4] * params[5]) % 3 if params[0] == 1 else -1)
            seen["odd_out_c"] += params[6] % 2
            seen["k4_mod16"].add(int(packed[0]) % 16)
            seen["dead"] += int(np.any(np.all(w.reshape(w.shape[0], -1) == 0, axis=1)))
        else:
            seen["fc"].add(int(packed[2]) & ~WIDE)
            seen["fc_wide"].add(int(packed[2]) & WIDE)
            seen["d4_mod8"].add(int(packed[0]) % 8)
            if not packed[2] & WIDE:  # the compact loop is unrolled 32 times
                seen["d4_mod32"].add(int(packed[0]) % 32)
            # corr is subtracted in the epilogue when l is 1 (0 with truncation), at the tile start otherwise
            seen["fc_folded"].add((int(packed[2]) & ~WIDE, int(packed[3]) == (0 if packed[2] & TRUNCATE else 1)))
            seen["units_mod8"].add(params[2] % 8)
    path.write_bytes(np.array([len(blobs)], np.int32).tobytes() + b"".join(blobs))
    return seen


def test_packed_kernels_match_reference_on_random_shapes(tmp_path):
    seen = write_packed_cases(tmp_path / "cases.bin")
    # every requantisation variant, Duff entry point and special case was drawn
    # ... in both weight layouts, and every partial last triple of pixels
    assert seen["conv"] == {v | wide for v in (0, SIGN_FIX, CLAMP, SIGN_FIX | CLAMP) for wide in (0, WIDE)}, seen
    assert seen["px_mod3"] >= {0, 1, 2}, seen
    assert seen["fc"] >= {0, SIGN_FIX, CLAMP, SIGN_FIX | CLAMP, TRUNCATE, TRUNCATE | CLAMP}, seen["fc"]
    assert seen["fc_wide"] == {0, WIDE}, seen
    assert seen["units_mod8"] == set(range(8)), seen
    assert seen["k4_mod16"] == set(range(16)) and seen["d4_mod8"] == set(range(8)), seen
    assert seen["d4_mod32"] == set(range(32)), seen
    # (sign_fix needs a right shift, so l = 1: always folded)
    assert seen["fc_folded"] >= {(v, True) for v in (0, SIGN_FIX, CLAMP, SIGN_FIX | CLAMP, TRUNCATE, TRUNCATE | CLAMP)} | {
        (0, False), (CLAMP, False)}, seen["fc_folded"]
    assert seen["odd_out_c"] > 20 and seen["dead"] > 20, seen
    # depthwise: the plane path with odd and even widths and heights, column and row pieces, both clamps; the
    # portable twin
    dw = seen["dw"]
    assert ("portable",) in dw and {d[1:3] for d in dw if d[0] == "plane"} == {(0, 0), (0, 1), (1, 0), (1, 1)}, dw
    assert {d[3:6] for d in dw if d[0] == "plane"} >= {(True, False, True), (False, True, False),
                                                       (False, False, True), (False, False, False)}, dw
    # ... and the maps padded at the edges only that the taps-inside kernels take (3 x 3 outputs at both strides,
    # 6 x 6 at stride 1 whose full range only they take), both clamps
    assert seen["dw_map3"] == {(n, s, full) for n, s in ((3, 1), (3, 2), (6, 1)) for full in (True, False)}, seen[
        "dw_map3"]
    # the compiler's test for the path (dw_plane_path) and the kernel's (dwh_applies) agree on the stride-2 width
    src = (RUNTIMES / "cortex-m" / "edgec_depthwise_conv2d_s8.c").read_text()
    assert f"#define DWS_MAX_COLS {DWS_MAX_COLS} " in src
    # ... and at stride 2: odd and even widths and heights, several row pieces, both clamps
    assert {d[1:3] for d in dw if d[0] == "plane" and d[6] == 2} == {(0, 0), (0, 1), (1, 0), (1, 1)}, dw
    assert {(d[5], d[7]) for d in dw if d[0] == "plane" and d[6] == 2} >= {(True, True), (False, True),
                                                                         (True, False), (False, False)}, dw
    # ... and maps of 13 to 24 columns (one plane a band line), several row pieces, odd and even widths
    assert {(d[1], d[7]) for d in dw if d[0] == "plane" and d[6] == 2 and d[8]} == {(0, True), (1, True)}, dw
    sources = [str(SEMIHOST / "packed_fuzz.c"), *(str(RUNTIMES / "cortex-m" / f"edgec_{k}_s8.c")
                                                  for k in ("conv2d", "depthwise_conv2d", "fully_connected"))]
    for name, cc, flags, run in (
            ("qemu", require("arm-none-eabi-gcc"), FLAGS + ["-T", str(SEMIHOST / "link.ld")],
             [require("qemu-system-arm"), "-M", "mps2-an500", "-nographic", "-monitor", "none", "-serial", "none",
              "-semihosting-config", "enable=on,target=native", "-kernel"]),
            ("host", require("gcc"), ["-O2", "-std=c99", "-I", str(RUNTIMES / "include"), *SANITIZE], [])):
        objs = []
        for kernel, alias in (("conv2d", "ref_conv"), ("depthwise_conv2d", "ref_dw"), ("fully_connected", "ref_fc")):
            obj = tmp_path / f"{name}_ref_{kernel}.o"
            subprocess.run([cc, *[f for f in flags if f not in ("-T", str(SEMIHOST / "link.ld"))],
                            f"-Dedgec_{kernel}_s8={alias}", "-c", str(RUNTIMES / "reference" / f"edgec_{kernel}_s8.c"),
                            "-o", str(obj)], check=True)
            objs.append(str(obj))
        exe = tmp_path / f"packed_fuzz_{name}"
        subprocess.run([cc, *flags, "-Wall", "-Wextra", "-Werror", *sources, *objs, *(["-lgcc"] if run else []),
                        "-o", str(exe)], check=True)
        proc = subprocess.run([*run, str(exe)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (f"{name}: {proc.returncode} packed cases differ from the reference kernels "
                                      f"(cases {proc.stdout.split()[:10]} {proc.stderr[:300]})")
