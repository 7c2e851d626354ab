"""Float TFLite operators (TFLite Micro's builtin set and the common LiteRT ones) against LiteRT's own kernels.

Each case writes one operator (or a few of one family) with random shapes into a flatbuffer
(tests/tflite_builder.py; no converter needed). All cases go into one model per seed, so one compile and one
sanitizer build check them all: the outputs must match LiteRT within 1e-5 (relative to 1 + |reference|), bool
and integer outputs exactly. LiteRT runs its builtin kernels without the XNNPACK delegate (the reference
resolver lacks some of these operators at version 1). The operators with state kept between runs (SVDF,
UNIDIRECTIONAL_SEQUENCE_LSTM) are checked over a sequence of runs, without a reset, as LiteRT runs them."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as S
from edgec.build.host import SANITIZE_FLAGS, WARNING_FLAGS, build_host_executable, c_sources, run_host_executable_many
from edgec.frontend.tflite import SUPPORTED_OPS
from edgec.pipeline import CompileOptions, compile_model
from edgec.reference import litert_interpreter
from tflite_builder import TFLiteBuilder

RUNS = 4
EMBEDDING_ROWS = 7
TOLERANCE = 1e-5


def options(cls, **fields):
    o = cls()
    for k, v in fields.items():
        setattr(o, k, v)
    return o


def f32(b: TFLiteBuilder, shape) -> int:
    return b.tensor([int(d) for d in shape], "float32")


def const(b: TFLiteBuilder, value: np.ndarray) -> int:
    value = np.asarray(value)
    return b.tensor(list(value.shape), str(value.dtype), data=value)


def weights(b: TFLiteBuilder, *shape) -> int:
    return const(b, b.rng.normal(0, 0.4, shape).astype(np.float32))


def random_shape(b: TFLiteBuilder, rank: int | None = None, low: int = 1, high: int = 6) -> list[int]:
    rank = rank or int(b.rng.integers(1, 5))
    return [int(d) for d in b.rng.integers(low, high + 1, rank)]


def broadcast_partner(b: TFLiteBuilder, shape: list[int]) -> list[int]:
    """A shape that broadcasts against `shape`: some dims set to 1, maybe fewer leading dims."""
    other = [1 if b.rng.random() < 0.4 else d for d in shape]
    return other[int(b.rng.integers(0, len(other))):] or [1]


# -- cases: name -> (build(b) -> (inputs, outputs), input domain) -------------------------------------------
def unary(kind: str, opts=None):
    def build(b):
        shape = random_shape(b)
        x, y = f32(b, shape), f32(b, shape)
        b.op(kind, [x], [y], opts)
        return [x], [y]
    return build


def binary(kind: str, out_dtype: str = "float32", opts=None):
    def build(b):
        a = random_shape(b)
        c = broadcast_partner(b, a)
        if b.rng.random() < 0.5:
            a, c = c, a
        x, y = f32(b, a), f32(b, c)
        z = b.tensor(list(np.broadcast_shapes(tuple(a), tuple(c))), out_dtype)
        b.op(kind, [x, y], [z], opts)
        return [x, y], [z]
    return build


def prelu(b):
    shape = random_shape(b, 4)
    x, y = f32(b, shape), f32(b, shape)
    slope = const(b, b.rng.uniform(0, 0.5, [1, 1, shape[3]]).astype(np.float32))
    b.op("PRELU", [x, slope], [y])
    return [x], [y]


def select_and_logic(b):
    shape = random_shape(b)
    x, y = f32(b, shape), f32(b, shape)
    gt, lt0, both, either, neither = (b.tensor(shape, "bool") for _ in range(5))
    picked = f32(b, shape)
    b.op("GREATER", [x, y], [gt])
    b.op("LESS", [x, const(b, np.zeros([1], np.float32))], [lt0])
    b.op("LOGICAL_AND", [gt, lt0], [both])
    b.op("LOGICAL_OR", [gt, lt0], [either])
    b.op("LOGICAL_NOT", [gt], [neither])
    b.op("SELECT_V2", [gt, x, y], [picked])
    return [x, y], [both, either, neither, picked]


def reshape_family(b):
    n, h, w = (int(v) for v in b.rng.integers(2, 6, 3))
    x = f32(b, [n, 1, h, w])
    flat, squeezed, expanded = f32(b, [n, h * w]), f32(b, [n, h, w]), f32(b, [n, h, 1, w])
    b.op("RESHAPE", [x, const(b, np.array([n, h * w], np.int32))], [flat])
    b.op("SQUEEZE", [x], [squeezed], options(S.SqueezeOptionsT, squeezeDims=[1]))
    b.op("EXPAND_DIMS", [squeezed, const(b, np.array([2], np.int32))], [expanded])
    return [x], [flat, expanded]


def transpose(b):
    shape = random_shape(b, 4)
    perm = b.rng.permutation(4)
    x, y = f32(b, shape), f32(b, [shape[p] for p in perm])
    b.op("TRANSPOSE", [x, const(b, perm.astype(np.int32))], [y])
    return [x], [y]


def concat_pack_unpack(b):
    h, w = (int(v) for v in b.rng.integers(1, 6, 2))
    c1, c2 = (int(v) for v in b.rng.integers(1, 6, 2))
    x, y, z = f32(b, [1, h, w, c1]), f32(b, [1, h, w, c2]), f32(b, [1, h, w, c1 + c2])
    b.op("CONCATENATION", [x, y], [z], options(S.ConcatenationOptionsT, axis=3))
    p, q, packed = f32(b, [h, w]), f32(b, [h, w]), f32(b, [h, 2, w])
    b.op("PACK", [p, q], [packed], options(S.PackOptionsT, valuesCount=2, axis=1))
    parts = [f32(b, [2, w]) for _ in range(h)]
    b.op("UNPACK", [packed], parts, options(S.UnpackOptionsT, num=h, axis=0))
    return [x, y, p, q], [z, packed, *parts]


def splits(b):
    sizes = [int(v) for v in b.rng.integers(1, 4, 3)]
    n, c = (int(v) for v in b.rng.integers(1, 4, 2))
    x = f32(b, [n, 3 * sizes[0], c])
    even = [f32(b, [n, sizes[0], c]) for _ in range(3)]
    b.op("SPLIT", [const(b, np.array(1, np.int32).reshape(())), x], even, options(S.SplitOptionsT, numSplits=3))
    v = f32(b, [n, sum(sizes), c])
    uneven = [f32(b, [n, s, c]) for s in sizes]
    b.op("SPLIT_V", [v, const(b, np.array(sizes, np.int32)), const(b, np.array(1, np.int32).reshape(()))], uneven,
         options(S.SplitVOptionsT, numSplits=3))
    return [x, v], even + uneven


def slices(b):
    shape = random_shape(b, 3, 3, 8)
    x = f32(b, shape)
    begin = [int(b.rng.integers(0, d)) for d in shape]
    size = [int(b.rng.integers(1, d - s + 1)) for d, s in zip(shape, begin)]
    y = f32(b, size)
    b.op("SLICE", [x, const(b, np.array(begin, np.int32)), const(b, np.array(size, np.int32))], [y])
    strides = [int(v) for v in b.rng.choice([-2, -1, 1, 2, 3], 3)]
    starts = [int(b.rng.integers(0, d)) for d in shape]
    want = np.arange(int(np.prod(shape))).reshape(shape)[tuple(slice(s, None, k) for s, k in zip(starts, strides))]
    z = f32(b, want.shape)
    b.op("STRIDED_SLICE", [x, const(b, np.array(starts, np.int32)), const(b, np.zeros(3, np.int32)),
                           const(b, np.array(strides, np.int32))], [z],
         options(S.StridedSliceOptionsT, endMask=0b111))  # to the end (the start, for a negative stride)
    return [x], [y, z]


def gathers(b):
    shape = random_shape(b, 3, 2, 6)
    x = f32(b, shape)
    idx = b.rng.integers(0, shape[1], int(b.rng.integers(1, 6))).astype(np.int32)
    y = f32(b, [shape[0], idx.size, shape[2]])
    b.op("GATHER", [x, const(b, idx)], [y], options(S.GatherOptionsT, axis=1))
    nd = np.stack([b.rng.integers(0, shape[0], 4), b.rng.integers(0, shape[1], 4)], axis=1).astype(np.int32)
    z = f32(b, [4, shape[2]])
    b.op("GATHER_ND", [x, const(b, nd)], [z])
    return [x], [y, z]


def pads(b):
    shape = random_shape(b, 4, 2, 5)
    pad = np.array([[int(b.rng.integers(0, d)) for _ in range(2)] for d in shape], np.int32)  # < d: REFLECT's limit
    out = [d + int(p.sum()) for d, p in zip(shape, pad)]
    x = f32(b, shape)
    ys = [f32(b, out) for _ in range(4)]
    p = const(b, pad)
    b.op("PAD", [x, p], [ys[0]])
    b.op("PADV2", [x, p, const(b, np.array([1.5], np.float32))], [ys[1]])
    b.op("MIRROR_PAD", [x, p], [ys[2]], options(S.MirrorPadOptionsT, mode=0))
    b.op("MIRROR_PAD", [x, p], [ys[3]], options(S.MirrorPadOptionsT, mode=1))
    return [x], ys


def space_depth_batch(b):
    bs = int(b.rng.integers(2, 4))
    h, w, c = bs * int(b.rng.integers(1, 3)), bs * int(b.rng.integers(1, 3)), int(b.rng.integers(1, 4))
    x = f32(b, [1, h, w, c])
    deep, back = f32(b, [1, h // bs, w // bs, c * bs * bs]), f32(b, [1, h, w, c])
    b.op("SPACE_TO_DEPTH", [x], [deep], options(S.SpaceToDepthOptionsT, blockSize=bs))
    b.op("DEPTH_TO_SPACE", [deep], [back], options(S.DepthToSpaceOptionsT, blockSize=bs))
    pad = np.array([[1, bs - 1], [0, 0]], np.int32)  # H padded to a multiple of the block
    batched = f32(b, [bs * bs, (h + bs) // bs, w // bs, c])
    b.op("SPACE_TO_BATCH_ND", [x, const(b, np.array([bs, bs], np.int32)), const(b, pad)], [batched])
    unbatched = f32(b, [1, h + bs - 1, w, c])
    b.op("BATCH_TO_SPACE_ND", [batched, const(b, np.array([bs, bs], np.int32)),
                               const(b, np.array([[1, 0], [0, 0]], np.int32))], [unbatched])
    return [x], [deep, back, batched, unbatched]


def broadcast_tile_reverse(b):
    shape = random_shape(b, 3, 1, 4)
    x = f32(b, [1, *shape[1:]])
    wide, tiled, flipped = f32(b, shape), f32(b, [2 * shape[0], shape[1], 3 * shape[2]]), f32(b, [1, *shape[1:]])
    b.op("BROADCAST_TO", [x, const(b, np.array(shape, np.int32))], [wide], version=2)
    b.op("TILE", [wide, const(b, np.array([2, 1, 3], np.int32))], [tiled])
    b.op("REVERSE_V2", [x, const(b, np.array([2], np.int32))], [flipped])
    return [x], [tiled, flipped]


def reductions(b):
    shape = random_shape(b, 4, 1, 5)
    x = f32(b, shape)
    outs = []
    for kind in ("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"):
        axes = sorted(int(a) for a in b.rng.choice(4, int(b.rng.integers(1, 3)), replace=False))
        keep = bool(b.rng.integers(0, 2))
        out = [1 if k in axes else d for k, d in enumerate(shape) if keep or k not in axes]
        y = f32(b, out)
        b.op(kind, [x, const(b, np.array(axes, np.int32))], [y], options(S.ReducerOptionsT, keepDims=keep))
        outs.append(y)
    return [x], outs


def any_all(b):
    shape = random_shape(b, 3, 1, 3)
    x = f32(b, shape)
    below = b.tensor(shape, "bool")
    b.op("LESS", [x, const(b, np.full([1], 2.5, np.float32))], [below])  # mostly true: both answers occur
    outs = []
    for kind in ("REDUCE_ALL", "REDUCE_ANY"):
        axes = sorted(int(a) for a in b.rng.choice(3, int(b.rng.integers(1, 3)), replace=False))
        y = b.tensor([1 if k in axes else d for k, d in enumerate(shape)], "bool")
        b.op(kind, [below, const(b, np.array(axes, np.int32))], [y], options(S.ReducerOptionsT, keepDims=True))
        outs.append(y)
    return [x], outs


def update_slices(b):
    """DYNAMIC_UPDATE_SLICE with start indices known at compile time (some out of range: clamped) and given at
    run time (the second input's domain: -2 .. 7)."""
    shape = random_shape(b, 3, 1, 5)
    operand, update = f32(b, shape), f32(b, [int(b.rng.integers(1, d + 1)) for d in shape])
    fixed, moving = f32(b, shape), f32(b, shape)
    start = b.rng.integers(-2, 6, 3)
    b.op("DYNAMIC_UPDATE_SLICE", [operand, update, const(b, start.astype(np.int64))], [fixed], version=2)
    at = b.tensor([3], "int32")
    b.op("DYNAMIC_UPDATE_SLICE", [operand, update, at], [moving])
    return [operand, update, at], [fixed, moving]


def arg_cumsum(b):
    shape = random_shape(b, 3, 2, 6)
    x = f32(b, shape)
    a = int(b.rng.integers(0, 3))
    arg_max, arg_min = (b.tensor([d for k, d in enumerate(shape) if k != a], t) for t in ("int32", "int64"))
    b.op("ARG_MAX", [x, const(b, np.array([a], np.int32))], [arg_max],
         options(S.ArgMaxOptionsT, outputType=S.TensorType.INT32))
    b.op("ARG_MIN", [x, const(b, np.array([a], np.int32))], [arg_min],
         options(S.ArgMinOptionsT, outputType=S.TensorType.INT64))
    sums = [f32(b, shape) for _ in range(2)]
    b.op("CUMSUM", [x, const(b, np.array(a, np.int32).reshape(()))], [sums[0]], options(S.CumsumOptionsT))
    b.op("CUMSUM", [x, const(b, np.array(a, np.int32).reshape(()))], [sums[1]],
         options(S.CumsumOptionsT, exclusive=True, reverse=True))
    cast = b.tensor(shape, "int32")
    b.op("CAST", [x], [cast])
    return [x], [arg_max, arg_min, *sums, cast]


def convolutions(b):
    h, w = (int(v) for v in b.rng.integers(5, 10, 2))
    c = int(b.rng.integers(1, 5))
    x = f32(b, [1, h, w, c])
    out_c, k = int(b.rng.integers(1, 6)), int(b.rng.choice([1, 3, 5]))
    conv = f32(b, [1, (h - k) // 2 + 1, (w - k) // 2 + 1, out_c])
    b.op("CONV_2D", [x, weights(b, out_c, k, k, c), weights(b, out_c)], [conv],
         options(S.Conv2DOptionsT, padding=S.Padding.VALID, strideH=2, strideW=2, dilationHFactor=1,
                 dilationWFactor=1, fusedActivationFunction=S.ActivationFunctionType.RELU))
    dw = f32(b, [1, h, -(-w // 2), 2 * c])
    b.op("DEPTHWISE_CONV_2D", [x, weights(b, 1, 3, 3, 2 * c), weights(b, 2 * c)], [dw],
         options(S.DepthwiseConv2DOptionsT, padding=S.Padding.SAME, strideH=1, strideW=2, depthMultiplier=2,
                 dilationHFactor=2, dilationWFactor=1, fusedActivationFunction=S.ActivationFunctionType.RELU6))
    up = f32(b, [1, 2 * h, 2 * w, out_c])
    b.op("TRANSPOSE_CONV", [const(b, np.array([1, 2 * h, 2 * w, out_c], np.int32)), weights(b, out_c, 3, 3, c), x],
         [up], options(S.TransposeConvOptionsT, padding=S.Padding.SAME, strideH=2, strideW=2))
    pools = [f32(b, [1, (h - 3) // 2 + 1, (w - 2) // 2 + 1, c]) for _ in range(3)]
    for kind, y in zip(("MAX_POOL_2D", "AVERAGE_POOL_2D", "L2_POOL_2D"), pools):
        b.op(kind, [x], [y], options(S.Pool2DOptionsT, padding=S.Padding.VALID, strideH=2, strideW=2,
                                      filterHeight=3, filterWidth=2))
    return [x], [conv, dw, up, *pools]


def matmuls(b):
    m, k, n = (int(v) for v in b.rng.integers(1, 9, 3))
    x = f32(b, [m, k])
    fc = f32(b, [m, n])
    b.op("FULLY_CONNECTED", [x, weights(b, n, k), weights(b, n)], [fc],
         options(S.FullyConnectedOptionsT, fusedActivationFunction=S.ActivationFunctionType.RELU))
    p, q, pq = f32(b, [2, m, k]), f32(b, [2, n, k]), f32(b, [2, m, n])
    b.op("BATCH_MATMUL", [p, q], [pq], options(S.BatchMatMulOptionsT, adjY=True))
    terms = [f32(b, [m, n]) for _ in range(3)]
    total = f32(b, [m, n])
    b.op("ADD_N", terms, [total])
    return [x, p, q, *terms], [fc, pq, total]


def resizes(b):
    h, w, c = (int(v) for v in b.rng.integers(2, 6, 3))
    oh, ow = (int(v) for v in b.rng.integers(1, 10, 2))
    x = f32(b, [1, h, w, c])
    outs = []
    for oh, ow in ((oh, ow), (1, ow)):  # an output row of 1: align_corners divides by out - 1 = 0
        size = const(b, np.array([oh, ow], np.int32))
        for align, half in ((False, False), (True, False), (False, True)):
            for kind, cls in (("RESIZE_BILINEAR", S.ResizeBilinearOptionsT),
                              ("RESIZE_NEAREST_NEIGHBOR", S.ResizeNearestNeighborOptionsT)):
                y = f32(b, [1, oh, ow, c])
                b.op(kind, [x, size], [y], options(cls, alignCorners=align, halfPixelCenters=half), version=3)
                outs.append(y)
    return [x], outs


def shapes_at_compile_time(b):
    """SHAPE -> FILL and BROADCAST_ARGS -> BROADCAST_TO: values known once the shapes are."""
    shape = random_shape(b, 3)
    x = f32(b, shape)
    dims, filled, y = b.tensor([3], "int32"), f32(b, shape), f32(b, shape)
    b.op("SHAPE", [x], [dims], options(S.ShapeOptionsT, outType=S.TensorType.INT32))
    b.op("FILL", [dims, const(b, np.array(1.5, np.float32).reshape(()))], [filled])
    b.op("ADD", [x, filled], [y])
    row = f32(b, [shape[2]])
    both, wide = b.tensor([3], "int32"), f32(b, shape)
    b.op("BROADCAST_ARGS", [dims, const(b, np.array([shape[2]], np.int32))], [both])
    b.op("BROADCAST_TO", [row, both], [wide], version=2)
    return [x, row], [y, wide]


def embedding_lookup(b):
    ids = b.tensor([int(b.rng.integers(1, 6))], "int32")
    y = f32(b, [b.shape(ids)[0], 4])
    b.op("EMBEDDING_LOOKUP", [ids, weights(b, EMBEDDING_ROWS, 4)], [y])
    return [ids], [y]


def detection_postprocess(b):
    """SSD's post-processing: anchors in (0, 1), random encodings; sigmoid-like scores spread around the threshold."""
    from flatbuffers import flexbuffers

    anchors, classes = int(b.rng.integers(8, 40)), int(b.rng.integers(1, 5))
    max_detections, per_detection = int(b.rng.integers(1, 6)), int(b.rng.integers(1, 3))
    boxes, scores = f32(b, [1, anchors, 4]), f32(b, [1, anchors, classes + 1])
    centers = b.rng.uniform(0.1, 0.9, (anchors, 2))
    sizes = b.rng.uniform(0.1, 0.4, (anchors, 2))
    table = const(b, np.concatenate([centers, sizes], axis=1).astype(np.float32))
    outs = [f32(b, [1, max_detections * per_detection, 4]), f32(b, [1, max_detections * per_detection]),
            f32(b, [1, max_detections * per_detection]), f32(b, [1])]
    options = flexbuffers.Dumps({
        "max_detections": max_detections, "max_classes_per_detection": per_detection, "detections_per_class": 10,
        "use_regular_nms": False, "nms_score_threshold": 0.3, "nms_iou_threshold": 0.5, "num_classes": classes,
        "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})
    b.custom("TFLite_Detection_PostProcess", [boxes, scores, table], outs, options)
    b.detection_slots_per_box = per_detection
    return [boxes, scores], outs


def lstm(time_major: bool, peepholes: bool):
    def build(b):
        batch, seq, inp, units = (int(v) for v in b.rng.integers(1, 6, 4))
        x = f32(b, [seq, batch, inp] if time_major else [batch, seq, inp])
        ins = [x] + [weights(b, units, inp) for _ in range(4)] + [weights(b, units, units) for _ in range(4)]
        ins += [weights(b, units) for _ in range(3)] if peepholes else [-1] * 3
        ins += [weights(b, units) for _ in range(4)] + [-1, -1]
        for _ in range(2):  # output and cell state
            ins.append(f32(b, [batch, units]))
            b.tensors[ins[-1]].isVariable = True
        ins += [-1] * 4
        y = f32(b, [seq, batch, units] if time_major else [batch, seq, units])
        b.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, [y], options(
            S.UnidirectionalSequenceLSTMOptionsT, fusedActivationFunction=S.ActivationFunctionType.TANH,
            timeMajor=time_major))
        return [x], [y]
    return build


CASES = {
    **{k.lower(): (unary(k), "any") for k in (
        "ABS", "CEIL", "COS", "EXP", "FLOOR", "LOGISTIC", "NEG", "RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1",
        "ROUND", "SIN", "SQUARE", "TANH", "HARD_SWISH", "ELU", "ZEROS_LIKE", "LOG_SOFTMAX")},
    **{k.lower(): (unary(k), "positive") for k in ("LOG", "SQRT", "RSQRT")},
    "gelu": (unary("GELU", options(S.GeluOptionsT, approximate=False)), "any"),
    "gelu_tanh": (unary("GELU", options(S.GeluOptionsT, approximate=True)), "any"),
    "leaky_relu": (unary("LEAKY_RELU", options(S.LeakyReluOptionsT, alpha=0.15)), "any"),
    "softmax_beta": (unary("SOFTMAX", options(S.SoftmaxOptionsT, beta=0.7)), "any"),
    "l2_normalization": (unary("L2_NORMALIZATION", options(S.L2NormOptionsT)), "any"),
    **{k.lower(): (binary(k), "any") for k in ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE")},
    **{k.lower(): (binary(k), "nonzero") for k in ("DIV", "FLOOR_DIV", "FLOOR_MOD")},
    "pow": (binary("POW"), "positive"),
    **{k.lower(): (binary(k, "bool"), "any") for k in (
        "EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL")},
    "prelu": (prelu, "any"),
    "select_and_logic": (select_and_logic, "any"),
    "reshape_squeeze_expand": (reshape_family, "any"),
    "transpose": (transpose, "any"),
    "concat_pack_unpack": (concat_pack_unpack, "any"),
    "splits": (splits, "any"),
    "slices": (slices, "any"),
    "gathers": (gathers, "any"),
    "pads": (pads, "any"),
    "space_depth_batch": (space_depth_batch, "any"),
    "broadcast_tile_reverse": (broadcast_tile_reverse, "any"),
    "reductions": (reductions, "any"),
    "any_all": (any_all, "any"),
    "update_slices": (update_slices, ("any", "any", "starts")),
    "arg_cumsum_cast": (arg_cumsum, "integers"),
    "convolutions": (convolutions, "any"),
    "matmuls": (matmuls, "any"),
    "resizes": (resizes, "any"),
    "shapes_at_compile_time": (shapes_at_compile_time, "any"),
    "embedding_lookup": (embedding_lookup, "ids"),
    "detection_postprocess": (detection_postprocess, "scores"),
}


def sample(domain: str, shape, rng) -> np.ndarray:
    if domain == "scores":  # box encodings and class scores: most below the score threshold, as in a real scene
        return rng.uniform(-4.0, 0.5, shape).astype(np.float32)
    if domain == "starts":
        return rng.integers(-2, 8, shape).astype(np.int32)
    if domain == "ids":
        return rng.integers(0, EMBEDDING_ROWS, shape).astype(np.int32)
    x = rng.uniform(-3, 3, shape).astype(np.float32)
    if domain == "positive":
        return np.abs(x) + np.float32(0.1)
    if domain == "nonzero":
        return np.sign(x) * (np.abs(x) + np.float32(0.5))
    if domain == "integers":  # distinct values: no ties for ARG_MAX, and CAST away from .5 boundaries
        return (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.37 - 5).astype(np.float32)
    return x


def build_model(seed: int):
    b = TFLiteBuilder(seed=seed)
    inputs, outputs, domains, names = [], [], [], []
    for name, (build, domain) in CASES.items():
        ins, outs = build(b)
        inputs += ins
        outputs += outs
        domains += [domain] * len(ins) if isinstance(domain, str) else list(domain)
        names += [name] * len(outs)
    return b.finish(inputs, outputs), domains, names, b.detection_slots_per_box


def test_every_float_operator_is_in_the_supported_list():
    b = TFLiteBuilder(seed=0)
    for build in [build for build, _ in CASES.values()] + list(STATEFUL.values()):
        build(b)
    kinds = {f"CUSTOM:{code[1]}" if isinstance(code, tuple) else
             next(k for k, v in vars(S.BuiltinOperator).items() if v == code) for code in b.opcodes}
    assert kinds <= SUPPORTED_OPS, sorted(kinds - SUPPORTED_OPS)
    assert len(kinds) >= 85, len(kinds)


@pytest.mark.parametrize("seed", [0, 1])
def test_float_operators_match_litert(seed, tmp_path):
    data, domains, names, per_box = build_model(seed)
    path = tmp_path / "ops.tflite"
    path.write_bytes(data)
    interp = litert_interpreter(path)
    rng = np.random.default_rng(seed)
    batches = [[sample(dom, d["shape"], rng) for dom, d in zip(domains, interp.get_input_details())]
               for _ in range(RUNS)]
    want = []
    for inputs in batches:
        for d, x in zip(interp.get_input_details(), inputs):
            interp.set_tensor(d["index"], x)
        interp.invoke()
        want.append([np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()])

    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    failures = []
    first_detection = names.index("detection_postprocess")
    assert sum(int(ws[first_detection + 3][0]) for ws in want) > 0, "no detection to compare"
    for run, (gs, ws) in enumerate(zip(got, want)):
        for k, (g, w) in enumerate(zip(gs, ws)):
            w = w.reshape(g.shape)
            if first_detection <= k < first_detection + 3:  # only the detections are defined (LiteRT leaves the rest)
                count = int(ws[first_detection + 3][0])
                g, w = g[:, :count * per_box], w[:, :count * per_box]
            if g.dtype.kind in "biu":
                ok = np.array_equal(g, w.astype(g.dtype))
            else:
                ok = bool(np.all(np.abs(g - w) <= TOLERANCE * (1 + np.abs(w))))
            if not ok:
                failures.append(f"{names[k]} (output {k}, run {run})")
    assert not failures, "differ from LiteRT: " + ", ".join(sorted(set(failures)))


def test_an_operator_edgec_refuses_is_named_with_its_reason(tmp_path):
    """An LSTM with cell clipping (the kernel does not clip): one clear error naming the node, no traceback."""
    from conftest import run_edgec

    b = TFLiteBuilder(seed=3)
    inputs, outputs = lstm(False, False)(b)
    b.operators[-1].builtinOptions.cellClip = 3.0
    path = tmp_path / "clipped_lstm.tflite"
    path.write_bytes(b.finish(inputs, outputs))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    name = b.tensors[outputs[0]].name.decode()
    assert f"'{name}' (UNIDIRECTIONAL_SEQUENCE_LSTM): cell_clip 3.0" in proc.stderr, proc.stderr
    assert "BlockBuilder" not in proc.stderr + proc.stdout  # TVM's destructor warning stays in native_log's sink


def svdf(b):
    """SVDF with a memory of several steps: its state must carry from one run to the next."""
    batch, inp, units, rank, memory = (int(v) for v in b.rng.integers(1, 6, 5))
    memory += 1
    x, y = f32(b, [batch, inp]), f32(b, [batch, units])
    state = f32(b, [batch, units * rank * memory])
    b.tensors[state].isVariable = True
    b.op("SVDF", [x, weights(b, units * rank, inp), weights(b, units * rank, memory), weights(b, units), state], [y],
         options(S.SVDFOptionsT, rank=rank, fusedActivationFunction=S.ActivationFunctionType.RELU))
    return [x], [y]


STATEFUL = {"svdf": svdf, "lstm": lstm(False, False), "lstm_time_major_peepholes": lstm(True, True)}


@pytest.mark.parametrize("case", list(STATEFUL))
def test_state_is_kept_between_runs_as_litert_keeps_it(case, tmp_path):
    """Runs in sequence, with no reset: SVDF's memory and the LSTM's h and c carry over on both sides alike; then
    <name>_reset_state() starts them over (the generated C, run again on the first input)."""
    b = TFLiteBuilder(seed=len(case))
    inputs, outputs = STATEFUL[case](b)
    path = tmp_path / "stateful.tflite"
    path.write_bytes(b.finish(inputs, outputs))
    interp = litert_interpreter(path)
    rng = np.random.default_rng(len(case))
    batches = [[sample("any", d["shape"], rng) for d in interp.get_input_details()] for _ in range(6)]
    want = []
    for inputs_k in batches:
        for d, x in zip(interp.get_input_details(), inputs_k):
            interp.set_tensor(d["index"], x)
        interp.invoke()
        want.append(np.array(interp.get_tensor(interp.get_output_details()[0]["index"])))
    result = compile_model(path, "host", tmp_path / "out", CompileOptions(measure_code=False))
    variables = [i for i in b.operators[-1].inputs if i >= 0 and b.tensors[i].isVariable]
    assert result.report["state_bytes"] == sum(4 * int(np.prod(b.shape(i))) for i in variables)
    exe = build_host_executable(result.out_dir, result.report, tmp_path / "build", sanitize=True)
    got = run_host_executable_many(exe, result.report, batches, tmp_path / "run")
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g[0], w.reshape(g[0].shape), rtol=TOLERANCE, atol=TOLERANCE, err_msg=f"run {k}")
    assert not np.allclose(want[0], want[-1]), "the memory makes no difference"

    # <name>_reset_state(): the first input again gives the first output again, and without it does not
    driver = tmp_path / "reset.c"
    driver.write_text("""#include <stdio.h>
#include <string.h>
#include "model.h"
int main(void) {
    static float x[STATEFUL_INPUT0_ELEMS], first[STATEFUL_OUTPUT0_ELEMS], again[STATEFUL_OUTPUT0_ELEMS], later[STATEFUL_OUTPUT0_ELEMS];
    for (unsigned i = 0; i < STATEFUL_INPUT0_ELEMS; ++i) x[i] = (float)(i % 7) * 0.25f - 0.5f;
    if (stateful_run(x, first) || stateful_run(x, later)) return 2;
    stateful_reset_state();
    if (stateful_run(x, again)) return 2;
    return memcmp(first, again, sizeof first) != 0 ? 3 : memcmp(first, later, sizeof first) == 0 ? 4 : 0;
}
""")
    exe = tmp_path / "reset"
    subprocess.run(["gcc", "-std=c99", *WARNING_FLAGS, *SANITIZE_FLAGS, "-I", str(result.out_dir),
                    *map(str, c_sources(result.out_dir)), str(driver), "-o", str(exe), "-lm"], check=True)
    assert subprocess.run([str(exe)]).returncode == 0


def test_data_movement_into_another_type_is_refused(tmp_path):
    """A float REVERSE_V2 whose output claims int64 (a fuzzed file): a clear error, not an internal one."""
    from conftest import run_edgec

    b = TFLiteBuilder(seed=4)
    x, y = f32(b, [2, 3]), b.tensor([2, 3], "int64")
    b.op("REVERSE_V2", [x, const(b, np.array([1], np.int32))], [y])
    path = tmp_path / "reverse_int64.tflite"
    path.write_bytes(b.finish([x], [y]))
    proc = run_edgec("compile", path, "-o", tmp_path / "out")
    assert proc.returncode != 0 and "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert "(REVERSE_V2): input tensor 0" in proc.stderr and "is float32, but output" in proc.stderr \
        and "is int64" in proc.stderr, proc.stderr
