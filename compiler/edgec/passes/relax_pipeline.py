"""TVM's Relax passes that run before lowering to edgec's IR."""

from __future__ import annotations

import tvm
from tvm import relax

from .normalize_axes import normalize_axes


# Microcontroller kernels (ours, CMSIS-NN, TFLite Micro) work channels-last: contiguous channels make the
# inner loops of pointwise and depthwise convolutions dense. NCHW models (ONNX) are converted once at import;
# TVM puts a transpose at the input and wherever a layout-sensitive op (reshape, flatten) needs the old order.
# Pooling and element-wise ops follow the layout of their producer (TVM does not take a desired layout for them).
CHANNELS_LAST = {"relax.nn.conv2d": ["NHWC", "OHWI"]}


def relax_passes() -> list[tuple[str, tvm.transform.Pass]]:
    return [
        ("fold-batchnorm-to-conv2d", relax.transform.FoldBatchnormToConv2D()),
        ("decompose-for-inference", relax.transform.DecomposeOpsForInference()),
        # Fold first: the BatchNorm folding leaves conv weights as expressions, which ConvertLayout cannot take.
        ("fold-constant-before-layout", relax.transform.FoldConstant()),
        ("normalize-axes", normalize_axes),  # ConvertLayout aborts on negative squeeze axes
        ("convert-layout-nhwc", relax.transform.ConvertLayout(CHANNELS_LAST)),
        ("fold-constant", relax.transform.FoldConstant()),
        ("canonicalize-bindings", relax.transform.CanonicalizeBindings()),
        ("dead-code-elimination", relax.transform.DeadCodeElimination()),
    ]
