"""What a patched stage costs, counted from its geometry without building it: what `--patch auto` searches by
(passes/patch_search.py).

patch_schedule.patch_stage unrolls a stage into n x n patches of nodes; building that graph for every split and
grid, and planning it, was most of the search's time. Everything the search weighs follows from the patches'
boxes, and those are separable: a patch's rows depend only on its row of the grid and its columns only on its
column (emit_patch's backward pass works per axis, and its union of boxes is their bounding box). So:
  - MACs and estimated instructions: a node's cost is linear in its tiles' pixels (ops/cost.py
    calls_instructions), so its n x n patches sum to one call with the product of the per-axis sums (one per
    tile size, where the size chooses the kernel's path: cost.plane_path), plus the
    pixels a conv kernel repeats to fill its last group, tile by tile; crops (where a
    consumer needs less than the tile it reads) and pastes are counted patch by patch. The figures are those of the
    built graph (tests/test_patch_schedule.py compares them).
  - memory: the bytes live at every step of every patch (its tiles and crops, with the element-wise merges the
    planner makes and the most an in-place depthwise layer could save, plus the tensors from before the stage
    that are live across it and the stage output once the first patch has pasted its tile) bound the arena from
    below inside the stage; outside the stages the live bytes are the layer-by-layer graph's. Where in doubt it
    counts less, so the bound holds whatever the planner does and the search may prune with it; the schedules it
    keeps are then built and planned for real.
A schedule of several stages costs the sum of its stages' extra MACs and instructions, and its bound is the
largest of its stages' and of the steps outside them.

A stage in row bands (patch_schedule.Bands) is the exception: it is built (one stage alone), and its extra
instructions and the fewest bytes live at any of its steps are read off the built graph; it computes no MAC twice.
Building it costs far more than counting a grid, so the search only weighs bands where the bytes live outside the
stage leave room to win.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import EdgecError
from ..ir import DTYPE_BYTES, IN_PLACE_INPUTS, IN_PLACE_OPS, Graph
from ..memory import inplace_depthwise
from ..memory.inplace import in_place_merges
from ..memory.liveness import align_up, buffers_of, live_bytes_per_step
from ..ops.cost import (calls_instructions, copy_instructions, graph_instructions, node_instructions,
                        repeated_pixel_instructions, tile_instructions)
from ..ops.macs import node_macs
from .patch_schedule import (CONV_ADD_OPS, Bands, Box, Stage, axis_window, band_geometry, local_reasons, patch_stage,
                             spatial_windows, split_ranges)


@dataclass(frozen=True)
class StageCost:
    """One stage in an n x n grid: its extra MACs and estimated instructions over running it layer by layer, and
    a lower bound on the bytes live at any step inside it."""

    stage: Stage
    n: int
    macs: int
    instructions: float
    peak: int


def axis_range(graph: Graph, node, axis: int, lo: int, hi: int) -> tuple[int, int, int]:
    """patch_schedule.input_box along one axis (0: rows, 1: columns): the input range [i0, i1) that outputs
    [lo, hi) read, and the per-patch pad before it."""
    x = graph.tensors[next(i for i in node.inputs if not graph.tensors[i].is_const)]
    size = x.shape[1 + axis]
    wins = spatial_windows(graph, node)
    if wins is not None:
        return axis_window(lo, hi, wins[axis], size)
    if node.op == "pad":
        b = node.attrs["before"][1 + axis]
        i0, i1 = max(lo - b, 0), min(hi - b, size)
        return i0, max(i1, i0), i0 - (lo - b)
    return lo, hi, 0


class GraphCounts:
    """The layer-by-layer graph's figures that every candidate schedule shares, and a cache of stage costs."""

    def __init__(self, graph: Graph, depthwise: str = "auto"):
        self.graph = graph
        self.depthwise = depthwise
        self.macs = sum(node_macs(graph, nd) for nd in graph.nodes) or 1
        self.instructions = graph_instructions(graph) or 1.0
        merged = in_place_merges(graph)
        buffers = buffers_of(graph, merged)
        self.live = (live_bytes_per_step(buffers, len(graph.nodes)) if depthwise == "never" else
                     inplace_depthwise.lower_live_bytes(graph, merged, buffers))  # index: step + 1
        # Each storage root's first and last step, unmerged: inside a patched stage no tile shares a buffer with a
        # tensor from before it, and merges among earlier tensors leave one of them live at any later step.
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}
        touched = [(-1, t) for t in graph.inputs]
        touched += [(s, t) for s, nd in enumerate(graph.nodes) for t in nd.inputs + nd.outputs]
        touched += [(len(graph.nodes), t) for t in graph.outputs]
        for step, t in touched:
            if graph.tensors[t].is_const:
                continue
            root = graph.storage_root(t)
            if graph.outside_arena(root) or graph.tensors[root].state:
                continue
            self.first[root] = min(self.first.get(root, step), step)
            self.last[root] = max(self.last.get(root, step), step)
        self.reasons = local_reasons(graph)
        self.cache: dict[tuple[int, int, int], StageCost | None] = {}
        self.peaks: dict[tuple[int, int, int], int] = {}
        self.floors: dict[tuple[int, int, int], int] = {}
        self.passes: dict = {}

    def outside(self, stages: list[Stage]) -> int:
        """The most bytes live at a step outside every stage (those steps are the layer-by-layer graph's)."""
        inside = [(s.start + 1, s.end + 1) for s in stages]
        return max((b for i, b in enumerate(self.live) if not any(a <= i <= e for a, e in inside)), default=0)

    def overheads(self, costs: list[StageCost]) -> tuple[float, float]:
        """(MAC overhead, estimated instruction overhead) of a schedule of these stages, whole model."""
        return (sum(c.macs for c in costs) / self.macs, sum(c.instructions for c in costs) / self.instructions)

    def stage_cost(self, stage: Stage, n: int) -> StageCost | None:
        """The stage in n x n patches, or None when the grid does not fit it (a patch would read no pixel). Its
        `peak` is counted on first use (`peak`): most candidates are over the overhead limit."""
        key = (stage.start, stage.end, n, isinstance(n, Bands))
        if key not in self.cache:
            self.cache[key] = self._band_cost(stage, n) if isinstance(n, Bands) else self._stage_cost(stage, n)
        return self.cache[key]

    def peak(self, cost: StageCost) -> int:
        if isinstance(cost.n, Bands):
            return cost.peak
        key = (cost.stage.start, cost.stage.end, cost.n)
        if key not in self.peaks:
            self.peaks[key] = self._peak(cost.stage, cost.n)
        return self.peaks[key]

    def band_floor(self, stage: Stage, n: Bands) -> int:
        """Fewer bytes than are live at some step of the stage in n row bands, counted from the bands' geometry
        without building them: in the second and third band, at each node's step, its input tiles and the rows it
        computes (only the larger of them where the kernel may write over its input: element-wise, a depthwise that
        may run in place, a conv fused with its residual add), the caches the nodes after it still paste, the whole
        stage output (pasted since the first band) and the tensors from before the stage read after it. The search
        checks it before building the bands."""
        key = (stage.start, stage.end, int(n))
        if key in self.floors:
            return self.floors[key]
        g = self.graph
        nodes = g.nodes[stage.start:stage.end + 1]
        produced = {nd.outputs[0] for nd in nodes}
        floor = self._background(stage)[0] + align_up(g.tensors[stage.output].nbytes)
        inside = 0
        try:
            bands = band_geometry(g, nodes, stage.output, n, limit=3)
        except EdgecError:
            bands = []

        def nbytes(t: str, box) -> int:
            _, _, w, c = g.tensors[t].shape
            return align_up(box.h * box.w * c * DTYPE_BYTES[g.tensors[t].dtype]) if box.h > 0 else 0

        for band in bands[1:]:
            caches = {t: nbytes(t, Box(box.y0, band.new[t].y0, box.x0, box.x1))  # pasted above the new rows
                      for t, box in band.need.items() if t in band.new}
            later = sum(caches.values())
            for i in sorted(band.geometry):
                node = nodes[i]
                t = node.outputs[0]
                later -= caches.get(t, 0)
                ins = [nbytes(x, band.need[x]) if x in produced else nbytes(x, band.geometry[i][0])
                       for x in node.inputs if not g.tensors[x].is_const and not g.outside_arena(x)]
                out = nbytes(t, band.new[t])
                may_overwrite = (node.op in IN_PLACE_OPS or node.op in IN_PLACE_INPUTS
                                 or (node.op == "depthwise_conv2d_s8" and self.depthwise != "never"))
                step = max(ins + [out]) if may_overwrite else sum(ins) + out
                inside = max(inside, step + max(later, 0))
        self.floors[key] = floor + inside
        return self.floors[key]

    def _band_cost(self, stage: Stage, n: Bands) -> StageCost | None:
        """The stage in n row bands, built: its extra MACs (none but the graph's own rounding) and instructions, and
        the fewest bytes live at any step inside it (in-place depthwise savings taken off, as for the whole graph)."""
        g = self.graph
        if n > g.tensors[stage.output].shape[1]:
            return None
        try:
            patched = patch_stage(g, stage, n)
        except EdgecError:
            return None  # a band would read no input pixel
        merged = in_place_merges(patched)
        buffers = buffers_of(patched, merged)
        live = (live_bytes_per_step(buffers, len(patched.nodes)) if self.depthwise == "never" else
                inplace_depthwise.lower_live_bytes(patched, merged, buffers))
        last = stage.end + len(patched.nodes) - len(g.nodes)  # the stage's last step in the patched graph
        inside, before = patched.nodes[stage.start:last + 1], g.nodes[stage.start:stage.end + 1]
        macs = sum(node_macs(patched, nd) for nd in inside) - sum(node_macs(g, nd) for nd in before)
        instructions = (sum(node_instructions(patched, nd) for nd in inside)
                        - sum(node_instructions(g, nd) for nd in before))
        return StageCost(stage, n, macs, instructions, max(live[stage.start + 1:last + 2]))

    def _geometry(self, stage: Stage, n: int):
        """Per row and per column of the grid: (ranges needed, input ranges) of emit_patch's backward pass, the
        stage's nodes that are used, and each axis entry's signature (None if a patch would read no pixel)."""
        g = self.graph
        _, oh, ow, _ = g.tensors[stage.output].shape
        if n > oh or n > ow:
            return None
        rows = [self._axis_pass(stage, 0, lo, hi) for lo, hi in split_ranges(oh, n)]
        cols = [self._axis_pass(stage, 1, lo, hi) for lo, hi in split_ranges(ow, n)]
        if any(r is None for r in rows + cols):
            return None
        used = [i for i in range(stage.start, stage.end + 1) if i in rows[0][1]]
        rsig = [self._signature(used, 0, need, geo) for need, geo in rows]
        csig = [self._signature(used, 1, need, geo) for need, geo in cols]
        return rows, cols, used, rsig, csig

    def _stage_cost(self, stage: Stage, n: int) -> StageCost | None:
        g = self.graph
        geometry = self._geometry(stage, n)
        if geometry is None:
            return None
        rows, cols, used, rsig, csig = geometry
        macs, instructions = 0, 0.0
        for i in used:
            node = g.nodes[i]
            o = node.outputs[0]
            _, h, w, c = g.tensors[o].shape
            first_in = g.tensors[node.inputs[0]]
            full = node_macs(g, node)
            # the tiles by their output size (rows, columns), which can choose the kernel's path (cost.plane_path):
            # tile count, output pixels and input pixels of each size
            sizes: dict[tuple[int, int], list[int]] = {}
            for r in rows:
                for k in cols:
                    hw = (r[0][o][1] - r[0][o][0], k[0][o][1] - k[0][o][0])
                    acc = sizes.setdefault(hw, [0, 0, 0])
                    acc[0] += 1
                    acc[1] += hw[0] * hw[1]
                    acc[2] += (r[1][i][1] - r[1][i][0]) * (k[1][i][1] - k[1][i][0])
            for hw, (calls, out_px, in_px) in sizes.items():
                tile_macs = full // (h * w) * out_px
                macs += tile_macs
                in_elems = calls * first_in.elems if first_in.is_const else in_px * first_in.shape[3]
                instructions += (calls_instructions(g, node, calls, tile_macs, out_px * c, in_elems, hw)
                                 + tile_instructions(g, node, calls, out_px * c, hw))
            macs -= full
            tiles = [(r[0][o][1] - r[0][o][0]) * (k[0][o][1] - k[0][o][0]) for r in rows for k in cols]
            instructions += repeated_pixel_instructions(g, node, tiles) - node_instructions(g, node)
        out = g.tensors[stage.output]
        instructions += copy_instructions(n * out.shape[1], out.nbytes)  # each column of patches pastes every row
        pixel_bytes = [g.tensors[t].shape[3] * DTYPE_BYTES[g.tensors[t].dtype]
                       for i in used for t in g.nodes[i].inputs if not g.tensors[t].is_const]
        kinds: dict = {}
        for rs in rsig:
            for cs in csig:
                kinds[(rs, cs)] = kinds.get((rs, cs), 0) + 1
        for (rs, cs), count in kinds.items():  # crops: where a read's window is not its tile, once per window
            windows = {}
            for (_, rlen, req, rcls), (_, clen, ceq, ccls), nbytes in zip(rs[0], cs[0], pixel_bytes):
                if not (req and ceq):
                    windows[(rcls, ccls)] = (rlen, rlen * clen * nbytes)
            instructions += count * copy_instructions(sum(r for r, _ in windows.values()),
                                                      sum(b for _, b in windows.values()))
        return StageCost(stage, n, macs, instructions, 0)

    def _peak(self, stage: Stage, n: int) -> int:
        rows, cols, used, rsig, csig = self._geometry(stage, n)
        background, dying = self._background(stage)
        out_bytes = align_up(self.graph.tensors[stage.output].nbytes)
        # Patches whose rows (columns) have the same lengths and the same crops hold the same bytes: one count per
        # kind of row times kind of column (a grid's inner rows are mostly alike).
        counted: dict = {}
        peak = 0
        for r, (rneed, rgeo) in enumerate(rows):
            for c, (cneed, cgeo) in enumerate(cols):
                key = (rsig[r], csig[c])
                if key not in counted:
                    live = self._patch(stage, used, rneed, rgeo, cneed, cgeo)
                    counted[key] = (max(live), max(live[:-1]), live[-1])
                most, before_paste, at_paste = counted[key]
                base = background + (0 if r == c == n - 1 else dying)  # they die in the last patch
                if r == c == 0:  # the stage output is live from the first paste on
                    peak = max(peak, before_paste + base, at_paste + base + out_bytes)
                else:
                    peak = max(peak, most + base + out_bytes)
        return peak

    def _axis_pass(self, stage: Stage, axis: int, lo: int, hi: int):
        """emit_patch's backward pass along one axis for the patch covering [lo, hi) of the stage output: the range
        of each tensor the patch needs, and each used node's input range and pad (by node index); None if a patch
        would read no input pixel. The pass from the split back does not depend on where the stage starts: one
        pass back to the start of the run of local nodes serves every stage ending there."""
        key = (stage.end, axis, lo, hi)
        if key not in self.passes:
            self.passes[key] = self._full_axis_pass(stage, axis, lo, hi)
        need, geo, empty = self.passes[key]
        if any(i >= stage.start for i in empty):
            return None
        return need, {i: v for i, v in geo.items() if i >= stage.start}

    def _full_axis_pass(self, stage: Stage, axis: int, lo: int, hi: int):
        g = self.graph
        need = {stage.output: (lo, hi)}
        geo: dict[int, tuple[int, int, int]] = {}
        empty = []
        i = stage.end
        while i >= 0 and self.reasons[i] is None:
            node = g.nodes[i]
            box = need.get(node.outputs[0])
            if box is not None:
                i0, i1, pad = axis_range(g, node, axis, *box)
                if i1 <= i0:
                    empty.append(i)
                    break
                geo[i] = (i0, i1, pad)
                for t in node.inputs:
                    if not g.tensors[t].is_const:
                        a = need.get(t)
                        need[t] = (i0, i1) if a is None else (min(a[0], i0), max(a[1], i1))
            i -= 1
        return need, geo, empty

    def _signature(self, used: list[int], axis: int, need: dict, geo: dict) -> tuple:
        """What one axis of a patch contributes to its count: for every read, the length of the tile it reads and
        of the window it needs, whether they are the same (no crop), and which window of that tensor it is; and the
        length of every output tile."""
        g = self.graph
        reads, outs, seen = [], [], {}
        produced = {g.nodes[i].outputs[0] for i in used}
        for i in used:
            i0, i1, _ = geo[i]
            for t in g.nodes[i].inputs:
                if g.tensors[t].is_const:
                    continue
                have = need[t] if t in produced else (0, g.tensors[t].shape[1 + axis])
                reads.append((have[1] - have[0], i1 - i0, have == (i0, i1), seen.setdefault((t, i0, i1), len(seen))))
            o = g.nodes[i].outputs[0]
            outs.append(need[o][1] - need[o][0])
        return tuple(reads), tuple(outs)

    def _background(self, stage: Stage) -> tuple[int, int]:
        """Bytes of the tensors from before the stage that are live in it: (read after it too, read only in it).
        The latter are counted in every patch but the last (where they die at some step)."""
        across = dying = 0
        for root, first in self.first.items():
            if first < stage.start <= self.last[root]:
                size = align_up(self.graph.tensors[root].nbytes)
                if self.last[root] > stage.end:
                    across += size
                else:
                    dying += size
        return across, dying

    def _patch(self, stage: Stage, used: list[int], rneed, rgeo, cneed, cgeo) -> list[int]:
        """The bytes one patch's own buffers hold at each of its steps (the crops, nodes and paste in emit_patch's
        order), less what in-place depthwise layers could save."""
        g = self.graph
        nodes = g.nodes
        produced = {nodes[i].outputs[0] for i in used}

        def box(t: str):
            if t in produced:
                return rneed[t], cneed[t]
            _, h, w, _ = g.tensors[t].shape
            return (0, h), (0, w)

        def nbytes(t: str, b) -> int:
            tt = g.tensors[t]
            return (b[0][1] - b[0][0]) * (b[1][1] - b[1][0]) * tt.shape[3] * DTYPE_BYTES[tt.dtype]

        # steps: (buffer written or None, buffers read, size written, scratch, node index or None)
        steps: list[tuple] = []
        crops: dict = {}
        for i in used:
            node = nodes[i]
            ib = ((rgeo[i][0], rgeo[i][1]), (cgeo[i][0], cgeo[i][1]))
            reads = []
            for t in node.inputs:
                if g.tensors[t].is_const:
                    continue
                src = t if t in produced else None  # None: a tensor from before the stage (background)
                if box(t) == ib:
                    reads.append(src)
                    continue
                key = (t, ib)
                if key not in crops:
                    crops[key] = key
                    steps.append((key, [src], align_up(nbytes(t, ib)), 0, None))
                reads.append(key)
            o = node.outputs[0]
            ob = (rneed[o], cneed[o])
            scratch = align_up((ob[1][1] - ob[1][0]) * g.tensors[o].shape[3]) if node.op in CONV_ADD_OPS else 0
            steps.append((o, reads, align_up(nbytes(o, ob)), scratch, i))
        steps.append((None, [stage.output], 0, 0, None))  # the paste

        last: dict = {}
        for k, (_, reads, _, _, _) in enumerate(steps):
            for b in reads:
                if b is not None:
                    last[b] = k
        group: dict = {}  # buffer -> the buffer whose memory it takes over (element-wise in place)
        group_last: dict = {}

        def root(b):
            while b in group:
                b = group[b]
            return b

        size_of = {}
        live = [0] * len(steps)
        saved = [0] * len(steps)
        for k, (written, reads, size, scratch, i) in enumerate(steps):
            live[k] += scratch
            if written is None:
                continue
            size_of[written] = size
            merged = None
            if i is not None and (nodes[i].op in IN_PLACE_OPS or nodes[i].op in IN_PLACE_INPUTS):
                only = IN_PLACE_INPUTS.get(nodes[i].op)
                acts = [t for t in nodes[i].inputs if not g.tensors[t].is_const]
                candidates = reads
                if only is not None:  # the one input it may write over (reads: one per activation input)
                    candidates = [reads[acts.index(nodes[i].inputs[only])]] if nodes[i].inputs[only] in acts else []
                for b in candidates:
                    rb = root(b) if b is not None else None
                    if rb is not None and size_of.get(rb) == size and group_last.get(rb, last.get(rb)) == k:
                        merged = rb
                        break
            if merged is not None:
                group[written] = merged
                group_last[merged] = max(group_last.get(merged, last[merged]), last.get(written, k))
                continue
            if i is not None and self.depthwise != "never" and inplace_depthwise.is_depthwise(nodes[i]) and reads:
                saved[k] = self._depthwise_saving(nodes[i], reads[0], root, group_last, last, size_of, k, steps)
            for s in range(k, max(last.get(written, k), k) + 1):
                live[s] += size
        # a merged group lives to its group's last use: extend where a member outlived the root's own last read
        for rb, gl in group_last.items():
            own = max(last.get(rb, 0), next(k for k, st in enumerate(steps) if st[0] == rb))
            for s in range(own + 1, gl + 1):
                live[s] += size_of[rb]
        return [b - s for b, s in zip(live, saved)]

    def _depthwise_saving(self, node, read, root, group_last, last, size_of, k, steps) -> int:
        """What running this depthwise tile over its input tile could save at its step at most (its output less
        the smallest scratch), if its input's buffer dies there (inplace_depthwise.candidates)."""
        if read is None:
            return 0
        rb = root(read)
        if group_last.get(rb, last.get(rb)) != k:
            return 0
        written = steps[k][0]
        g = self.graph
        x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
        if x.shape[3] != y.shape[3] or DTYPE_BYTES[x.dtype] != DTYPE_BYTES[y.dtype]:
            return 0
        return size_of[written]  # at most the whole output (the scratch is never negative): a valid bound
