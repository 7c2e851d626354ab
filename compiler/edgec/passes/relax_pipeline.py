"""TVM's Relax passes that run before lowering to edgec's IR."""

from __future__ import annotations

import tvm
from tvm import relax

from .fold_constants import fold_constants_numpy
from .gather_index_wrap import gather_index_wrap
from .normalize_axes import normalize_axes


# Microcontroller kernels (ours, CMSIS-NN, TFLite Micro) work channels-last: contiguous channels make the
# inner loops of pointwise and depthwise convolutions dense. NCHW models (ONNX) are converted once at import;
# TVM puts a transpose at the input and wherever a layout-sensitive op (reshape, flatten) needs the old order.
# Pooling and element-wise ops follow the layout of their producer (TVM does not take a desired layout for them).
CHANNELS_LAST = {"relax.nn.conv2d": ["NHWC", "OHWI"]}


def optional_pass(inner: tvm.transform.Pass, name: str) -> tvm.transform.Pass:
    """`inner`, or the module unchanged when TVM fails inside it. ConvertLayout is an optimisation: the kernels
    also run NCHW, so a TVM internal error there (seen on graphs TVM's layout inference does not cover) must
    cost speed, never the compile."""

    @tvm.transform.module_pass(opt_level=0, name=f"edgec.optional.{name}")
    def run(mod, _ctx):
        try:
            return inner(mod)
        except Exception:  # noqa: BLE001 - TVM raises InternalError, ValueError, TypeError, ...
            return mod

    return run


def relax_passes() -> list[tuple[str, tvm.transform.Pass]]:
    return [
        ("fold-batchnorm-to-conv2d", relax.transform.FoldBatchnormToConv2D()),
        ("decompose-for-inference", relax.transform.DecomposeOpsForInference()),
        # Fold first: the BatchNorm folding leaves conv weights as expressions, which ConvertLayout cannot take.
        # numpy folds the common arithmetic in milliseconds; TVM's FoldConstant (a build per call) the rest.
        ("fold-constant-numpy-before-layout", fold_constants_numpy),
        ("fold-constant-before-layout", relax.transform.FoldConstant()),
        ("normalize-axes", normalize_axes),  # ConvertLayout aborts on negative squeeze axes
        ("convert-layout-nhwc", optional_pass(relax.transform.ConvertLayout(CHANNELS_LAST), "convert-layout")),
        ("fold-constant-numpy", fold_constants_numpy),
        ("fold-constant", relax.transform.FoldConstant()),
        ("canonicalize-bindings", relax.transform.CanonicalizeBindings()),
        ("gather-index-wrap", gather_index_wrap),  # before DCE, which then drops the wrap
        ("dead-code-elimination", relax.transform.DeadCodeElimination()),
    ]
