"""Float TFLite operators TVM's TFLite importer gets wrong or cannot convert, converted here instead.

`FloatOperatorConverter` is the `op_converter` handed to TVM's `from_tflite` (after the hybrid one,
tflite_hybrid.py). It replaces these converters:

- data movement (REVERSE_V2, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, MIRROR_PAD, RESIZE_NEAREST_NEIGHBOR,
  BROADCAST_TO, TILE, GATHER_ND): TVM has no kernel edgec can run for some (flip, tile, the TOPI space / batch
  calls), refuses MIRROR_PAD's SYMMETRIC mode and leaves nearest resizing without a rounding rule. Each becomes
  the extern `edgec.gather_axes` with its index map, computed by the same NumPy description the int8 importer
  uses where it has one (tflite_int8_movement.py, after TFLite Micro's reference kernels), so float and int8
  move the same elements;
- RESIZE_BILINEAR as edgec's resize taps (TVM's constant folding divides by zero on align_corners to size 1);
- EXPAND_DIMS (TVM's call has a stale signature: a TypeError on every model);
- GELU with approximate=True (TVM computes the erf form whatever the option);
- ARG_MAX / ARG_MIN and CUMSUM as the externs the ONNX importer uses (ops/arg_reduce.py, ops/scan.py): TVM's
  CUMSUM refuses reverse, and relax.argmax has no kernel here;
- SHAPE, FILL and BROADCAST_ARGS folded to constants; EMBEDDING_LOOKUP (TVM swaps its inputs);
- DYNAMIC_UPDATE_SLICE on edgec's byte-moving kernel (ops/update_slice.py; TVM has no converter for it);
- REDUCE_ALL / REDUCE_ANY on edgec's all / any kernel (TVM goes through int8 casts);
- SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM (tflite_lstm.py) and DETECTION_POSTPROCESS (tflite_detection.py) on
  edgec's kernels.
Every converter's failure is reported naming the operator's output tensor and the reason.
"""

from __future__ import annotations

import numpy as np
import tvm
from tvm import relax

from ..errors import EdgecError, UnsupportedModelError
from .onnx_converters import _extern
from .tflite_detection import convert_detection_postprocess
from .tflite_hybrid import HybridOperatorConverter, activation_name
from .tflite_int8 import _options, _Reader
from .tflite_int8_movement import _axis, _const_ints, index_maps, space_to_batch_map, space_to_batch_padding
from .tflite_lstm import convert_unidirectional_lstm

# Operators whose one output is the int8 importer's index map (tflite_int8_movement.index_maps) of the input
INDEX_MAP_OPS = ("REVERSE_V2", "BATCH_TO_SPACE_ND", "MIRROR_PAD", "RESIZE_NEAREST_NEIGHBOR", "BROADCAST_TO",
                 "GATHER_ND")


def gather(x, index_map: np.ndarray, dtype: str):
    """Output element i = input element index_map.flat[i] (ops/gather_axes.py picks the copy)."""
    return relax.call_dps_packed(_extern("edgec.gather_axes", {}),
                                 relax.Tuple([x, relax.const(np.ascontiguousarray(index_map, np.int64))]),
                                 out_ty=relax.TensorType([int(d) for d in index_map.shape], dtype))


class _ReaderWithFolded(_Reader):
    """The flatbuffer reader, where a tensor's value is also known when an earlier converter made it a constant
    (SHAPE, FILL, BROADCAST_ARGS): the index maps and the converters below read both alike."""

    def __init__(self, model, exp_tab):
        super().__init__(model)
        self.exp_tab = exp_tab

    def data(self, i: int) -> np.ndarray | None:
        value = super().data(i)
        if value is None and self.exp_tab.has_expr(self.name(i)):
            expr = self.exp_tab.get_expr(self.name(i))
            value = expr.value.numpy() if isinstance(expr, tvm.ir.expr.Constant) else None
        return value


