"""TFLite's DETECTION_POSTPROCESS custom operator (SSD detectors), float32, fast NMS: one kernel call
(runtimes/reference/edgec_detection_postprocess_f32.c). The float TFLite importer reads its options from the
operator's flexbuffer (frontend/tflite_detection.py) and emits the extern `edgec.detection_postprocess`.

IR node: inputs box encodings [anchors, 4], scores [anchors, classes with background], anchors [anchors, 4];
outputs boxes, classes, scores, num_detections, then the kernel's int32 scratch (an arena tensor live only
during the call: decoded boxes, best scores and classes, the kept anchors' order)."""

from __future__ import annotations

from . import kernel
from .hybrid import extern

PARAMS = ("num_anchors", "num_classes_with_background", "label_offset", "num_classes", "classes_per_anchor",
          "max_classes_per_detection", "max_detections")
FLOAT_PARAMS = ("score_threshold", "iou_threshold", "y_scale", "x_scale", "h_scale", "w_scale")


def scratch_words(num_anchors: int, classes_per_anchor: int) -> int:
    return num_anchors * (6 + classes_per_anchor)


@extern("edgec.detection_postprocess")
def lower_detection_postprocess(ctx, call, attrs, args, out):
    names = [ctx.tensor(a) for a in args]
    for n in names:
        if ctx.graph.tensors[n].dtype != "float32":
            raise NotImplementedError(f"DETECTION_POSTPROCESS of {ctx.graph.tensors[n].dtype} (float32 only)")
    a = {k: int(attrs[k]) for k in PARAMS} | {k: float(attrs[k]) for k in FLOAT_PARAMS}
    results = [ctx.new_tensor(f"detection_{k}", *o) for k, o in zip(("boxes", "classes", "scores", "count"), out)]
    scratch = ctx.new_tensor("detection_scratch", (scratch_words(a["num_anchors"], a["classes_per_anchor"]),), "int32")
    ctx.emit("detection_postprocess", names, None, None, a, out=results[0])
    ctx.graph.nodes[-1].outputs[1:] = [*results[1:], scratch]
    return tuple(results)


@kernel("detection_postprocess")
def emit_detection_postprocess(node, ctx):
    a = node.attrs
    params = ctx.static_params("edgec_detection_postprocess_params",
                               {k: a[k] for k in PARAMS} | {k: a[k] for k in FLOAT_PARAMS})
    ctx.use("edgec_detection_postprocess_f32")
    ins = ", ".join(ctx.ptr(t, const=True) for t in node.inputs)
    outs = ", ".join(ctx.ptr(t) for t in node.outputs)
    return f"edgec_detection_postprocess_f32({ins}, {outs}, {params});"
