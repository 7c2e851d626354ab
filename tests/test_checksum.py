"""`--checksum`: the weights' CRC-32 is embedded at compile time and <name>_check() recomputes it on the device.
Checked on the host (with sanitizers) and in the benchmark firmware on QEMU, each time with intact weights and
with one weight changed after the compile, as damaged or half-written external flash would have it."""

from __future__ import annotations

import json
import re
import subprocess
import zlib

import pytest

from board_helpers import require_tools
from conftest import COMPILERS, TINY_CNN, assert_compiles_warning_free, require, run_edgec
from edgec.board.boards import load_board
from edgec.board.errors import SerialError
from edgec.board.firmware import build_firmware, c_sources, link_firmware, template_sources
from edgec.board.protocol import DutClient
from edgec.board.qemu import QemuSession
from edgec.passes.patch_search import PatchOptions

CHECK_MAIN = r"""
#include <stdio.h>
#include <string.h>
#include "model.h"
#include "edgec_crc32.h"
int main(void) {
    const char *nine = "123456789";
    unsigned long whole = (unsigned long)edgec_crc32(0, nine, 9);
    unsigned long chained = (unsigned long)edgec_crc32(edgec_crc32(0, nine, 4), nine + 4, 5);
    printf("%08lx %08lx %d\n", whole, chained, tiny_cnn_check());
    return 0;
}
"""


def damage_first_weight(weights_c) -> str:
    """Change the first number of the first weight array by one unit in its last digit; returns the array's name."""
    text = weights_c.read_text()
    m = re.search(r"const \w+ (\w+)\[\d+\] = \{\s*(-?\d+)(\.\d*)?", text)
    assert m, "no weight array in weights.c"
    digits = m.group(2) + (m.group(3) or "")
    changed = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    weights_c.write_text(text[:m.start(2)] + changed + text[m.end(2) + len(m.group(3) or ""):])
    return m.group(1)


def run_check(out, exe) -> str:
    gcc = require("gcc")
    sources = [str(p) for p in sorted(out.glob("*.c"))]
    build = subprocess.run([gcc, "-std=c99", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                            "-Wall", "-Wextra", "-Werror", "-I", str(out), str(out.parent / "check_main.c"),
                            *sources, "-lm", "-o", str(exe)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    return subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()


def test_check_passes_on_intact_weights_and_fails_on_a_changed_one(tmp_path):
    out = tmp_path / "out"
    proc = run_edgec("compile", TINY_CNN, "--target", "host", "--checksum", "--no-code-size", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    header = (out / "model.h").read_text()
    assert f"#define TINY_CNN_WEIGHTS_CRC32 {report['weights_crc32']}u" in header
    assert "int tiny_cnn_check(void);" in header
    for cc, flags in COMPILERS:
        objs = tmp_path / f"obj-{cc}-{flags[0]}"
        objs.mkdir()
        assert_compiles_warning_free(out, objs, cc, flags)

    (tmp_path / "check_main.c").write_text(CHECK_MAIN)
    whole, chained, ok = run_check(out, tmp_path / "intact")
    assert whole == chained == f"{zlib.crc32(b'123456789'):08x}" == "cbf43926"  # the CRC-32 check value
    assert ok == "0"
    damage_first_weight(out / "weights.c")
    assert run_check(out, tmp_path / "damaged")[2] == "-1"


def test_without_checksum_nothing_changes(tmp_path):
    proc = run_edgec("compile", TINY_CNN, "--target", "host", "--no-code-size", "-o", tmp_path, "-q")
    assert proc.returncode == 0, proc.stderr
    assert "weights_crc32" not in json.loads((tmp_path / "report.json").read_text())
    assert "_check" not in (tmp_path / "model.h").read_text()
    assert not (tmp_path / "edgec_crc32.c").exists()


def test_firmware_refuses_to_infer_with_damaged_weights(tmp_path):
    require_tools()
    board = load_board("mps2-an500")
    fw = build_firmware(TINY_CNN, board, tmp_path / "fw", checksum=True, patch=PatchOptions())
    with QemuSession(board, fw.elf) as session, DutClient(session.url, timeout=20) as client:
        client.wait_boot()
        client.load(bytes(fw.report["inputs"][0]["bytes"]))
        assert len(client.infer(1, 0).results) == 10  # intact: the model runs

    array = damage_first_weight(tmp_path / "fw" / "model" / "weights.c")
    sources = template_sources(board, None) + c_sources(tmp_path / "fw" / "model") + [tmp_path / "fw" / "edgec_glue.c"]
    elf, _, _ = link_firmware(board, sources, [tmp_path / "fw" / "model"], tmp_path / "damaged", what="damaged")
    with pytest.raises(SerialError, match="CRC-32") as info:
        with QemuSession(board, elf) as session, DutClient(session.url, timeout=20) as client:
            client.wait_boot()
            client.load(bytes(fw.report["inputs"][0]["bytes"]))
            client.infer(1, 0)
    assert "fail their CRC-32 check" in str(info.value), (array, info.value)
