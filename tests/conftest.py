"""Shared fixtures. Tools the tests need must be installed (.ci/setup does it): a missing one fails, never skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Test this checkout's compiler, in this process and in the edgec subprocesses the tests start, whatever
# `pip install -e` points at (it may be another worktree).
sys.path.insert(0, str(REPO / "compiler"))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "compiler"), os.environ.get("PYTHONPATH")]))
MLPERF = REPO / "model_zoo" / "mlperf_tiny"  # the MLPerf Tiny reference models ship with the repository
TINY_CNN = REPO / "model_zoo" / "models" / "tiny_cnn.onnx"


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"'{tool}' is not installed: run `bash .ci/setup`")
    return path


@pytest.fixture(scope="session")
def mlperf_dir() -> Path:
    if not MLPERF.is_dir():
        pytest.fail(f"MLPerf Tiny models not found at {MLPERF}")
    return MLPERF


# Compilers and flags every generated C file must build under, warning-free and freestanding.
STRICT_C_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-c"]
COMPILERS = [
    ("gcc", ["-O2"]),
    ("clang", ["-O2"]),
    ("arm-none-eabi-gcc", ["-O2", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"]),
    ("arm-none-eabi-gcc", ["-Os", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"]),
]


def assert_compiles_warning_free(out_dir: Path, obj_dir: Path, cc: str, flags: list[str]) -> None:
    require(cc)
    for src in sorted(out_dir.glob("*.c")):
        proc = subprocess.run([cc, *flags, *STRICT_C_FLAGS, "-I", str(out_dir), str(src), "-o", str(obj_dir / (src.stem + ".o"))],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{cc} {src.name}:\n{proc.stderr}"


def run_edgec(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    return subprocess.run([sys.executable, "-m", "edgec", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


# Test helpers that live beside the tests (e.g. int8_numpy.py) are importable from them.
sys.path.insert(0, str(Path(__file__).parent))
