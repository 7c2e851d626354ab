"""Shared by the board tests: build small firmwares, find leftover QEMU processes, a tiny ONNX model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from edgec.board.boards import load_board
from edgec.board.firmware import link_firmware, template_sources

from conftest import MLPERF as MODELS

HERE = Path(__file__).parent
AD01 = MODELS / "ad01_fp32.tflite"


def require_tools() -> None:
    """Tests that need the cross compiler, QEMU or the models fail loudly without them, never skip."""
    for tool in ("arm-none-eabi-gcc", "arm-none-eabi-size", "qemu-system-arm"):
        assert shutil.which(tool), f"'{tool}' is not installed: run `bash .ci/setup`"
    assert AD01.exists(), f"MLPerf Tiny models not found at {MODELS}"


def build_fixture(mode: str, out_dir: Path, board: str = "mps2-an500", defines: dict | None = None) -> Path:
    """tests/firmware/fault_main.c linked with the real start-up code and drivers of `board`."""
    b = load_board(board)
    src = out_dir / f"{mode.lower()}_main.c"
    extra = "".join(f"#define {k} {v}\n" for k, v in (defines or {}).items())
    src.write_text(f"#define MODE_{mode}\n{extra}" + (HERE / "firmware" / "fault_main.c").read_text())
    sources = template_sources(b, main=src)
    elf, _, _ = link_firmware(b, sources, [], out_dir / mode.lower(), what=f"fixture {mode}")
    return elf


def processes_running(needle: str) -> list[int]:
    """PIDs whose command line mentions `needle` (e.g. a firmware path)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if needle in cmd and stat.split(") ")[-1][0] != "Z":
            pids.append(int(entry))
    return pids


def mlp_onnx(path: Path, n_in: int = 64, hidden: int = 32, n_out: int = 10, seed: int = 0) -> Path:
    """A small float MLP (MatMul, Add, Relu): compiles with every operator set edgec has."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    w = lambda name, *s: numpy_helper.from_array((rng.standard_normal(s) * 0.3).astype(np.float32), name)  # noqa: E731
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("Add", ["h", "b1"], ["hb"]),
         helper.make_node("Relu", ["hb"], ["r"]), helper.make_node("MatMul", ["r", "w2"], ["o"]),
         helper.make_node("Add", ["o", "b2"], ["y"])],
        "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n_out])],
        [w("w1", n_in, hidden), w("b1", hidden), w("w2", hidden, n_out), w("b2", n_out)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path



def two_in_two_out_onnx(path: Path, seed: int = 0) -> Path:
    """Two inputs, two outputs (one an intermediate): exercises the staged-input glue and concatenated results."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array((rng.standard_normal((8, 4)) * 0.3).astype(np.float32), "w")
    b = numpy_helper.from_array((rng.standard_normal(4) * 0.3).astype(np.float32), "b")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "y"], ["h"]), helper.make_node("MatMul", ["h", "w"], ["o"]),
         helper.make_node("Add", ["o", "b"], ["z"]), helper.make_node("Relu", ["z"], ["out2"])],
        "two_io", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6]),
                   helper.make_tensor_value_info("y", TensorProto.FLOAT, [6, 8])],
        [helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, 8]),
         helper.make_tensor_value_info("out2", TensorProto.FLOAT, [1, 4])], [w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def wait_gone(needle: str, seconds: float = 5.0) -> list[int]:
    """Processes still mentioning `needle` after up to `seconds` (a killed process takes a moment to go)."""
    import time

    deadline = time.monotonic() + seconds
    while (pids := processes_running(needle)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return pids
