"""In-place depthwise convolution: the output is written over the input's buffer, band of rows by band of rows.

A depthwise layer's input and output are equally wide, and in MobileNet-style networks that pair is often the peak
of the arena. Rows of an NHWC tensor are contiguous, so any depthwise kernel, unchanged, computes output rows
[o0, o1) from a window of input rows when called with in_h / out_h / pad_top adjusted (runtimes/include/
edgec_depthwise_band.h, `edgec_dw_band_of`, mirrored by `band_of` here). The runtime loop computes band k into
scratch slot k % 2, then copies band k - 1 to its final place (output row y at byte y * out_row_bytes of the input's
buffer). That is safe when no band from k + 1 on reads input bytes band k - 1 overwrites; `schedule_is_safe` checks
it with exact byte arithmetic, and `safe_band_rows` finds the fewest rows per band for which it holds (the smallest
scratch; with 'same' padding a band needs pad_top rows, the halo above the window two bands on).

Kernels: every depthwise kernel (reference and optimized float, reference, Cortex-M DSP and Helium int8) takes its
vertical geometry from in_h, out_h and pad_top only (rows at or past in_h are padding) and has no alignment
requirement a row offset could break: the DSP kernel loads input words with unaligned-safe LDR (as it already
does at any pixel when in_c % 4 != 0), Helium loads bytes, and a row offset keeps the 4-byte alignment of floats.

Like the element-wise merges (inplace.py) it is decided at planning time and never written into the IR:
  - the node is a depthwise convolution (int8 depthwise_conv2d_s8, or float conv2d with depthwise=True, NHWC)
    with depth multiplier 1 and batch 1, and its output has the input's element size and no more bytes;
  - its input's buffer (with the views and in-place outputs that share it) is last used at this node and does not
    hold a graph input;
  - a safe band height exists whose two bands are smaller than the output, and every band reads >= 1 input row.
The two scratch slots are a buffer of their own, live only at that node's step, so every planner sees them.

Channel groups (TinyEngine's in-place depthwise): where an int8 layer's output has its input's shape (stride 1,
'same' padding), output channel c at a pixel overwrites input channel c there, which only output channel c reads.
runtimes/reference/edgec_depthwise_channels_s8.c gathers a group of channels into scratch, runs the model's own
depthwise kernel on it (the weights re-laid out group by group at compile time) and scatters the output back: two
planes of scratch per group instead of two bands of rows, far less with many channels (MobileNetV2's 28x28x192:
1.5 KiB instead of 10.5). `smallest_schedule` takes whichever scheme needs less.
Whether a candidate is taken is the planner's call (`choose`: only when the arena shrinks); bands then grow
taller (fewer kernel calls) as long as the arena does not (`widen_bands`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import EdgecError
from ..ir import DTYPE_BYTES, Graph, Node
from .liveness import Buffer, align_up, live_bytes_per_step

SLOT_ALIGN = 16  # edgec_dw_slot_bytes rounds each slot up to this


@dataclass(frozen=True)
class Geometry:
    """What the band schedule depends on: the vertical geometry and the bytes of one input and one output row."""

    in_h: int
    out_h: int
    k_h: int
    stride: int
    pad_top: int
    dil: int
    in_row_bytes: int
    out_row_bytes: int
    channels: int = 0  # > 0: an int8 layer whose output has the input's shape (the channel-group scheme applies)
    pixels: int = 0  # in_h * in_w


@dataclass(frozen=True)
class BandSchedule:
    """An in-place depthwise node: bands of `band_rows` output rows, its two scratch slots in buffer `scratch`."""

    step: int
    buffer: str  # the input's buffer, which the output takes over
    band_rows: int
    scratch: str
    scratch_bytes: int
    geometry: Geometry
    channel_group: int = 0  # > 0: the channel-group scheme, this many channels at a time (band_rows unused)


def is_depthwise(node: Node) -> bool:
    if node.op == "depthwise_conv2d_s8":
        return True
    return node.op == "conv2d" and bool(node.attrs.get("depthwise")) and node.attrs.get("layout") == "NHWC"


def geometry(graph: Graph, node: Node) -> Geometry | None:
    """The node's band geometry, or None when the scheme does not apply (batch or depth multiplier not 1, another
    element size for the output, or an output bigger than the input)."""
    x, y, w = (graph.tensors[t] for t in (node.inputs[0], node.outputs[0], node.inputs[1]))
    if len(x.shape) != 4 or len(y.shape) != 4 or len(w.shape) != 4:
        return None
    (n, h, wd, c), (_, oh, ow, oc) = x.shape, y.shape
    if n != 1 or oc != c or DTYPE_BYTES[x.dtype] != DTYPE_BYTES[y.dtype] or y.nbytes > x.nbytes:
        return None
    e = DTYPE_BYTES[x.dtype]
    a = node.attrs
    same = (node.op == "depthwise_conv2d_s8" and y.shape == x.shape and list(a["strides"]) == [1, 1]
            and a.get("depth_multiplier", 1) == 1)
    return Geometry(h, oh, int(w.shape[1]), int(a["strides"][0]), int(a["pads"][0]), int(a["dilation"][0]),
                    wd * c * e, ow * oc * e, c if same else 0, h * wd)


def band_of(g: Geometry, o0: int, band_rows: int) -> tuple[int, int, int, int]:
    """(first input row, input rows, output rows, pad_top) of the band starting at output row o0: edgec_dw_band_of."""
    o1 = min(o0 + band_rows, g.out_h)
    top = o0 * g.stride - g.pad_top
    end = (o1 - 1) * g.stride - g.pad_top + (g.k_h - 1) * g.dil + 1
    r0 = max(top, 0)
    return r0, min(end, g.in_h) - r0, o1 - o0, r0 - top


def schedule_is_safe(g: Geometry, band_rows: int) -> bool:
    """Band j's copy (made after band j + 1 is computed) ends at byte o_{j+1} * out_row_bytes; every band from j + 2
    on reads from byte r0_{j+2} * in_row_bytes up (r0 grows with the band). Every band must read >= 1 row."""
    starts = list(range(0, g.out_h, band_rows))
    bands = [band_of(g, o0, band_rows) for o0 in starts]
    if any(rows < 1 for _, rows, _, _ in bands):
        return False
    for j in range(len(bands) - 2):
        copy_end = (starts[j] + bands[j][2]) * g.out_row_bytes
        if copy_end > bands[j + 2][0] * g.in_row_bytes:
            return False
    return True


def safe_band_rows(g: Geometry, at_least: int = 1) -> int | None:
    """The fewest output rows per band, from `at_least` on, for which the schedule is safe (the smallest scratch),
    or None if even that scratch (two bands) is not smaller than the output it saves."""
    rows = next((b for b in range(at_least, g.out_h + 1) if schedule_is_safe(g, b)), None)
    return rows if rows is not None and scratch_bytes(g, rows) < g.out_h * g.out_row_bytes else None


def scratch_bytes(g: Geometry, band_rows: int) -> int:
    return 2 * align_up(band_rows * g.out_row_bytes, SLOT_ALIGN)  # 2 * edgec_dw_slot_bytes


def channel_scratch_bytes(g: Geometry, group: int) -> int:
    """The channel-group scheme's scratch: the group's input and output planes (2 * edgec_dw_channels_slot_bytes)."""
    return 2 * align_up(group * g.pixels, SLOT_ALIGN)


def smallest_schedule(g: Geometry, step: int, buf: str, out: str) -> BandSchedule | None:
    """The scheme with the least scratch: bands of rows, or (int8, output shaped like the input) one channel at a
    time, when that is smaller than the output it saves."""
    rows = safe_band_rows(g)
    best = BandSchedule(step, buf, rows, f"{out}.bands", scratch_bytes(g, rows), g) if rows is not None else None
    if g.channels > 1:
        nbytes = channel_scratch_bytes(g, 1)
        if nbytes < g.out_h * g.out_row_bytes and (best is None or nbytes < best.scratch_bytes):
            best = BandSchedule(step, buf, 0, f"{out}.bands", nbytes, g, channel_group=1)
    return best


def candidates(graph: Graph, merged: dict[str, str]) -> dict[str, BandSchedule]:
    """{depthwise output: its schedule} for every depthwise node that may run in place, given the element-wise
    merges already made ({storage root: buffer root}, inplace.in_place_merges)."""
    last: dict[str, int] = {}

    def buffer_of(tensor: str) -> str:
        root = graph.storage_root(tensor)
        return merged.get(root, root)

    touched = [(-1, t) for t in graph.inputs]
    touched += [(s, t) for s, node in enumerate(graph.nodes) for t in node.inputs + node.outputs]
    touched += [(len(graph.nodes), t) for t in graph.outputs]
    for step, t in touched:
        if not graph.tensors[t].is_const:
            buf = buffer_of(t)
            last[buf] = max(last.get(buf, step), step)
    input_buffers = {buffer_of(t) for t in graph.inputs} | {buffer_of(t) for t in graph.state_tensors()}  # kept

    found: dict[str, BandSchedule] = {}
    for step, node in enumerate(graph.nodes):
        if not is_depthwise(node) or len(node.outputs) != 1:
            continue
        out, inp = node.outputs[0], node.inputs[0]
        if graph.tensors[out].alias_of is not None or out in graph.inputs or graph.tensors[inp].is_const:
            continue
        buf = buffer_of(inp)
        if buf in input_buffers or last[buf] != step or graph.tensors[buf].nbytes < graph.tensors[out].nbytes:
            continue
        g = geometry(graph, node)
        schedule = smallest_schedule(g, step, buf, out) if g is not None else None
        if schedule is not None:
            found[out] = schedule
    return found


def lower_bound(graph: Graph, merged: dict[str, str], buffers: list[Buffer]) -> int:
    """No plan, with any choice of in-place depthwise nodes, has a smaller arena. `buffers`: the buffers without
    any (liveness.buffers_of(graph, merged)). Running node d in place changes the live bytes at its own step by
    (its smallest scratch - its output buffer) and, where its input is larger (stride 2), adds bytes at later
    steps only; so the smallest live bytes at each step take every node in place at its own step and none
    elsewhere, and no choice has less at any step. (The plain largest-live-set bound is not one: a search that
    pruned with it would drop schedules whose peak is a depthwise layer that can run in place.)"""
    return max(lower_live_bytes(graph, merged, buffers), default=0)


def lower_live_bytes(graph: Graph, merged: dict[str, str], buffers: list[Buffer]) -> list[int]:
    """Per step (from step -1), the fewest bytes live there with any choice of in-place depthwise nodes (lower_bound)."""
    live = live_bytes_per_step(buffers, len(graph.nodes))
    size = {b.name: b.size for b in buffers}
    for out, s in candidates(graph, merged).items():
        root = graph.storage_root(out)
        live[s.step + 1] -= max(0, size[merged.get(root, root)] - s.scratch_bytes)
    return live


def apply(merged: dict[str, str], chosen: dict[str, BandSchedule]) -> tuple[dict[str, str], list[Buffer]]:
    """The merges with the chosen depthwise outputs folded into their inputs' buffers (and whatever was merged
    into those outputs following them), and the scratch buffers, each live at its node's step only."""
    result = dict(merged)
    for out, s in chosen.items():
        result[out] = s.buffer

    def resolve(root: str) -> str:  # chains: an op merged into a depthwise output follows it into the input's buffer
        while root in result:
            root = result[root]
        return root

    result = {key: resolve(root) for key, root in result.items()}
    scratch = [Buffer(s.scratch, s.scratch_bytes, s.step, s.step) for s in chosen.values()]
    return result, scratch


