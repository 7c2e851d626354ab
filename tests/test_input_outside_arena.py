"""--input-outside-arena: the inputs stay in the caller's buffer. The model must read them there and never write
them (the buffer is mapped read-only here, so a write is a crash), give the same outputs as the build with the
input in the arena, and plan an arena without them. Float and int8, layer by layer and patch by patch (whose
first layers read windows of the input), and in the benchmark firmware on QEMU."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from board_helpers import require_tools
from conftest import MLPERF, TINY_CNN, require, run_edgec

# Runs the model on records read from stdin, with the input in a read-only page, and writes the outputs.
PROTECTED_MAIN = r"""
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "model.h"
int main(void) {
    static unsigned char out[%(out_bytes)d];
    size_t page = 4096, bytes = (%(in_bytes)d + page - 1) / page * page;
    unsigned char *in = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (in == MAP_FAILED) return 2;
    while (fread(in, 1, %(in_bytes)d, stdin) == %(in_bytes)d) {
        if (mprotect(in, bytes, PROT_READ) != 0) return 3;
        if (%(name)s_run(in, out) != 0) return 4;
        if (mprotect(in, bytes, PROT_READ | PROT_WRITE) != 0) return 3;
        fwrite(out, 1, sizeof out, stdout);
    }
    return 0;
}
"""

CASES = [
    pytest.param(TINY_CNN, [], id="float"),
    pytest.param(MLPERF / "vww_96_int8.tflite", ["--patch", "4:4"], id="int8-patched"),
]


def compile_for_host(model, extra, out) -> dict:
    proc = run_edgec("compile", model, "--target", "host", "--no-code-size", "-q", "-o", out, *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "report.json").read_text())


def run_protected(out, report, records: bytes) -> bytes:
    (ins,), (outs,) = report["inputs"], report["outputs"]
    main = out.parent / f"{out.name}_main.c"
    main.write_text(PROTECTED_MAIN % {"name": report["name"], "in_bytes": ins["bytes"], "out_bytes": outs["bytes"]})
    exe = out.parent / f"{out.name}.exe"
    build = subprocess.run([require("gcc"), "-std=gnu99", "-O1", "-g", "-fsanitize=address,undefined",
                            "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror", "-I", str(out), str(main),
                            *map(str, sorted(out.glob("*.c"))), "-lm", "-o", str(exe)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], input=records, capture_output=True, timeout=300)
    assert run.returncode == 0, (run.returncode, run.stderr.decode()[-2000:])
    return run.stdout


@pytest.mark.parametrize("model,extra", CASES)
def test_outputs_equal_the_in_arena_build_and_the_input_is_never_written(tmp_path, model, extra):
    rng = np.random.default_rng(0)
    base = compile_for_host(model, extra, tmp_path / "in_arena")
    nbytes = base["inputs"][0]["bytes"]
    if base["inputs"][0]["dtype"] == "float32":
        records = rng.uniform(-1, 1, (4, nbytes // 4)).astype(np.float32).tobytes()
    else:
        records = rng.integers(-128, 128, (4, nbytes), dtype=np.int8).tobytes()
    expected = run_protected(tmp_path / "in_arena", base, records)
    report = compile_for_host(model, [*extra, "--input-outside-arena"], tmp_path / "outside")
    got = run_protected(tmp_path / "outside", report, records)
    assert len(got) == 4 * report["outputs"][0]["bytes"] and got == expected

    header = (tmp_path / "outside" / "model.h").read_text()
    assert "_INPUTS_OUTSIDE_ARENA 1" in header and report["inputs_outside_arena"] is True
    assert report["arena_bytes"] == report["arena_bytes_excluding_input"]
    # Planned for the arena it really has, it is never larger than the in-arena plan without its input
    assert report["arena_bytes"] <= base["arena_bytes_excluding_input"] <= base["arena_bytes"]


def test_benchmark_firmware_reads_the_input_from_its_own_buffer(tmp_path):
    require_tools()
    proc = run_edgec("bench", TINY_CNN, "--board", "mps2-an500", "--runs", "2", "--input-outside-arena",
                     "--json", tmp_path / "bench.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((tmp_path / "bench.json").read_text())
    assert result["outputs_match"] is True