class FloatOperatorConverter(HybridOperatorConverter):
    """TVM's TFLite converter with edgec's float converters (see the module docstring)."""

    def __init__(self, model, subgraph, exp_tab, bb):
        super().__init__(model, subgraph, exp_tab, bb)
        self._reader = _ReaderWithFolded(model, exp_tab)
        for kind in INDEX_MAP_OPS:
            self.convert_map[kind] = self.convert_by_index_map
        self.convert_map.update({
            "SPACE_TO_BATCH_ND": self.convert_space_to_batch, "TILE": self.convert_tile,
            "SVDF": self.convert_svdf,
            "RESIZE_BILINEAR": self.convert_resize_bilinear, "EMBEDDING_LOOKUP": self.convert_embedding_lookup,
            "SHAPE": self.convert_shape, "FILL": self.convert_fill, "BROADCAST_ARGS": self.convert_broadcast_args,
            "UNIDIRECTIONAL_SEQUENCE_LSTM": lambda op: convert_unidirectional_lstm(self, op),
            "DETECTION_POSTPROCESS": lambda op: convert_detection_postprocess(self, op),
            "EXPAND_DIMS": self.convert_reshape_to_output, "GELU": self.convert_gelu_approximate,
            "ARG_MAX": self.convert_arg_max, "ARG_MIN": self.convert_arg_min, "CUMSUM": self.convert_cumsum,
            "DYNAMIC_UPDATE_SLICE": self.convert_dynamic_update_slice,
            "REDUCE_ALL": lambda op: self.convert_reduce_bool(op, 1),
            "REDUCE_ANY": lambda op: self.convert_reduce_bool(op, 0),
        })
        self.convert_map = {kind: self._naming_the_node(kind, fn) for kind, fn in self.convert_map.items()}

    def _naming_the_node(self, kind: str, convert):
        """A converter's failure (ours, or TVM's OpNotImplemented on an option it lacks) as the user's error,
        naming the operator's output tensor and the reason."""
        def run(op):
            try:
                return convert(op=op)
            except EdgecError:
                raise
            except Exception as exc:  # noqa: BLE001 - any converter failure is a refusal of this node
                outs = op.OutputsAsNumpy()
                node = self._reader.name(int(outs[0])) if len(outs) and outs[0] >= 0 else "?"
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
                raise UnsupportedModelError([(node, kind, reason)]) from None
        return run

    # -- helpers -------------------------------------------------------------------------------------------
    def _io(self, op) -> tuple[list[int], list[int]]:
        return [int(i) for i in op.InputsAsNumpy()], [int(i) for i in op.OutputsAsNumpy()]

    def _dtype(self, i: int) -> str:
        return self._reader.dtype(i)

    def _expr(self, i: int):
        """An input as a Relax value: a constant of the file, or what an earlier operator computed."""
        value = self._reader.data(i)
        return relax.const(value) if value is not None else self.get_expr(i)

    # -- converters ----------------------------------------------------------------------------------------
    def convert_by_index_map(self, op):
        import tflite

        kind = self.get_op_code_str(op)
        ins, outs = self._io(op)
        (index_map,) = index_maps(kind, self._reader, op, ins, outs, _options, tflite)
        return gather(self.get_expr(ins[0]), index_map, self._dtype(outs[0]))

    def convert_space_to_batch(self, op):
        """Zero padding, then the block reordering (tflite_int8_movement.space_to_batch_map) as a gather."""
        ins, outs = self._io(op)
        width, _ = space_to_batch_padding(self._reader, ins)
        x = self.get_expr(ins[0])
        if any(width):
            x = self.bb.normalize(relax.op.nn.pad(x, width, pad_value=0.0))
        return gather(x, space_to_batch_map(self._reader, ins, outs), self._dtype(outs[0]))

    def convert_tile(self, op):
        ins, outs = self._io(op)
        shape = self._reader.shape(ins[0])
        multiples = _const_ints(self._reader, ins[1], "multiples")
        if multiples.size != len(shape) or np.any(multiples < 0):
            raise NotImplementedError(f"multiples {multiples.tolist()} for an input of {list(shape)}")
        index_map = np.tile(np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape), multiples.tolist())
        return gather(self.get_expr(ins[0]), index_map, self._dtype(outs[0]))

    def convert_embedding_lookup(self, op):
        """table rows by run-time ids (TVM's converter swaps the two inputs); an id outside the table gives a zero
        row (edgec's gather never reads outside it; LiteRT stops with an error)."""
        ins, _ = self._io(op)
        return relax.op.take(self._expr(ins[1]), self._expr(ins[0]), axis=0)

    def convert_shape(self, op):
        """Static shapes: the output is a constant (what FILL, RESHAPE and BROADCAST_ARGS read after it)."""
        ins, outs = self._io(op)
        return relax.const(np.array(self._reader.shape(ins[0]), self._dtype(outs[0])))

    def convert_fill(self, op):
        ins, outs = self._io(op)
        dims, value = _const_ints(self._reader, ins[0], "the dims"), self._reader.data(ins[1])
        if value is None or value.size != 1:
            raise NotImplementedError("the fill value must be one value known at compile time")
        return relax.const(np.full([int(d) for d in dims], value.reshape(()), self._dtype(outs[0])))

    def convert_broadcast_args(self, op):
        ins, outs = self._io(op)
        a, b = _const_ints(self._reader, ins[0], "shape 0"), _const_ints(self._reader, ins[1], "shape 1")
        try:
            shape = np.broadcast_shapes(tuple(a.tolist()), tuple(b.tolist()))
        except ValueError:
            raise NotImplementedError(f"shapes {a.tolist()} and {b.tolist()} do not broadcast") from None
        return relax.const(np.array(shape, self._dtype(outs[0])))

    def convert_resize_bilinear(self, op):
        """As edgec's resize taps (ops/resize.py) rather than relax's resize2d, which TVM's constant folding
        divides by zero on (align_corners with an output of size 1). TFLite's coordinates are ONNX's
        align_corners (the size-1 axis reads index 0, as TFLite's in / out scale does there), half_pixel (below
        0 clamped to the first row, as there) or asymmetric."""
        import tflite

        ins, outs = self._io(op)
        o = _options(op, tflite.ResizeBilinearOptions)
        if o.AlignCorners() and o.HalfPixelCenters():
            raise NotImplementedError("align_corners and half_pixel_centers together")
        in_shape, out_shape = self._reader.shape(ins[0]), [int(d) for d in self._reader.shape(outs[0])]
        if len(in_shape) != 4 or len(out_shape) != 4:
            raise NotImplementedError(f"input {list(in_shape)} and output {out_shape} (NHWC expected)")
        mode = "align_corners" if o.AlignCorners() else "half_pixel" if o.HalfPixelCenters() else "asymmetric"
        func = _extern("edgec.resize2d", dict(
            roi=[0.0, 0.0, 1.0, 1.0], method="linear", coordinate_transformation_mode=mode, rounding_method="",
            cubic_alpha=-0.75, cubic_exclude=0, extrapolation_value=0.0, antialias=0, layout="NHWC",
            scales=[out_shape[1] / in_shape[1], out_shape[2] / in_shape[2]]))
        return relax.call_dps_packed(func, relax.Tuple([self.get_expr(ins[0])]),
                                     out_ty=relax.TensorType(out_shape, self._dtype(outs[0])))

    def convert_svdf(self, op):
        """SVDF (svdf.cc): its state (input 4, a variable tensor) becomes edgec's state kept between runs."""
        import tflite

        from ..ops.hybrid import ACTIVATIONS

        ins, outs = self._io(op)
        if len(ins) < 5 or min(ins[:3]) < 0 or ins[4] < 0:
            raise NotImplementedError("input, weights_feature, weights_time and state are required")
        o = _options(op, tflite.SVDFOptions)
        act = activation_name(o.FusedActivationFunction())
        if act not in ACTIVATIONS:
            raise NotImplementedError(f"fused activation {act}")
        x, wf, wt = (list(self._reader.shape(i)) for i in ins[:3])
        state, y = list(self._reader.shape(ins[4])), [int(d) for d in self._reader.shape(outs[0])]
        rank = int(o.Rank())
        filters, memory = (wt[0], wt[1]) if len(wt) == 2 else (0, 0)
        if len(x) != 2 or rank < 1 or len(wf) != 2 or wf != [filters, x[1]] or filters % rank or \
                y != [x[0], filters // rank] or state != [x[0], filters * memory]:
            raise NotImplementedError(f"shapes: input {x}, weights_feature {wf}, weights_time {wt}, state {state}, "
                                      f"output {y}, rank {rank}")
        initial = self._reader.data(ins[4])
        if initial is not None and np.any(initial):
            raise NotImplementedError("a state that does not start at zero")
        if any(self._dtype(i) != "float32" for i in ins[:3]):
            raise NotImplementedError("only float32 weights (a hybrid SVDF is not supported)")
        args = [self.get_expr(ins[0]), self._expr(ins[1]), self._expr(ins[2])]
        if len(ins) > 3 and ins[3] >= 0:
            args.append(self._expr(ins[3]))
        lo, hi = ACTIVATIONS[act]
        func = _extern("edgec.svdf", dict(units=filters // rank, rank=rank, memory=memory, act_min=float(lo),
                                          act_max=float(hi)))
        return relax.call_dps_packed(func, relax.Tuple(args), out_ty=relax.TensorType(y, "float32"))

    def convert_reshape_to_output(self, op):
        ins, outs = self._io(op)
        return relax.op.reshape(self.get_expr(ins[0]), [int(d) for d in self._reader.shape(outs[0])])

    def convert_gelu_approximate(self, op):
        import tflite

        ins, _ = self._io(op)
        if _options(op, tflite.GeluOptions).Approximate():
            return relax.op.nn.gelu_tanh(self.get_expr(ins[0]))
        return relax.op.nn.gelu(self.get_expr(ins[0]))

    def _arg_reduce(self, op, is_min: int):
        ins, outs = self._io(op)
        shape = self._reader.shape(ins[0])
        (axis,) = _const_ints(self._reader, ins[1], "axis").tolist() or [0]
        axis = _axis(int(axis), len(shape))
        out_shape = [int(d) for k, d in enumerate(shape) if k != axis]
        # TFLite keeps the first index of equal values (a strict comparison): select_last 0
        y = relax.call_dps_packed(_extern("edgec.arg_reduce", dict(axis=axis, is_min=is_min, select_last=0)),
                                  relax.Tuple([self.get_expr(ins[0])]), out_ty=relax.TensorType(out_shape, "int64"))
        out_dtype = self._dtype(outs[0])
        return y if out_dtype == "int64" else relax.op.astype(self.bb.normalize(y), out_dtype)

    def convert_arg_max(self, op):
        return self._arg_reduce(op, 0)

    def convert_arg_min(self, op):
        return self._arg_reduce(op, 1)

    def convert_cumsum(self, op):
        import tflite

        ins, outs = self._io(op)
        shape = self._reader.shape(ins[0])
        (axis,) = _const_ints(self._reader, ins[1], "axis").tolist()
        o = _options(op, tflite.CumsumOptions)
        func = _extern("edgec.cumsum", dict(axis=_axis(int(axis), len(shape)), exclusive=int(o.Exclusive()),
                                            reverse=int(o.Reverse())))
        return relax.call_dps_packed(func, relax.Tuple([self.get_expr(ins[0])]),
                                     out_ty=relax.TensorType(list(shape), self._dtype(outs[0])))

    def convert_dynamic_update_slice(self, op):
        """The start indices may be known only at run time; the kernel clamps them as TFLite Micro does."""
        from ..ops.update_slice import check_update_slice

        ins, outs = self._io(op)
        r = self._reader
        check_update_slice(r.shape(ins[0]), r.shape(ins[1]), r.shape(ins[2]), r.dtype(ins[2]))
        args = [self._expr(i) for i in ins[:3]]
        return relax.call_dps_packed(_extern("edgec.dynamic_update_slice", {}), relax.Tuple(args),
                                     out_ty=relax.TensorType([int(d) for d in self._reader.shape(outs[0])],
                                                             self._dtype(outs[0])))

    def convert_reduce_bool(self, op, is_all: int):
        ins, outs = self._io(op)
        rank = len(self._reader.shape(ins[0]))
        axes = sorted({_axis(int(a), rank) for a in _const_ints(self._reader, ins[1], "axes")})
        return relax.call_dps_packed(_extern("edgec.reduce_bool", dict(axes=axes, all=is_all)),
                                     relax.Tuple([self.get_expr(ins[0])]),
                                     out_ty=relax.TensorType([int(d) for d in self._reader.shape(outs[0])], "bool"))