MODES = ("auto", "always", "never", "first")
FAR_FROM_PEAK = 0.75  # choose: a step with at most this share of the arena live is dropped in one batch


def choose(graph: Graph, merged: dict[str, str], place, baseline, mode: str = "auto"):
    """The plan with the in-place depthwise nodes that pay. "auto": all candidates first, then each dropped again
    if the arena does not grow without it (a band loop costs copies and calls, so none runs in place for nothing);
    kept only if the arena ends up strictly smaller than `baseline` (the plan without any). "always": every
    candidate (tests, and measuring the cost); "never": none; "first": every candidate if that is smaller than none
    (the patch search's quick estimate of a schedule's arena). `place(merges, extra buffers, schedules)` plans one
    variant and returns a MemoryPlan."""
    if mode not in MODES:
        raise EdgecError(f"[passes] depthwise_in_place = {mode!r}: expected one of {', '.join(MODES)}")
    found = candidates(graph, merged) if mode != "never" else {}
    if not found:
        return baseline
    chosen = dict(found)
    best = place(*apply(merged, chosen), chosen)
    if mode == "first":  # every candidate, if that beats none (the patch search's quick arena)
        return best if best.arena_bytes < baseline.arena_bytes else baseline
    if mode == "auto":
        # One plan first drops every node whose step holds far less than the arena even with nothing in place
        # (a patched stage has one per patch: a plan each was most of a patched compile's time).
        far = {o for o, s in found.items() if baseline.live_bytes[s.step + 1] <= FAR_FROM_PEAK * best.arena_bytes}
        if far:
            trial = {k: v for k, v in chosen.items() if k not in far}
            plan = place(*apply(merged, trial), trial) if trial else baseline
            if plan.arena_bytes <= best.arena_bytes:
                chosen, best = trial, plan
        for out in sorted(chosen, key=lambda o: found[o].step):
            trial = {k: v for k, v in chosen.items() if k != out}
            plan = place(*apply(merged, trial), trial) if trial else baseline
            if plan.arena_bytes <= best.arena_bytes:
                chosen, best = trial, plan
        if best.arena_bytes >= baseline.arena_bytes:
            return baseline
    return widen_bands(merged, place, chosen, best)


