"""Patch-based scheduling (MCUNetV2, Lin et al. 2021): run the first stage of a CNN patch by patch.

The first layers of a CNN hold its largest activations. A stage (a run of spatially local nodes ending at a
split point, whose only tensor used after it is the stage output) is unrolled into n x n groups of per-patch
nodes: each group computes one window of the stage output from the windows of its inputs that the window needs
(the receptive field's halo included), and pastes it into the full stage output. A schedule may have several
stages one after the other, each with its own grid (`patch_stages`): a short stage over a later block whose
expansion is the layer-by-layer peak costs little recomputation (its halo is a pixel or two). Every per-patch
tensor lives for a few steps only, so the existing memory planners pack them into far less than the stage's full
tensors; the halo is computed more than once (MAC overhead).

The rewrite is plain IR, so liveness, the planners, the emitter and every kernel set work unchanged:
  - a per-patch node is a copy of the original over tile-shaped tensors. Kernels take in_h/in_w/out_h/out_w
    from the tensor shapes and skip taps outside [0, in_h) x [0, in_w), so a tile whose window was clipped at the
    image's bottom/right border needs no padding attribute there; at the top/left the copy's pads say how far
    the window starts above/left of the tile (only at the true border, where that is the original padding);
  - `crop` copies a window of a larger tensor into a tile where a consumer needs less than its producer's tile
    (a residual add's skip input, a full stage input), `paste` writes the stage output's tile into its window.
Node names are `<orig>@p<k>` (patch k in row-major order), `<orig>@p<k>/crop<i>` and `<orig>@p<k>/paste`.

A stage may instead run as n full-width row bands, top to bottom (`Bands`, written SPLIT:Nr): each band computes
only the rows of each tensor that no band above computed, and the rows it shares with the next band (the vertical
halo of a 3x3 window: one or two rows) are cropped into a small cache tensor and pasted back above the next band's
new rows (`<orig>@p<k>/cache`, `/cached`, `/rows`). The halo then costs bytes and copies, not MACs: no MAC is
computed twice, where an n x n grid recomputes its halo in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import EdgecError
from ..ir import Graph, Node, Tensor
from ..ops.macs import node_macs

# Ops whose output pixel (y, x) depends on a window of input pixels around (y * s, x * s): the attrs that say so.
WINDOW_OPS = {"conv2d", "pool2d", "conv2d_s8", "depthwise_conv2d_s8", "max_pool2d_s8", "avg_pool2d_s8"}
# Pointwise convolutions fused with a residual add (passes/fuse_conv_add.py): the 1x1 window reads the pixel it
# writes, and so does the residual (the last input), so one box serves both inputs.
CONV_ADD_OPS = {"conv2d_add_s8", "conv2d_add_q8"}
# Ops whose output pixel depends on the same pixel of every input (and on constants).
ELEMENTWISE_OPS = {"add", "sub", "mul", "div", "max", "min", "clamp", "leaky_relu", "sigmoid", "tanh",
                   "hard_sigmoid", "hard_swish", "sqrt", "add_s8", "mul_s8", "lut_s8", "add_q8",
                   "quantize_s8", "dequantize_s8"}


@dataclass(frozen=True)
class Box:
    """Rows [y0, y1) and columns [x0, x1) of an NHWC tensor."""

    y0: int
    y1: int
    x0: int
    x1: int

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    def union(self, other: "Box | None") -> "Box":
        if other is None:
            return self
        return Box(min(self.y0, other.y0), max(self.y1, other.y1), min(self.x0, other.x0), max(self.x1, other.x1))


@dataclass(frozen=True)
class Window:
    """How output pixels map to input pixels along one axis: out o reads in o * stride - pad + k * dil, k < size."""

    size: int
    stride: int
    dil: int
    pad: int


def spatial_windows(graph: Graph, node: Node) -> tuple[Window, Window] | None:
    """(rows, cols) windows of a window op; None for an element-wise or a pad node."""
    a = node.attrs
    if node.op in ("conv2d", "conv2d_s8", "depthwise_conv2d_s8") or node.op in CONV_ADD_OPS:
        w = graph.tensors[node.inputs[1]].shape
        kh, kw = (w[1], w[2])
        dil = a["dilation"]
    elif node.op == "pool2d":
        (kh, kw), dil = a["pool"], a["dilation"]
    elif node.op in ("max_pool2d_s8", "avg_pool2d_s8"):
        (kh, kw), dil = a["kernel"], (1, 1)
    else:
        return None
    return (Window(int(kh), int(a["strides"][0]), int(dil[0]), int(a["pads"][0])),
            Window(int(kw), int(a["strides"][1]), int(dil[1]), int(a["pads"][1])))


def is_activation_4d(graph: Graph, name: str) -> bool:
    t = graph.tensors[name]
    return t.alias_of is None and len(t.shape) == 4 and t.shape[0] == 1


def not_local_reason(graph: Graph, node: Node) -> str | None:
    """Why `node` cannot run patch by patch (None if it can)."""
    if len(node.outputs) != 1:
        return f"{node.op} has {len(node.outputs)} outputs"
    out = node.outputs[0]
    acts = [i for i in node.inputs if not graph.tensors[i].is_const]
    if not acts:
        return f"{node.op} has no activation input"
    if any(graph.tensors[t].alias_of is not None for t in acts + [out]):
        return "it reads or writes a view (reshape)"
    if not all(is_activation_4d(graph, t) for t in acts + [out]):
        return "its tensors are not 4-D with batch 1"
    if node.op in CONV_ADD_OPS:
        if acts != [node.inputs[0], node.inputs[-1]] or graph.tensors[acts[1]].shape != graph.tensors[out].shape:
            return f"{node.op} with non-constant weights"
        return None
    if node.op in WINDOW_OPS:
        if node.op in ("conv2d", "pool2d") and node.attrs.get("layout") != "NHWC":
            return f"{node.op} in layout {node.attrs.get('layout')}"
        if len(acts) != 1 or acts[0] != node.inputs[0]:
            return f"{node.op} with non-constant weights"
        if graph.tensors[acts[0]].shape[3] != graph.tensors[out].shape[3] and node.op not in (
                "conv2d", "conv2d_s8", "depthwise_conv2d_s8"):
            return f"{node.op} changes the channel count"
        return None
    if node.op == "pad":
        before = node.attrs["before"]
        if node.attrs["mode"] != "constant":
            return f"{node.attrs['mode']} padding reads across the whole tensor"
        if before[0] != 0 or before[3] != 0 or graph.tensors[acts[0]].shape[3] != graph.tensors[out].shape[3]:
            return "pad of the batch or channel axis"
        return None
    if node.op in ELEMENTWISE_OPS:
        if node.op in ("quantize_s8", "dequantize_s8") and node.attrs.get("nchw_to_nhwc"):
            return f"{node.op} transposes NCHW to NHWC"
        if any(graph.tensors[t].shape != graph.tensors[out].shape for t in acts):
            return f"{node.op} broadcasts an activation"
        for t in node.inputs if node.op != "lut_s8" else ():  # a table is indexed by value, not broadcast
            c = graph.tensors[t]
            if c.is_const and c.elems not in (1, graph.tensors[out].shape[3]):
                return f"{node.op} with a constant that is not per-tensor or per-channel"
            if c.is_const and c.elems > 1 and c.shape[-1] != c.elems:
                return f"{node.op} with a constant broadcast along a spatial axis"
        return None
    return f"{node.op} is not a spatially local operator"


@dataclass
class Stage:
    start: int  # first node index of the stage
    end: int  # last node index (the split point)
    output: str  # the only stage tensor read after the stage (or a graph output)


def local_reasons(graph: Graph) -> list[str | None]:
    """not_local_reason of every node."""
    return [not_local_reason(graph, nd) for nd in graph.nodes]


def stage_ending_at(graph: Graph, end: int, reasons: list[str | None] | None = None, first: int = 0) -> Stage | str:
    """The stage that ends after node `end`, or why there is none. The stage starts at the first node of the run of
    local nodes that ends there, or at node `first` (the node after an earlier stage's end); what it reads from
    before is read through crops."""
    if not 0 <= end < len(graph.nodes):
        return f"node index {end} is out of range (0 .. {len(graph.nodes) - 1})"
    if end < first:
        return f"it is not after the previous stage's split (node {first - 1})"
    reasons = reasons if reasons is not None else local_reasons(graph)
    if reasons[end]:
        return reasons[end]
    start = end
    while start > first and reasons[start - 1] is None:
        start -= 1
    inside = {o for n in graph.nodes[start:end + 1] for o in n.outputs}
    read_after = {graph.storage_root(i) for n in graph.nodes[end + 1:] for i in n.inputs}
    read_after |= {graph.storage_root(o) for o in graph.outputs}
    crossing = sorted(inside & read_after)
    if len(crossing) != 1:
        return (f"{len(crossing)} tensors of the stage are read after it ({', '.join(crossing)}); a split needs "
                "exactly one")
    viewed = {t.alias_of for t in graph.tensors.values() if t.alias_of is not None}
    if inside & viewed - {crossing[0]}:
        return "a view (reshape) of a tensor inside the stage"
    return Stage(start, end, crossing[0])


def valid_stages(graph: Graph, first: int = 0) -> list[Stage]:
    """Every stage that starts at node `first` or later (stage_ending_at)."""
    reasons = local_reasons(graph)
    return [s for s in (stage_ending_at(graph, e, reasons, first) for e in range(first, len(graph.nodes)))
            if isinstance(s, Stage)]


def split_ranges(size: int, n: int) -> list[tuple[int, int]]:
    """n near-equal ranges covering [0, size)."""
    return [(size * i // n, size * (i + 1) // n) for i in range(n)]


def axis_window(o0: int, o1: int, win: Window, size: int) -> tuple[int, int, int]:
    """Input range [i0, i1) (clipped to [0, size)) that outputs [o0, o1) read, and how far the first window
    starts before i0 (the per-patch pad)."""
    start = o0 * win.stride - win.pad
    end = (o1 - 1) * win.stride - win.pad + (win.size - 1) * win.dil + 1
    i0, i1 = max(start, 0), min(end, size)
    return i0, i1, i0 - start


def input_box(graph: Graph, node: Node, out_box: Box) -> tuple[Box, tuple[int, int]]:
    """The box of the node's activation input(s) that its output box reads, and the (top, left) pads/offsets of
    the per-patch copy."""
    x = graph.tensors[[i for i in node.inputs if not graph.tensors[i].is_const][0]]
    h, w = x.shape[1], x.shape[2]
    wins = spatial_windows(graph, node)
    if wins is not None:
        y0, y1, pt = axis_window(out_box.y0, out_box.y1, wins[0], h)
        x0, x1, pl = axis_window(out_box.x0, out_box.x1, wins[1], w)
        return Box(y0, y1, x0, x1), (pt, pl)
    if node.op == "pad":
        bt, bl = node.attrs["before"][1], node.attrs["before"][2]
        y0, y1 = max(out_box.y0 - bt, 0), min(out_box.y1 - bt, h)
        x0, x1 = max(out_box.x0 - bl, 0), min(out_box.x1 - bl, w)
        return Box(y0, max(y1, y0), x0, max(x1, x0)), (y0 - (out_box.y0 - bt), x0 - (out_box.x0 - bl))
    return out_box, (0, 0)


def patched_node(graph: Graph, node: Node, name: str, inputs: list[str], output: str, in_box: Box, out_box: Box,
                 offsets: tuple[int, int]) -> Node:
    """A copy of `node` computing `out_box` of its output from tiles of its inputs covering `in_box`."""
    # A shallow copy: what changes per patch is replaced (new lists, new values), never changed inside, and the
    # search builds tens of thousands of these (a deep copy of every attribute was most of its time).
    attrs = dict(node.attrs)
    pt, pl = offsets
    if node.op in CONV_ADD_OPS:
        pass  # 1x1, no padding: the tile's geometry is all it needs
    elif node.op in WINDOW_OPS:
        h, w = graph.tensors[node.inputs[0]].shape[1:3]
        pads = list(attrs["pads"])
        pads[0], pads[1] = pt, pl
        if len(pads) == 4:  # bottom / right: the original's where the tile reaches the border, else none needed
            pads[2] = pads[2] if in_box.y1 == h else 0
            pads[3] = pads[3] if in_box.x1 == w else 0
        attrs["pads"] = pads
    elif node.op == "pad":
        before = list(attrs["before"])
        before[1], before[2] = pt, pl
        attrs["before"] = before
    elif node.op in ("quantize_s8", "dequantize_s8"):
        attrs.update(n=1, c=1, hw=out_box.h * out_box.w * graph.tensors[node.outputs[0]].shape[3])
    if node.op == "depthwise_conv2d_s8":  # what ops/cost.py charges a stage's depthwise tiles for
        attrs["patch_tile"] = True
    return Node(node.op, inputs, [output], attrs, name)


def tile_inputs(g: Graph, node: Node, name: str, k: int, in_box: Box, source, crops: dict | None = None) -> list[str]:
    """The inputs of patch (or band) k's copy `name` of `node`, which reads `in_box` of each: constants as they
    are; source(t) -> (tensor, its box) for the rest, cropped to in_box where it holds more (with `crops`, one crop
    per window of a tensor, whoever reads it)."""
    inputs = []
    for j, t in enumerate(node.inputs):
        if g.tensors[t].is_const:
            inputs.append(t)
            continue
        src, have = source(t)
        if have == in_box:
            inputs.append(src)
            continue
        crop = None if crops is None else crops.get((src, in_box))
        if crop is None:
            crop = tile_tensor(g, f"{t}@p{k}_crop", t, in_box)
            g.nodes.append(Node("crop", [src], [crop], {"y0": in_box.y0 - have.y0, "x0": in_box.x0 - have.x0},
                                f"{name}/crop{j}"))
            if crops is not None:
                crops[(src, in_box)] = crop
        inputs.append(crop)
    return inputs


def tile_tensor(graph: Graph, base: str, like: str, box: Box) -> str:
    t = graph.tensors[like]
    name = graph.fresh_name(base)
    graph.add_tensor(Tensor(name, (1, box.h, box.w, t.shape[3]), t.dtype, quant=t.quant))
    return name


def full_box(graph: Graph, name: str) -> Box:
    _, h, w, _ = graph.tensors[name].shape
    return Box(0, h, 0, w)


class Bands(int):
    """A stage's schedule as n full-width row bands, top to bottom, each computing only the rows no earlier band
    computed: the rows a band shares with the next (the vertical halo) are kept in a small cache tensor instead of
    being computed again. No MAC overhead; the halo costs bytes (and copies) instead. Written SPLIT:Nr."""

    def __str__(self) -> str:
        return f"{int(self)}r"

    __repr__ = __str__


def grid_label(n: int) -> str:
    """How a stage's schedule reads in reports: '4x4' or '14 row bands'."""
    return f"{int(n)} row bands" if isinstance(n, Bands) else f"{n}x{n}"


def patch_stage(graph: Graph, stage: Stage, n: int) -> Graph:
    """The graph with `stage` run as an n x n grid of patches, or as n row bands (Bands) (a new Graph; tensors
    shared where unchanged)."""
    out = graph.tensors[stage.output]
    _, oh, ow, _ = out.shape
    if n < 1 or n > oh or (n > ow and not isinstance(n, Bands)):
        raise EdgecError(f"--patch: {'a ' + grid_label(n) + ' grid' if not isinstance(n, Bands) else grid_label(n)} "
                         f"{'does' if not isinstance(n, Bands) else 'do'} not fit the stage output {stage.output} "
                         f"({oh}x{ow} pixels)")
    nodes = graph.nodes[stage.start:stage.end + 1]
    produced = {o: i for i, nd in enumerate(nodes) for o in nd.outputs}
    g = Graph(dict(graph.tensors), list(graph.nodes[:stage.start]), list(graph.inputs), list(graph.outputs),
              graph.inputs_outside_arena)
    if isinstance(n, Bands):
        emit_bands(g, nodes, produced, stage.output, band_geometry(g, nodes, stage.output, n))
    else:
        k = 0
        for ry0, ry1 in split_ranges(oh, n):
            for rx0, rx1 in split_ranges(ow, n):
                emit_patch(g, nodes, produced, stage.output, Box(ry0, ry1, rx0, rx1), k)
                k += 1
    g.nodes += graph.nodes[stage.end + 1:]
    g.remove_unused_tensors()
    return g


def patch_stages(graph: Graph, stages: list[tuple[Stage, int]]) -> Graph:
    """The graph with each (stage, n) run as an n x n grid of patches. The stages are in order and do not overlap
    (each from the node after the previous one's split on); a later stage reads the earlier one's output, once it
    is whole, through crops like any tensor from before it. Patched last to first, so that each stage's node
    indices still hold when it is patched."""
    for stage, n in reversed(stages):
        graph = patch_stage(graph, stage, n)
    return graph


def emit_patch(g: Graph, nodes: list[Node], produced: dict[str, int], output: str, region: Box, k: int) -> None:
    # Backwards: the box of every stage tensor this patch needs (the union over its consumers in the stage).
    need: dict[str, Box] = {output: region}
    geometry: dict[int, tuple[Box, tuple[int, int]]] = {}
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        box = need.get(node.outputs[0])
        if box is None:
            continue  # nothing this patch needs comes from this node
        in_box, offsets = input_box(g, node, box)
        if in_box.h <= 0 or in_box.w <= 0:
            raise EdgecError(f"--patch: patch {k} of node '{node.name}' would read no input pixel (all padding)")
        geometry[i] = (in_box, offsets)
        for t in node.inputs:
            if not g.tensors[t].is_const:
                need[t] = in_box.union(need.get(t))
    # Forwards: per-patch nodes, with a crop wherever a consumer needs less than the tile (or tensor) it reads.
    tiles: dict[str, str] = {}
    crops: dict[tuple[str, Box], str] = {}  # one crop per window of a tensor, whoever reads it
    for i, node in enumerate(nodes):
        if i not in geometry:
            continue
        in_box, offsets = geometry[i]
        name = f"{node.name or node.outputs[0]}@p{k}"
        inputs = tile_inputs(g, node, name, k, in_box,
                             lambda t: (tiles[t], need[t]) if t in produced else (t, full_box(g, t)), crops)
        out_box = need[node.outputs[0]]
        tile = tile_tensor(g, f"{node.outputs[0]}@p{k}", node.outputs[0], out_box)
        tiles[node.outputs[0]] = tile
        g.nodes.append(patched_node(g, node, name, inputs, tile, in_box, out_box, offsets))
    g.nodes.append(Node("paste", [tiles[output]], [output], {"y0": region.y0, "x0": region.x0},
                        f"{nodes[-1].name or nodes[-1].outputs[0]}@p{k}/paste"))


@dataclass
class BandGeometry:
    need: dict[str, Box]  # every stage tensor's rows this band reads (stage tensors and those from before it)
    new: dict[str, Box]  # the rows of each stage tensor this band computes (the rest of `need` is cached)
    geometry: dict[int, tuple[Box, tuple[int, int]]]  # node index -> (input box, per-patch offsets) for `new`


def band_geometry(graph: Graph, nodes: list[Node], output: str, n: int, limit: int | None = None) -> list[BandGeometry]:
    """Each row band's boxes, top to bottom (the first `limit` bands only, if given): a node computes only the rows
    of its output below those computed by an earlier band, from the input rows those need."""
    _, oh, ow, _ = graph.tensors[output].shape
    done: dict[str, int] = {}  # stage tensor -> rows [0, done) computed by earlier bands
    bands = []
    for ry0, ry1 in split_ranges(oh, n)[:limit]:
        need: dict[str, Box] = {output: Box(ry0, ry1, 0, ow)}
        new: dict[str, Box] = {}
        geometry: dict[int, tuple[Box, tuple[int, int]]] = {}
        for i in range(len(nodes) - 1, -1, -1):
            node = nodes[i]
            t = node.outputs[0]
            box = need.get(t)
            if box is None or box.y1 <= done.get(t, 0):
                continue  # not needed, or every row it needs is cached
            rows = Box(max(box.y0, done.get(t, 0)), box.y1, box.x0, box.x1)
            in_box, offsets = input_box(graph, node, rows)
            if in_box.h <= 0 or in_box.w <= 0:
                raise EdgecError(f"--patch: a band of node '{node.name}' would read no input pixel (all padding)")
            new[t] = rows
            geometry[i] = (in_box, offsets)
            for inp in node.inputs:
                if not graph.tensors[inp].is_const:
                    need[inp] = in_box.union(need.get(inp))
        for t, rows in new.items():
            done[t] = rows.y1
        bands.append(BandGeometry(need, new, geometry))
    return bands


def emit_bands(g: Graph, nodes: list[Node], produced: dict[str, int], output: str, bands: list[BandGeometry]) -> None:
    """The per-band nodes. A stage tensor's band tile is its cached rows (pasted from the cache) followed by the rows
    the band computes (pasted from the node's tile); right after it is whole, the rows a later band reads again
    are cropped into the next cache, so the tile itself lives only as long as this band reads it."""
    cache: dict[str, tuple[str, Box]] = {}  # stage tensor -> (cache tensor, its rows)

    def next_start(k: int, t: str) -> int | None:
        """The first row of `t` the next band that reads `t` reads, if that band reads cached rows of it."""
        for later in bands[k + 1:]:
            if t in later.need:
                box = later.need[t]
                return box.y0 if t not in later.new or box.y0 < later.new[t].y0 else None
        return None

    def keep(k: int, t: str, src: str, have: Box, label: str) -> None:
        y0 = next_start(k, t)
        if y0 is None:
            cache.pop(t, None)
            return
        rows = Box(y0, have.y1, have.x0, have.x1)
        if rows == have:
            cache[t] = (src, have)
            return
        name = tile_tensor(g, f"{t}@p{k}_cache", t, rows)
        g.nodes.append(Node("crop", [src], [name], {"y0": y0 - have.y0, "x0": 0}, f"{label}/cache"))
        cache[t] = (name, rows)

    for k, band in enumerate(bands):
        tiles: dict[str, tuple[str, Box]] = {}
        for t, box in band.need.items():  # stage tensors this band reads from the cache only
            if t in produced and t not in band.new:
                tiles[t] = cache[t]
                keep(k, t, *cache[t], f"{t}@p{k}")
        for i, node in enumerate(nodes):
            if i not in band.geometry:
                continue
            in_box, offsets = band.geometry[i]
            name = f"{node.name or node.outputs[0]}@p{k}"
            inputs = tile_inputs(g, node, name, k, in_box, lambda t: tiles[t] if t in produced else (t, full_box(g, t)))
            t = node.outputs[0]
            rows, box = band.new[t], band.need[t]
            computed = tile_tensor(g, f"{t}@p{k}", t, rows)
            g.nodes.append(patched_node(g, node, name, inputs, computed, in_box, rows, offsets))
            if rows == box:
                tiles[t] = (computed, box)
            else:  # the cached rows above the computed ones
                cached, cbox = cache[t]
                whole = tile_tensor(g, f"{t}@p{k}_rows", t, box)
                if cbox.y0 != box.y0 or cbox.y1 != rows.y0:
                    raise EdgecError(f"--patch: internal error: band {k} of '{t}' expects cached rows "
                                     f"{box.y0}..{rows.y0}, the cache holds {cbox.y0}..{cbox.y1}")
                g.nodes.append(Node("paste", [cached], [whole], {"y0": 0, "x0": 0}, f"{name}/cached"))
                g.nodes.append(Node("paste", [computed], [whole], {"y0": rows.y0 - box.y0, "x0": 0}, f"{name}/rows"))
                tiles[t] = (whole, box)
            keep(k, t, *tiles[t], name)
        region = band.need[output]
        g.nodes.append(Node("paste", [tiles[output][0]], [output], {"y0": region.y0, "x0": 0},
                            f"{nodes[-1].name or nodes[-1].outputs[0]}@p{k}/paste"))


def stage_macs(graph: Graph, nodes: list[Node]) -> int:
    return sum(node_macs(graph, nd) for nd in nodes)


def resolve_split(graph: Graph, split: str, first: int = 0) -> Stage:
    """The stage ending at the node named `split` (as in the report) or at index `split`, starting at node `first`
    or later; EdgecError if none."""
    names = [nd.name or nd.outputs[0] for nd in graph.nodes]
    if split.lstrip("-").isdigit() and split not in names:
        end = int(split)
    else:
        matches = [i for i, nm in enumerate(names) if nm == split]
        if not matches:
            raise EdgecError(f"--patch: no node named '{split}' (see the per-layer report for node names, or give "
                             "an index)")
        if len(matches) > 1:
            raise EdgecError(f"--patch: {len(matches)} nodes are named '{split}' (indices "
                             f"{', '.join(map(str, matches))}): give the index")
        end = matches[0]
    stage = stage_ending_at(graph, end, first=first)
    if isinstance(stage, str):
        label = names[end] if 0 <= end < len(names) else split
        raise EdgecError(f"--patch: cannot split after node '{label}': {stage}")
    return stage
