"""TFLite Micro's builtin operators beyond the MLPerf Tiny set, int8, bit-exact with the tflite-micro package.

Each test writes one model (tests/tflite_builder.py) that holds many one-operator branches, each on its own
graph input of a random shape (seeded), so that one compile, one host build (with the sanitizers) and one
TFLite Micro session cover every operator and option of a family. Every output must equal TFLite Micro's bit
for bit, on random int8 inputs."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.pipeline import CompileOptions, compile_model

from conftest import COMPILERS, assert_compiles_warning_free
from tflite_builder import TFLiteBuilder

RUNS = 8


def _opts(cls, **fields):
    o = getattr(schema, cls)()
    for k, v in fields.items():
        setattr(o, k, v)
    return o


def _shape(rng, rank: int, lo: int = 1, hi: int = 6) -> list[int]:
    return [int(d) for d in rng.integers(lo, hi + 1, rank)]


def _ints(b: TFLiteBuilder, values, dtype: str = "int32") -> int:
    data = np.asarray(values, dtype)
    return b.tensor(list(data.shape), dtype, data=data)


class Model:
    """A multi-branch model: each branch an int8 graph input and one operator."""

    def __init__(self, seed: int):
        self.b = TFLiteBuilder(seed=seed)
        self.rng = self.b.rng
        self.inputs: list[int] = []
        self.outputs: list[int] = []
        self.labels: list[str] = []
        self.index_limits: dict[int, int] = {}  # int32 graph inputs (run-time indices): their values lie in [0, n)
        self.nonzero: set[int] = set()  # int8 graph inputs that must not hold their zero point (DIV's divisors)
        # output position -> f(batch): the elements where TFLite's arithmetic is undefined, and edgec's value there
        self.undefined: dict[int, object] = {}

    def input(self, shape) -> int:
        x = self.b.act(shape)
        self.inputs.append(x)
        return x

    def same(self, x: int, shape) -> int:
        """An output tensor quantized like x (data movement keeps the quantisation)."""
        return self.b.act(list(shape), *self.b.quant(x))

    def add(self, label: str, kind: str, ins: list[int], outs: list[int], options=None) -> None:
        self.b.op(kind, ins, outs, options)
        self.outputs += outs
        self.labels += [f"{label}[{k}]" if len(outs) > 1 else label for k in range(len(outs))]


def _padding_of_space_to_batch(shape, block, pads, out, zero_point):
    """Where SPACE_TO_BATCH_ND's output is padding: TFLite Micro pads with params.output_offset, which it never
    sets (uninitialised memory); edgec pads with the output's zero point, a real 0, as LiteRT does."""
    padded = np.pad(np.zeros(shape, bool), [[0, 0], *pads] + [[0, 0]] * (len(shape) - 1 - len(block)),
                    constant_values=True)
    if len(shape) == 3:
        padded, block = padded[:, :, None, :], [block[0], 1]
    n, h, w, c = padded.shape
    bh, bw = block
    mask = padded.reshape(n, h // bh, bh, w // bw, bw, c).transpose(2, 4, 0, 1, 3, 5).reshape(out[:1] + [
        h // bh, w // bw, c])
    return lambda batch: (mask.reshape(out), zero_point)


def movement_model(m: Model) -> None:
    rng, b = m.rng, m.b
    for rank in (2, 3, 4, 5):  # TRANSPOSE, random permutations
        shape = _shape(rng, rank)
        perm = rng.permutation(rank)
        x = m.input(shape)
        m.add(f"transpose{perm.tolist()}", "TRANSPOSE", [x, _ints(b, perm)], [m.same(x, np.array(shape)[perm])])
    for rank in (1, 3, 4):  # SLICE, size -1 included
        shape = _shape(rng, rank, 2, 7)
        begin = [int(rng.integers(0, d)) for d in shape]
        size = [int(rng.integers(1, d - s + 1)) if rng.random() < 0.7 else -1 for d, s in zip(shape, begin)]
        out = [d - s if n == -1 else n for d, s, n in zip(shape, begin, size)]
        x = m.input(shape)
        m.add(f"slice{begin}{size}", "SLICE", [x, _ints(b, begin), _ints(b, size)], [m.same(x, out)])
    # STRIDED_SLICE: negative strides and indices, begin / end / shrink masks
    for shape, begin, end, strides, masks in (
            ([1, 9, 8, 5], [0, 1, -1, 0], [1, 8, 0, 5], [1, 2, -2, 1], dict(beginMask=0, endMask=0)),
            ([6, 7, 4], [5, 0, 1], [0, 7, 4], [-1, 3, 1], dict(beginMask=0b010, endMask=0b001)),
            ([2, 5, 6, 3], [1, 0, 2, 0], [2, 5, 6, 3], [1, 1, 1, 2], dict(shrinkAxisMask=0b0001)),
            ([4, 10], [-3, 9], [100, -100], [1, -4], dict(beginMask=0, endMask=0))):
        x = m.input(shape)
        flat = np.arange(np.prod(shape)).reshape(shape)
        idx = tuple(slice(None if masks.get("beginMask", 0) >> a & 1 else s,
                          None if masks.get("endMask", 0) >> a & 1 else e, st)
                    for a, (s, e, st) in enumerate(zip(begin, end, strides)))
        out = flat[idx]
        if masks.get("shrinkAxisMask"):
            out = out[0]
        m.add(f"strided_slice{begin}{end}{strides}", "STRIDED_SLICE",
              [x, _ints(b, begin), _ints(b, end), _ints(b, strides)], [m.same(x, out.shape)],
              _opts("StridedSliceOptionsT", **masks))
    x = m.input([2, 6, 3])  # SPLIT on axis 1 into 3, SPLIT_V on axis -1 with a -1 size
    m.add("split", "SPLIT", [_ints(b, [1]), x], [m.same(x, [2, 2, 3]) for _ in range(3)],
          _opts("SplitOptionsT", numSplits=3))
    x = m.input([3, 4, 7])
    m.add("split_v", "SPLIT_V", [x, _ints(b, [2, -1, 1]), _ints(b, [-1])],
          [m.same(x, [3, 4, n]) for n in (2, 4, 1)], _opts("SplitVOptionsT", numSplits=3))
    x = m.input([3, 5, 2])  # UNPACK along axis 1; PACK of two inputs along axis 2
    m.add("unpack", "UNPACK", [x], [m.same(x, [3, 2]) for _ in range(5)], _opts("UnpackOptionsT", num=5, axis=1))
    x1, x2 = m.input([4, 3]), None
    x2 = m.b.act([4, 3], *m.b.quant(x1))
    m.inputs.append(x2)
    m.add("pack", "PACK", [x1, x2, x1], [m.same(x1, [4, 3, 3])], _opts("PackOptionsT", valuesCount=3, axis=2))
    for axis, indices in ((0, [2, 0, 0, 3]), (2, [[1, 4], [0, 2], [3, 3]]), (-1, [5, 4, 3, 2, 1, 0])):  # GATHER
        shape = [4, 3, 6] if axis != -1 else [2, 6]
        x = m.input(shape)
        out = np.take(np.zeros(shape), np.array(indices), axis=axis).shape
        m.add(f"gather{axis}", "GATHER", [x, _ints(b, indices)], [m.same(x, out)], _opts("GatherOptionsT", axis=axis))
    for indices in ([[2, 0], [1, 4], [0, 0]], [[[1], [2]], [[0], [2]]]):  # GATHER_ND, whole or partial index
        x = m.input([3, 5, 4])
        idx = np.array(indices)
        out = list(idx.shape[:-1]) + [3, 5, 4][idx.shape[-1]:]
        m.add(f"gather_nd{idx.shape}", "GATHER_ND", [x, _ints(b, idx)], [m.same(x, out)])
    table = b.tensor([7, 6], "int8", 0.02, 3, data=rng.integers(-128, 128, [7, 6], dtype=np.int8))
    ids = b.tensor([4], "int32")  # EMBEDDING_LOOKUP of a table in the file by run-time and constant ids
    m.inputs.append(ids)
    m.index_limits[ids] = 7
    m.add("embedding_lookup", "EMBEDDING_LOOKUP", [ids, table], [m.same(table, [4, 6])])
    m.add("embedding_lookup_const", "EMBEDDING_LOOKUP", [_ints(b, [6, 0, 6]), table], [m.same(table, [3, 6])])
    x = m.input([3, 5, 4])  # GATHER with indices computed at run time (a graph input here)
    idx = b.tensor([2, 3], "int32")
    m.inputs.append(idx)
    m.index_limits[idx] = 5
    m.add("gather_runtime", "GATHER", [x, idx], [m.same(x, [3, 2, 3, 4])], _opts("GatherOptionsT", axis=1))
    x = m.input([1, 3, 2, 12])  # DEPTH_TO_SPACE, SPACE_TO_DEPTH
    m.add("depth_to_space", "DEPTH_TO_SPACE", [x], [m.same(x, [1, 6, 4, 3])],
          _opts("DepthToSpaceOptionsT", blockSize=2))
    x = m.input([2, 6, 9, 2])
    m.add("space_to_depth", "SPACE_TO_DEPTH", [x], [m.same(x, [2, 2, 3, 18])],
          _opts("SpaceToDepthOptionsT", blockSize=3))
    for mode, pads in ((0, [[0, 0], [2, 1], [0, 3], [1, 0]]), (1, [[1, 0], [0, 2], [3, 3], [0, 0]])):  # MIRROR_PAD
        x = m.input([2, 4, 5, 3])
        out = np.pad(np.zeros([2, 4, 5, 3]), pads, mode="reflect" if mode == 0 else "symmetric").shape
        m.add(f"mirror_pad{mode}", "MIRROR_PAD", [x, _ints(b, pads)], [m.same(x, out)],
              _opts("MirrorPadOptionsT", mode=mode))
    for shape, axis in (([3, 4, 5], [1]), ([2, 6], [-1]), ([4, 2, 3, 2], [0])):  # REVERSE_V2
        x = m.input(shape)
        m.add(f"reverse{shape}{axis}", "REVERSE_V2", [x, _ints(b, axis)], [m.same(x, shape)])
    for shape, block, crops, out in (([8, 2, 3, 2], [2, 2], [[1, 0], [0, 2]], [2, 3, 4, 2]),
                                     ([6, 3, 2], [3], [[2, 1]], [2, 6, 2])):  # BATCH_TO_SPACE_ND
        x = m.input(shape)
        m.add(f"batch_to_space{shape}{block}{crops}", "BATCH_TO_SPACE_ND", [x, _ints(b, block), _ints(b, crops)],
              [m.same(x, out)])
    for shape, block, pads, out in (([1, 4, 5, 2], [2, 2], [[1, 1], [0, 1]], [4, 3, 3, 2]),
                                    ([2, 5, 3], [3], [[1, 0]], [6, 2, 3])):  # SPACE_TO_BATCH_ND, zero-point padded
        x = m.input(shape)
        y = m.same(x, out)
        m.undefined[len(m.outputs)] = _padding_of_space_to_batch(shape, block, pads, out, b.quant(y)[1])
        m.add(f"space_to_batch{shape}{block}{pads}", "SPACE_TO_BATCH_ND", [x, _ints(b, block), _ints(b, pads)], [y])
    for shape, to in (([3, 1], [2, 3, 4]), ([1, 5], [4, 5])):  # BROADCAST_TO
        x = m.input(shape)
        m.add(f"broadcast_to{shape}{to}", "BROADCAST_TO", [x, _ints(b, to)], [m.same(x, to)])
    for at in ([2, -1, 5], None):  # DYNAMIC_UPDATE_SLICE: start indices clamped, known before or at run time
        x = m.input([3, 5, 4])
        update = m.b.act([2, 2, 3], *m.b.quant(x))
        m.inputs.append(update)
        if at is None:
            start = b.tensor([3], "int32")
            m.inputs.append(start)
            m.index_limits[start] = 6
        else:
            start = _ints(b, at, "int64")
        m.add(f"dynamic_update_slice{at}", "DYNAMIC_UPDATE_SLICE", [x, update, start], [m.same(x, [3, 5, 4])])
    x = m.input([2, 3, 4])  # folded at compile time: SHAPE, FILL (TFLite Micro's dims are constant), ZEROS_LIKE,
    m.add("shape", "SHAPE", [x], [b.tensor([3], "int32")],  # BROADCAST_ARGS
          _opts("ShapeOptionsT", outType=schema.TensorType.INT32))
    m.add("fill", "FILL", [_ints(b, [2, 3, 4]), b.tensor([], "int8", *b.quant(x), data=np.array(-37, np.int8))],
          [m.same(x, [2, 3, 4])])
    m.add("zeros_like", "ZEROS_LIKE", [x], [m.same(x, [2, 3, 4])])
    m.add("broadcast_args", "BROADCAST_ARGS", [_ints(b, [3, 1, 5]), _ints(b, [4, 1])], [b.tensor([3], "int32")])
    m.add("cast", "CAST", [x], [b.tensor([2, 3, 4], "float32")])  # the stored values, not dequantized
    x = m.input([1, 4, 2, 3])  # RESHAPE, SQUEEZE and EXPAND_DIMS are views
    m.add("expand_dims", "EXPAND_DIMS", [x, _ints(b, [2])], [m.same(x, [1, 4, 1, 2, 3])])


def resize_model(m: Model) -> None:
    """RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR, up and down, with each coordinate mode."""
    rng, b = m.rng, m.b
    modes = ((False, False), (True, False), (False, True))
    for kind, cls in (("RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighborOptionsT"),
                      ("RESIZE_BILINEAR", "ResizeBilinearOptionsT")):
        for align, half in modes:
            for _ in range(2):
                shape = [int(rng.integers(1, 3)), *_shape(rng, 2, 1, 7), int(rng.integers(1, 5))]
                size = _shape(rng, 2, 1, 13)
                x = m.input(shape)
                m.add(f"{kind.lower()}{shape}->{size} align={align} half={half}", kind, [x, _ints(b, size)],
                      [m.same(x, [shape[0], *size, shape[3]])],
                      _opts(cls, alignCorners=align, halfPixelCenters=half))


def _broadcast_pair(rng) -> tuple[list[int], list[int], list[int]]:
    """Two shapes that broadcast (ranks 1..4, some dims 1 on either side), and the result."""
    out = _shape(rng, int(rng.integers(1, 5)), 1, 5)
    a = [d if rng.random() < 0.7 else 1 for d in out]
    b = [d if rng.random() < 0.6 else 1 for d in out][int(rng.integers(0, len(out))):]
    return a, b, [max(x, y) for x, y in zip(a, [1] * (len(a) - len(b)) + b)]


COMPARISONS = ("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL")


def _div_undefined(m: Model, x: int, y: int, out: int):
    """TFLite's int8 DIV ends with a rounding divide by 2^(recip_shift + headroom - output_shift); beyond 2^31 that
    shift is undefined in C++ (the x86 wheel returns about 2^28, saturated), where the quotient rounds to 0: edgec
    gives the output zero point there. f(batch) -> (mask of those elements, edgec's value)."""
    from edgec.frontend.tflite_int8 import quantize_multiplier

    (s1, z1), (s2, z2), (so, zo) = m.b.quant(x), m.b.quant(y), m.b.quant(out)
    _, out_shift = quantize_multiplier(float(np.float32(s1) / (np.float32(s2) * np.float32(so))))
    const = m.b.buffers[m.b.tensors[y].buffer].data

    def undefined(batch):
        a = batch[m.inputs.index(x)].astype(np.int64) - z1
        bv = (batch[m.inputs.index(y)] if y in m.inputs else
              np.frombuffer(np.asarray(const, np.uint8).tobytes(), np.int8).reshape(m.b.tensors[y].shape))
        bq = bv.astype(np.int64) - z2
        a, bq = np.broadcast_arrays(a, bq)
        a = np.where(bq < 0, -a, a)
        recip = np.floor(np.log2(np.maximum(np.abs(bq), 1))).astype(np.int64)
        headroom = 31 - np.vectorize(lambda v: int(v).bit_length())(np.where(a >= 0, a, ~a))
        return recip + headroom - out_shift > 31, zo  # the zero point is inside a RELU's range too
    return undefined


def binary_model(m: Model) -> None:
    """PRELU, DIV, SUB (with a fused RELU), SQUARED_DIFFERENCE, MAXIMUM / MINIMUM and the six comparisons (bool
    outputs), on broadcast shapes; some with a constant second input."""
    rng, b = m.rng, m.b
    relu = _opts("SubOptionsT", fusedActivationFunction=schema.ActivationFunctionType.RELU)
    cases = [("SUB", None, False), ("SUB", relu, False), ("SQUARED_DIFFERENCE", None, False),
             ("SQUARED_DIFFERENCE", None, False), ("MAXIMUM", None, False), ("MINIMUM", None, False)]
    cases += [(k, None, False) for k in COMPARISONS] + [("SUB", None, True), ("GREATER", None, True)]
    for kind, fused, constant in (("DIV", 0, False), ("DIV", 1, False), ("DIV", 0, True)):  # DIV, divisor != 0
        sa, sb, so = _broadcast_pair(rng)
        x = m.input(sa)
        if constant:
            y = b.tensor(sb, "int8", 0.03, -7, data=rng.integers(-6, 128, sb, dtype=np.int8))
        else:
            y = b.act(sb)
            m.inputs.append(y)
            m.nonzero.add(y)
        out = b.act(so, b.quant(x)[0] / b.quant(y)[0] * 3)
        m.undefined[len(m.outputs)] = _div_undefined(m, x, y, out)
        m.add(f"div{sa}{sb}{' const' if constant else ''}{' relu' if fused else ''}", "DIV", [x, y], [out],
              _opts("DivOptionsT", fusedActivationFunction=fused))
    for shape, alpha_shape, constant in (([1, 4, 5, 6], [6], True), ([2, 3, 4], [1, 3, 4], False)):  # PRELU
        x = m.input(shape)
        if constant:  # per-channel slopes, as converters write them
            alpha = b.tensor(alpha_shape, "int8", 0.004, 0, data=rng.integers(-20, 128, alpha_shape, dtype=np.int8))
        else:
            alpha = b.act(alpha_shape)
            m.inputs.append(alpha)
        m.add(f"prelu{shape}{alpha_shape}", "PRELU", [x, alpha], [b.act(shape)])
    for kind, options, constant in cases:
        sa, sb, so = _broadcast_pair(rng)
        if kind in COMPARISONS and not constant:  # wider, so that equal values (ties) occur often
            sa, sb, so = [2, 16, 16], [[16, 1], [1, 16], [2, 16, 16]][len(m.outputs) % 3], [2, 16, 16]
        x = m.input(sa)
        # MAXIMUM / MINIMUM need one quantisation; the comparisons get it too, for ties
        quant = b.quant(x) if kind in ("MAXIMUM", "MINIMUM", *COMPARISONS) and not constant else (None, None)
        if constant:
            y = b.tensor(sb, "int8", 0.03, -7, data=rng.integers(-128, 128, sb, dtype=np.int8))
        else:
            y = b.act(sb, *quant)
            m.inputs.append(y)
        out = b.tensor(so, "bool") if kind in COMPARISONS else b.act(so, *(quant if kind[0] == "M" else (None, None)))
        m.add(f"{kind.lower()}{sa}{sb}{' const' if constant else ''}", kind, [x, y], [out], options)


def running_sums(m: Model, x: int) -> None:
    """ADD_N of three inputs sharing x's quantisation, one of them in the file; CUMSUM of x."""
    b = m.b
    shape = list(b.tensors[x].shape)
    y = b.act(shape, *b.quant(x))
    m.inputs.append(y)
    z = b.tensor(shape, "int8", *b.quant(x), data=m.rng.integers(-128, 128, shape, dtype=np.int8))
    m.add("add_n", "ADD_N", [x, y, z], [b.act(shape)])
    for axis, exclusive, reverse in ((1, False, False), (-1, True, True)):  # CUMSUM, requantised at every step
        m.add(f"cumsum{axis}{exclusive}{reverse}", "CUMSUM", [x, _ints(b, axis)], [b.act(shape, b.quant(x)[0] * 4)],
              _opts("CumsumOptionsT", exclusive=exclusive, reverse=reverse))


def logic_model(m: Model) -> None:
    """Bool logic on comparisons, REDUCE_ALL, and SELECT_V2 (the stored values of x or a broadcast row); ADD_N."""
    b = m.b
    x = m.input([3, 4, 2])
    y, row = b.act([3, 4, 2], *b.quant(x)), b.act([4, 1], *b.quant(x))
    m.inputs += [y, row]
    greater, less = b.tensor([3, 4, 2], "bool"), b.tensor([3, 4, 2], "bool")
    b.op("GREATER", [x, y], [greater])
    b.op("LESS", [x, row], [less])
    for kind in ("LOGICAL_AND", "LOGICAL_OR"):
        m.add(kind.lower(), kind, [greater, less], [b.tensor([3, 4, 2], "bool")])
    m.add("logical_not", "LOGICAL_NOT", [greater], [b.tensor([3, 4, 2], "bool")])
    m.add("reduce_all", "REDUCE_ALL", [greater, _ints(b, [-1])], [b.tensor([3, 4, 1], "bool")],
          _opts("ReducerOptionsT", keepDims=True))
    m.add("select_v2", "SELECT_V2", [less, y, row], [b.act([3, 4, 2], *b.quant(x))])
    running_sums(m, m.input([2, 5, 7]))


def reduce_model(m: Model) -> None:
    """SUM, REDUCE_MAX, REDUCE_MIN over random axes (with and without keep_dims, negative and repeated axes) and
    ARG_MAX / ARG_MIN along one axis (ties are frequent on int8: the first index must win)."""
    rng, b = m.rng, m.b
    for kind in ("SUM", "SUM", "REDUCE_MAX", "REDUCE_MAX", "REDUCE_MIN", "ARG_MAX", "ARG_MIN", "ARG_MAX"):
        rank = int(rng.integers(1, 5))
        shape = _shape(rng, rank, 1, 7)
        x = m.input(shape)
        if kind.startswith("ARG"):
            axis = int(rng.integers(-rank, rank))
            out = b.tensor([d for k, d in enumerate(shape) if k != axis % rank], "int32")
            m.add(f"{kind.lower()}{shape} axis {axis}", kind, [x, _ints(b, [axis])], [out],
                  _opts("ArgMaxOptionsT" if kind == "ARG_MAX" else "ArgMinOptionsT",
                        outputType=schema.TensorType.INT32))
            continue
        axes = sorted(set(rng.choice(rank, int(rng.integers(1, rank + 1)), replace=False).tolist()))
        written = [a - rank if rng.random() < 0.3 else a for a in axes] + axes[:1]  # negative, and one repeated
        keep = bool(rng.random() < 0.5)
        out_shape = [1 if k in axes else d for k, d in enumerate(shape)] if keep else \
            [d for k, d in enumerate(shape) if k not in axes]
        count = int(np.prod([shape[a] for a in axes]))  # a SUM's output scale that saturates rarely
        out = b.act(out_shape, *(b.quant(x) if kind != "SUM" else (b.quant(x)[0] * 1.5 * np.sqrt(count), None)))
        m.add(f"{kind.lower()}{shape} axes {written} keep={keep}", kind, [x, _ints(b, written)], [out],
              _opts("ReducerOptionsT", keepDims=keep))


def normalization_model(m: Model) -> None:
    """LOG_SOFTMAX (output scale 16/256, zero point 127) over rows of several depths and input scales, and
    L2_NORMALIZATION."""
    rng, b = m.rng, m.b
    for shape, scale in (([3, 10], 0.05), ([2, 3, 7], 0.2), ([1, 33], 0.01), ([4, 1], 0.1), ([2, 64], 0.5)):
        x = m.input(shape)
        b.tensors[x].quantization.scale = [float(np.float32(scale * rng.uniform(0.8, 1.2)))]
        m.add(f"log_softmax{shape}", "LOG_SOFTMAX", [x], [b.act(shape, 16 / 256, 127)])
    for shape in ([3, 16], [2, 2, 5], [1, 1], [4, 300]):  # L2_NORMALIZATION: output scale 1/128, zero point 0
        x = m.input(shape)
        m.add(f"l2_normalization{shape}", "L2_NORMALIZATION", [x], [b.act(shape, 1 / 128, 0)], _opts("L2NormOptionsT"))



def transpose_conv(m: Model, x: int, out_channels: int, kernel, strides, padding: str, bias: bool, relu: bool):
    """TRANSPOSE_CONV of x: per-channel symmetric weights OHWI, the output size a convolution would invert."""
    b = m.b
    n, h, w, c = b.shape(x)
    same = padding == "SAME"
    oh = h * strides[0] if same else (h - 1) * strides[0] + kernel[0]
    ow = w * strides[1] if same else (w - 1) * strides[1] + kernel[1]
    weights = m.rng.integers(-127, 128, (out_channels, *kernel, c), dtype=np.int8)
    w_scales = m.rng.uniform(0.002, 0.02, out_channels).astype(np.float32)
    wt = b.tensor(weights.shape, "int8", w_scales, np.zeros(out_channels, int), weights)
    ins = [_ints(b, [n, oh, ow, out_channels]), wt, x]
    if bias:
        ins.append(b.tensor([out_channels], "int32", b.quant(x)[0] * w_scales, np.zeros(out_channels, int),
                            m.rng.integers(-3000, 3000, out_channels, dtype=np.int32)))
    taps = max(1, kernel[0] * kernel[1] // (strides[0] * strides[1]))
    out = b.act([n, oh, ow, out_channels], np.sqrt(taps * c) * 74 * 73 * b.quant(x)[0] * float(w_scales.mean()) / 60)
    opts = _opts("TransposeConvOptionsT", padding=schema.Padding.SAME if same else schema.Padding.VALID,
                 strideH=strides[0], strideW=strides[1],
                 fusedActivationFunction=schema.ActivationFunctionType.RELU if relu else 0)
    m.add(f"transpose_conv{b.shape(x)} k{kernel} s{strides} {padding}{' bias' if bias else ''}"
          f"{' relu' if relu else ''}", "TRANSPOSE_CONV", ins, [out], opts)


def matmul_model(m: Model) -> None:
    """BATCH_MATMUL: plain, adj_x / adj_y, broadcast batch dims, a constant right operand (weights); and
    TRANSPOSE_CONV with SAME and VALID padding, strides 1 to 3, with and without a bias and a fused RELU."""
    for shape, oc, kernel, strides, padding, bias, relu in (([1, 4, 5, 3], 4, (3, 3), (2, 2), "SAME", True, False),
                                                            ([2, 3, 3, 2], 3, (2, 4), (2, 3), "VALID", True, True),
                                                            ([1, 5, 4, 6], 2, (3, 1), (1, 1), "SAME", False, False),
                                                            ([1, 2, 3, 5], 5, (4, 4), (2, 2), "VALID", False, False)):
        transpose_conv(m, m.input(shape), oc, kernel, strides, padding, bias, relu)
    rng, b = m.rng, m.b
    for lhs, rhs, adj_x, adj_y, constant in (([2, 3, 5], [2, 5, 4], False, False, False),
                                             ([3, 6, 2], [1, 3, 4, 6], True, True, False),
                                             ([2, 1, 4, 7], [3, 7, 5], False, False, False),
                                             ([5, 8], [6, 8], False, True, True),
                                             ([1, 4, 9], [9, 3], False, False, True)):
        x = m.input(lhs)
        if constant:
            y = b.tensor(rhs, "int8", 0.02, int(rng.integers(-5, 6)), data=rng.integers(-128, 128, rhs, dtype=np.int8))
        else:
            y = b.act(rhs)
            m.inputs.append(y)
        rank = max(len(lhs), len(rhs))
        lb, rb = [1] * (rank - len(lhs)) + lhs[:-2], [1] * (rank - len(rhs)) + rhs[:-2]
        rows, depth = (lhs[-1], lhs[-2]) if adj_x else (lhs[-2], lhs[-1])
        cols = rhs[-2] if adj_y else rhs[-1]
        out_shape = [max(p, q) for p, q in zip(lb, rb)] + [rows, cols]
        out = b.act(out_shape, np.sqrt(depth) * 74 * 74 * b.quant(x)[0] * b.quant(y)[0] / 60)
        m.add(f"batch_matmul{lhs}{rhs} adj {adj_x} {adj_y}{' const' if constant else ''}", "BATCH_MATMUL", [x, y],
              [out], _opts("BatchMatMulOptionsT", adjX=adj_x, adjY=adj_y))


FAMILIES = {"data_movement": movement_model, "resize": resize_model, "binary": binary_model, "logic": logic_model,
            "reduce": reduce_model, "normalization": normalization_model, "matmul": matmul_model}


def run_tflm(path, batches, n_outputs: int):
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_file(str(path), arena_size=1 << 20)
    outs = []
    for inputs in batches:
        for k, x in enumerate(inputs):
            interp.set_input(x, k)
        interp.invoke()
        outs.append([np.array(interp.get_output(k)) for k in range(n_outputs)])
    return outs


def random_batches(m: Model, seed: int):
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(RUNS):
        batch = []
        for i in m.inputs:
            shape = m.b.tensors[i].shape
            if i in m.index_limits:
                batch.append(rng.integers(0, m.index_limits[i], shape).astype(np.int32))
            else:
                x = rng.integers(-128, 128, shape, dtype=np.int8)
                if i in m.nonzero:  # a real 0 divisor has no quotient (TFLite Micro's is undefined)
                    zero_point = m.b.quant(i)[1]
                    x[x == zero_point] = zero_point + 1
                batch.append(x)
        batches.append(batch)
    return batches


@pytest.mark.parametrize("family", list(FAMILIES))
def test_int8_operators_match_tflite_micro(family, tmp_path):
    m = Model(seed=sum(map(ord, family)))
    FAMILIES[family](m)
    path = tmp_path / f"{family}.tflite"
    path.write_bytes(m.b.finish(m.inputs, m.outputs))
    result = compile_model(path, "cortex-m7", tmp_path / "out", CompileOptions(measure_code=False))
    for cc, flags in COMPILERS:
        assert_compiles_warning_free(result.out_dir, tmp_path, cc, flags)
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    batches = random_batches(m, seed=5)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    want = run_tflm(path, batches, len(m.outputs))
    for k in range(RUNS):
        for j, (label, g, w) in enumerate(zip(m.labels, got[k], want[k])):
            w = w.reshape(g.shape).copy()
            if j in m.undefined:  # where TFLite's arithmetic is undefined, edgec's defined value
                mask, value = m.undefined[j](batches[k])
                assert mask.mean() < 0.8, f"{label}: TFLite's result is undefined almost everywhere"
                w[mask.reshape(g.shape)] = value
            np.testing.assert_array_equal(g, w, err_msg=f"{label}, input {k}")


def _damaged(kind: str, b: TFLiteBuilder):
    """One operator whose parameters contradict its tensors."""
    if kind == "TRANSPOSE":  # perm repeats an axis
        x = b.act([2, 3, 4])
        b.op(kind, [x, _ints(b, [0, 0, 1])], [b.act([2, 2, 3], *b.quant(x))])
    elif kind == "DEPTH_TO_SPACE":  # block size 0
        x = b.act([1, 2, 2, 4])
        b.op(kind, [x], [b.act([1, 4, 4, 1], *b.quant(x))], _opts("DepthToSpaceOptionsT", blockSize=0))
    elif kind == "STRIDED_SLICE":  # output shape the parameters do not give
        x = b.act([4, 6])
        b.op(kind, [x, _ints(b, [0, 0]), _ints(b, [4, 6]), _ints(b, [1, 2])], [b.act([4, 6], *b.quant(x))],
             _opts("StridedSliceOptionsT"))
    elif kind == "SPLIT_V":  # sizes that do not add up
        x = b.act([2, 7])
        b.op(kind, [x, _ints(b, [3, 3]), _ints(b, [1])], [b.act([2, 3], *b.quant(x)), b.act([2, 3], *b.quant(x))],
             _opts("SplitVOptionsT", numSplits=2))
    elif kind == "MIRROR_PAD":  # REFLECT by more than the size - 1
        x = b.act([1, 3, 3, 1])
        b.op(kind, [x, _ints(b, [[0, 0], [3, 0], [0, 0], [0, 0]])], [b.act([1, 6, 3, 1], *b.quant(x))],
             _opts("MirrorPadOptionsT", mode=0))
    elif kind == "GATHER":  # a constant index outside the axis
        x = b.act([5, 2])
        b.op(kind, [x, _ints(b, [1, 5])], [b.act([2, 2], *b.quant(x))], _opts("GatherOptionsT", axis=0))
    elif kind == "BATCH_MATMUL":  # depths that disagree
        x, y = b.act([3, 4]), b.act([5, 2])
        b.op(kind, [x, y], [b.act([3, 2])], _opts("BatchMatMulOptionsT"))
        return [x, y]
    elif kind == "SUB":  # an output larger than the inputs' broadcast
        x, y = b.act([3, 1]), b.act([1, 4])
        b.op(kind, [x, y], [b.act([2, 3, 4])], _opts("SubOptionsT"))
        return [x, y]
    return [x]


DAMAGED = {"TRANSPOSE": "perm [0, 0, 1] is not a permutation", "DEPTH_TO_SPACE": "block_size is 0",
           "STRIDED_SLICE": "output shape [4, 6], but the input [4, 6] and the operator's parameters give [4, 3]",
           "SPLIT_V": "do not add up to axis 1 of 7", "MIRROR_PAD": "in REFLECT mode",
           "GATHER": "an index outside [0, 5)",
           "BATCH_MATMUL": "disagree on the depth", "SUB": "broadcast to [3, 4]"}


def test_damaged_operators_are_named(tmp_path):
    """A file whose parameters contradict its tensors is refused by tflite_check.py, naming the operator and the
    reason: never an internal error. One through the real command line, all through the reader."""
    from conftest import run_edgec
    from edgec.errors import ModelLoadError
    from edgec.frontend.tflite import load_tflite

    for kind, reason in DAMAGED.items():
        b = TFLiteBuilder(seed=3)
        inputs = _damaged(kind, b)
        path = tmp_path / f"{kind}.tflite"
        path.write_bytes(b.finish(inputs, [len(b.tensors) - 1]))
        with pytest.raises(ModelLoadError) as info:
            load_tflite(path)
        assert f"({kind}): " in str(info.value) and reason in str(info.value), str(info.value)
    proc = run_edgec("compile", tmp_path / "TRANSPOSE.tflite", "-o", tmp_path / "out")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "(TRANSPOSE): perm" in proc.stderr, proc.stderr