def widen_bands(merged: dict[str, str], place, chosen: dict[str, BandSchedule], best):
    """Taller bands where the arena has room for their scratch: each band is a kernel call (with its per-call set-up,
    e.g. the DSP kernel's weight tables) and a copy, so fewer bands cost fewer instructions. Band heights double
    (to the next safe one) while the arena does not grow; so do channel groups (a kernel call, a gather and a
    scatter each)."""
    for out in sorted(chosen, key=lambda o: chosen[o].step):
        while True:
            s = chosen[out]
            if s.channel_group:
                chosen, best = widen_channel_group(merged, place, chosen, best, out)
                break
            else:
                rows = safe_band_rows(s.geometry, 2 * s.band_rows)
                if rows is None:
                    break
                wider = replace(s, band_rows=rows, scratch_bytes=scratch_bytes(s.geometry, rows))
            trial = {**chosen, out: wider}
            plan = place(*apply(merged, trial), trial)
            if plan.arena_bytes > best.arena_bytes:
                break
            chosen, best = trial, plan
    return best


def widen_channel_group(merged: dict[str, str], place, chosen: dict[str, BandSchedule], best, out: str):
    """The widest channel group (a power of two, or all channels) whose planes fit the room the arena has at that
    step, halved until the plan agrees (the room may be in pieces): a plan or two per layer rather than one per
    doubling (MobileNetV2 1.0 / 224 has 17 such layers of up to 960 channels)."""
    s = chosen[out]
    g = s.geometry
    room = best.arena_bytes - best.live_bytes[s.step + 1] + s.scratch_bytes
    output = g.out_h * g.out_row_bytes
    group = s.channel_group
    while group < g.channels and channel_scratch_bytes(g, min(2 * group, g.channels)) <= room and \
            channel_scratch_bytes(g, min(2 * group, g.channels)) < output:
        group = min(2 * group, g.channels)
    while group > s.channel_group:
        trial = {**chosen, out: replace(s, channel_group=group, scratch_bytes=channel_scratch_bytes(g, group))}
        plan = place(*apply(merged, trial), trial)
        if plan.arena_bytes <= best.arena_bytes:
            return trial, plan
        group //= 2
    return chosen, best
