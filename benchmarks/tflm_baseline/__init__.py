"""TFLite Micro (CMSIS-NN kernels and reference kernels) built by the project from its pinned public sources, as
the baseline the int8 benchmarks measure in the same run as edgec: `python benchmarks/tflm_baseline --help`."""

from .build import VARIANTS, Baseline, BuildError, baseline, tflm_cache
from .measure import measure_tflm
from .sources import PINS, SourceError

__all__ = ["VARIANTS", "Baseline", "BuildError", "baseline", "tflm_cache", "measure_tflm", "PINS", "SourceError"]
