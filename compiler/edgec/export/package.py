"""Compile a model for an app and write its package: the compile pipeline as `edgec compile` runs it, with the
portable kernels (C that builds for every Android ABI and Apple arch), then android.py or ios.py. The Android
module swaps in each ABI's own kernel set (android.ABI_KERNEL_SETS: NEON on arm64-v8a and armeabi-v7a), the Swift
package each architecture's (ios.ARCHITECTURES: the same sets for arm64 and x86_64); the generated model C does
not depend on which set implements its kernels."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from ..config import Config, load_config, load_target
from ..errors import EdgecError
from ..pipeline import CompileOptions, CompileResult, compile_model
from .interface import model_interface

# Portable C kernels (runtimes/optimized, then runtimes/reference): no ISA extensions, no GNU C vectors.
PORTABLE_TARGET = "host"
PORTABLE_KERNELS = ("optimized", "reference")


def export_model(model: Path, platform: str, out: Path, options: CompileOptions | None = None,
                 config: Config | None = None, package: str | None = None,
                 class_name: str | None = None, target: str | None = None) -> tuple[CompileResult, list[Path]]:
    """Compile `model` and write the `platform` ("android" or "ios") package into `out`; the compile result and the
    files written. target: None for the portable C kernels, or a GPU target (opencl, vulkan; Android only): its
    device kernels and plain-C host, which loads the GPU driver at run time."""
    from .android import write_android_module
    from .ios import write_swift_package
    from .jni_glue import check_package, default_package

    config = config or load_config()
    options = options or CompileOptions(measure_code=False)
    chosen = load_target(target or PORTABLE_TARGET, config)
    if chosen.backend == "c" and chosen.name != PORTABLE_TARGET:
        raise EdgecError(f"edgec export builds the portable C kernels (no --target) or a GPU build (--target opencl "
                         f"or vulkan), not --target {chosen.name}")
    if chosen.backend != "c" and platform != "android":
        raise EdgecError(f"--target {chosen.name}: the GPU build is exported for Android only")
    with tempfile.TemporaryDirectory(prefix="edgec-export-") as tmp:
        c_dir = Path(tmp) / "c"
        # the C build takes the portable kernel sets; android.py swaps in each ABI's own
        build = chosen if chosen.backend != "c" else dataclasses.replace(chosen, kernels=PORTABLE_KERNELS)
        result = compile_model(model, build, c_dir, options, config, check_fit=False)
        iface = model_interface(result.report, result.graph, class_name)
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        if platform == "android":
            package = check_package(package or default_package(iface.name))
            files = write_android_module(c_dir, c_dir / "report.json", iface, package, out)
        else:
            files = write_swift_package(c_dir, c_dir / "report.json", iface, out)
    return result, files
