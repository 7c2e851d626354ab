"""TFLite's DETECTION_POSTPROCESS custom operator ("TFLite_Detection_PostProcess", what the TensorFlow Object
Detection API's SSD exports end in) as the extern `edgec.detection_postprocess` (ops/detection.py). Its
options are a flexbuffer map in the operator's custom options. Fast NMS only (use_regular_nms = false, the
exporter's default): regular NMS is refused naming the node."""

from __future__ import annotations

import numpy as np
from tvm import relax

from .onnx_converters import _extern


def convert_detection_postprocess(conv, op):
    from flatbuffers import flexbuffers

    r = conv._reader
    ins, outs = [int(i) for i in op.InputsAsNumpy()], [int(i) for i in op.OutputsAsNumpy()]
    if len(ins) != 3 or len(outs) != 4:
        raise NotImplementedError(f"{len(ins)} inputs and {len(outs)} outputs (3 and 4 expected)")
    raw = op.CustomOptionsAsNumpy() if op.CustomOptionsLength() else None
    try:
        o = flexbuffers.Loads(bytes(raw)) if raw is not None else None
    except Exception as exc:  # noqa: BLE001 - a damaged options blob
        raise NotImplementedError(f"its custom options are not a flexbuffer map ({exc})") from None
    if not isinstance(o, dict):
        raise NotImplementedError("its custom options are missing (a flexbuffer map is expected)")
    if o.get("use_regular_nms", False):
        raise NotImplementedError("use_regular_nms = true (edgec runs the fast NMS only)")
    if any(r.dtype(i) != "float32" for i in ins + outs):  # TFLite Micro's kernel is float only too
        raise NotImplementedError(f"tensors of types {[r.dtype(i) for i in ins + outs]} (float32 only)")
    boxes, scores, anchors = (list(r.shape(i)) for i in ins)
    n = anchors[0] if len(anchors) == 2 else -1
    if len(anchors) != 2 or anchors[1] != 4 or boxes[-2:] != [n, 4] or len(scores) < 2 or scores[-2] != n \
            or int(np.prod(boxes[:-2])) != 1 or int(np.prod(scores[:-2])) != 1:
        raise NotImplementedError(f"box encodings {boxes}, scores {scores} and anchors {anchors} do not fit "
                                  "(batch 1, [anchors, 4] boxes)")
    num_classes = int(o.get("num_classes", 0))
    with_background = scores[-1]
    max_det, per_det = int(o.get("max_detections", 0)), int(o.get("max_classes_per_detection", 1))
    if not 1 <= num_classes <= with_background or max_det < 1 or per_det < 1:
        raise NotImplementedError(f"num_classes {num_classes} (scores have {with_background}), max_detections "
                                  f"{max_det}, max_classes_per_detection {per_det}")
    scales = [float(o.get(k, 0.0)) for k in ("y_scale", "x_scale", "h_scale", "w_scale")]
    if any(s == 0.0 for s in scales):
        raise NotImplementedError(f"scales {scales} (none may be 0)")
    slots = max_det * per_det
    want = [[1, slots, 4], [1, slots], [1, slots], [1]]
    if [list(r.shape(i)) for i in outs] != want:
        raise NotImplementedError(f"outputs {[list(r.shape(i)) for i in outs]}, expected {want}")
    attrs = dict(num_anchors=n, num_classes_with_background=with_background,
                 label_offset=with_background - num_classes, num_classes=num_classes,
                 classes_per_anchor=min(per_det, num_classes), max_classes_per_detection=per_det,
                 max_detections=max_det, score_threshold=float(o.get("nms_score_threshold", 0.0)),
                 iou_threshold=float(o.get("nms_iou_threshold", 0.0)), y_scale=scales[0], x_scale=scales[1],
                 h_scale=scales[2], w_scale=scales[3])
    args = [relax.op.reshape(conv._expr(ins[0]), [n, 4]), relax.op.reshape(conv._expr(ins[1]), [n, with_background]),
            conv._expr(ins[2])]
    call = relax.call_dps_packed(_extern("edgec.detection_postprocess", attrs),
                                 relax.Tuple([conv.bb.normalize(a) for a in args]),
                                 out_ty=[relax.TensorType(s, "float32") for s in want])
    call = conv.bb.normalize(call)
    return relax.Tuple([conv.bb.normalize(relax.TupleGetItem(call, k)) for k in range(4)])
