"""TVM's Relax passes that run before lowering to edgec's IR."""

from __future__ import annotations

import tvm
from tvm import relax


def relax_passes() -> list[tuple[str, tvm.transform.Pass]]:
    return [
        ("fold-batchnorm-to-conv2d", relax.transform.FoldBatchnormToConv2D()),
        ("decompose-for-inference", relax.transform.DecomposeOpsForInference()),
        ("fold-constant", relax.transform.FoldConstant()),
        ("canonicalize-bindings", relax.transform.CanonicalizeBindings()),
        ("dead-code-elimination", relax.transform.DeadCodeElimination()),
    ]
