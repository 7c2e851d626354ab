"""int8 TFLite operators whose output is known at compile time, folded to constants as the float importer folds
them (tflite_float.py): SHAPE and BROADCAST_ARGS (int32 shapes; the shapes are static), FILL (dims and value in
the file, or folded before it; an int8 value is stored as is, as TFLite Micro's fill.cc copies it) and ZEROS_LIKE
(TFLite Micro's zeros_like.cc writes 0 into the stored int8 values, whatever the zero point). The importer keeps
the values in its reader (`_Reader.folded`), where later operators read them as they read the file's constants."""

from __future__ import annotations

import numpy as np

from .tflite_int8_movement import BadParameters, _const_ints

FOLDED_OPS = {"SHAPE", "BROADCAST_ARGS", "FILL", "ZEROS_LIKE"}
SHAPE_TYPES = ("int32", "int64")


def folded_value(kind: str, r, ins: list[int], outs: list[int]) -> np.ndarray:
    out_dtype, out_shape = r.dtype(outs[0]), list(r.shape(outs[0]))
    if kind == "SHAPE":
        if out_dtype not in SHAPE_TYPES:
            raise NotImplementedError(f"a shape of {out_dtype}")
        value = np.array(r.shape(ins[0]), out_dtype)
    elif kind == "BROADCAST_ARGS":
        a, b = _const_ints(r, ins[0], "shape 0"), _const_ints(r, ins[1], "shape 1")
        try:
            value = np.array(np.broadcast_shapes(tuple(a.tolist()), tuple(b.tolist())), out_dtype)
        except ValueError:
            raise BadParameters(f"shapes {a.tolist()} and {b.tolist()} do not broadcast") from None
    elif kind == "FILL":
        dims, fill = _const_ints(r, ins[0], "the dims"), r.data(ins[1])
        if fill is None or fill.size != 1:
            raise NotImplementedError("the fill value must be one value known at compile time")
        if r.dtype(ins[1]) != out_dtype:
            raise BadParameters(f"a {r.dtype(ins[1])} value for a {out_dtype} output")
        value = np.full([int(d) for d in dims], fill.reshape(()), out_dtype)
    else:  # ZEROS_LIKE
        value = np.zeros(r.shape(ins[0]), r.dtype(ins[0]))
    if list(value.shape) != out_shape or value.dtype != np.dtype(out_dtype):
        raise BadParameters(f"output {out_dtype} {out_shape}, but the operator gives {value.dtype} "
                            f"{list(value.shape)}")
    return value
