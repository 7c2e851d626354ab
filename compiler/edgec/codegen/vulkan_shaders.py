"""edgec's GLSL compute shader templates (runtimes/vulkan/*.comp), compiled to SPIR-V at compile time.

A template declares its specialization constants as EDGEC_INT(NAME) / EDGEC_FLOAT(NAME), in the order of the OpenCL
template's arguments after its buffers (codegen/opencl_kernels.py's Launch): each tensor's buffer (0 the arena, 1 the
weights), each tensor's element offset, the invocation count, the int parameters, the float parameters. They are
numbered here (constant_id 0, 1, ...) and the common header (edgec_vk_common.glsl) put first; glslangValidator then
compiles each template once to SPIR-V, which the generated C embeds: the device needs no shader compiler, and each
layer's pipeline is the template specialised by its own constants.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..errors import EdgecError, ToolchainError
from ..paths import RUNTIMES

VULKAN_RUNTIME = RUNTIMES / "vulkan"
COMMON = VULKAN_RUNTIME / "edgec_vk_common.glsl"
GLSLANG = "glslangValidator"
SPEC = re.compile(r"EDGEC_(INT|FLOAT)\((\w+)\)")


def template_source(kernel: str) -> tuple[str, list[str]]:
    """The template as glslangValidator compiles it (the common header first, the constants numbered), and the kinds
    ('INT' / 'FLOAT') of its constants in id order."""
    path = VULKAN_RUNTIME / f"{kernel}.comp"
    if not path.is_file():
        raise EdgecError(f"no Vulkan shader template {path.name} for kernel '{kernel}'")
    kinds: list[str] = []

    def number(match: re.Match) -> str:
        kinds.append(match.group(1))
        ctype, default = ("int", "0") if match.group(1) == "INT" else ("float", "0.0")
        return f"layout(constant_id = {len(kinds) - 1}) const {ctype} {match.group(2)} = {default};"

    body = SPEC.sub(number, path.read_text())
    return COMMON.read_text() + "\n" + body, kinds


def require_glslang() -> str:
    path = shutil.which(GLSLANG)
    if path is None:
        raise ToolchainError(f"{GLSLANG} not found on PATH: --target vulkan compiles its GLSL compute shaders to "
                             f"SPIR-V with it at compile time (install the Debian package glslang-tools: "
                             f"apt-get install glslang-tools)")
    return path


@functools.lru_cache(maxsize=64)
def _compile(tool: str, source: str, name: str) -> tuple[int, ...]:
    with tempfile.TemporaryDirectory(prefix="edgec-glsl-") as tmp:
        src, spv = Path(tmp) / f"{name}.comp", Path(tmp) / f"{name}.spv"
        src.write_text(source)
        proc = subprocess.run([tool, "-V", "--target-env", "vulkan1.0", "-o", str(spv), str(src)],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise EdgecError(f"the Vulkan shader template {name}.comp did not compile with {GLSLANG}:\n"
                             f"{(proc.stdout + proc.stderr).strip()[-3000:]}")
        return tuple(int(w) for w in np.frombuffer(spv.read_bytes(), dtype="<u4"))


def compile_template(kernel: str) -> tuple[list[int], list[str]]:
    """SPIR-V words of the template, and its constants' kinds."""
    source, kinds = template_source(kernel)
    return list(_compile(require_glslang(), source, kernel)), kinds
