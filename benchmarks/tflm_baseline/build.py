"""Build TFLite Micro (with CMSIS-NN kernels, or with its reference kernels) from the pinned sources into one
static library per kernel set and core, and link a benchmark firmware per model: edgec's own firmware templates
(start-up, UART, SysTick, the MLPerf Tiny serial protocol in bench_main.c) around a glue (glue.cc) that runs the
model with TFLM's MicroInterpreter. Objects, libraries and firmware are cached under the edgec cache folder
(~/.cache/edgec/tflm, or $EDGEC_CACHE_DIR/tflm), keyed by the pins, the flags and the compiler, so reruns are
quick."""

from __future__ import annotations

import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from edgec.board.boards import Board
from edgec.board.firmware import board_cflags, link_firmware, template_sources
from edgec.board.insn_mix import cache_dir
from edgec.build.toolchain import require_tool
from edgec.config import load_config
from edgec.frontend.tflite import load_tflite, op_name

from .sources import PINS, resolve

HERE = Path(__file__).resolve().parent
CXX, CC, AR = "arm-none-eabi-g++", "arm-none-eabi-gcc", "arm-none-eabi-ar"
VARIANTS = ("cmsis-nn", "reference")
ARENA_BYTES = 512 * 1024  # static tensor arena; the firmware reports what TFLM used of it

# TFLM's Makefile flags (COMMON_FLAGS, CXXFLAGS, BUILD_TYPE=release_with_logs), every file at -O2 as edgec's
# firmware (TFLM's Makefile builds its core at -Os and kernels at -O2). FLATBUFFERS_LOCALE_INDEPENDENT=0 is what
# TFLM's flatbuffers.patch sets; given on the command line, the flatbuffers tree stays untouched.
COMMON = ("-O2", "-fno-unwind-tables", "-fno-asynchronous-unwind-tables", "-ffunction-sections", "-fdata-sections",
          "-fmessage-length=0", "-DTF_LITE_STATIC_MEMORY", "-DTF_LITE_DISABLE_X86_NEON", "-DNDEBUG",
          "-DFLATBUFFERS_LOCALE_INDEPENDENT=0", "-DARM_NN_ENABLE_F16=0", "-DARM_NN_ENABLE_F32=0")
CXXFLAGS = ("-std=c++17", "-fno-rtti", "-fno-exceptions", "-fno-threadsafe-statics", *COMMON)
CFLAGS = ("-std=c17", *COMMON)

# TFLite builtin -> (MicroMutableOpResolver method, reference kernel files, CMSIS-NN kernel files replacing them)
OPS = {
    "ADD": ("AddAdd", ("add.cc", "add_common.cc"), ("add.cc",)),
    "AVERAGE_POOL_2D": ("AddAveragePool2D", ("pooling.cc", "pooling_common.cc"), ("pooling.cc",)),
    "MAX_POOL_2D": ("AddMaxPool2D", ("pooling.cc", "pooling_common.cc"), ("pooling.cc",)),
    "CONV_2D": ("AddConv2D", ("conv.cc", "conv_common.cc"), ("conv.cc",)),
    "DEPTHWISE_CONV_2D": ("AddDepthwiseConv2D", ("depthwise_conv.cc", "depthwise_conv_common.cc"),
                          ("depthwise_conv.cc",)),
    "FULLY_CONNECTED": ("AddFullyConnected", ("fully_connected.cc", "fully_connected_common.cc"),
                        ("fully_connected.cc",)),
    "RESHAPE": ("AddReshape", ("reshape.cc", "reshape_common.cc"), ()),
    "SOFTMAX": ("AddSoftmax", ("softmax.cc", "softmax_common.cc"), ("softmax.cc",)),
    "QUANTIZE": ("AddQuantize", ("quantize.cc", "quantize_common.cc"), ()),
    "DEQUANTIZE": ("AddDequantize", ("dequantize.cc", "dequantize_common.cc"), ()),
}
KERNEL_SUPPORT = ("kernel_util.cc", "micro_tensor_utils.cc")
CORE_SKIP = {"debug_log.cc", "test_helpers.cc", "test_helper_custom_ops.cc", "fake_micro_context.cc",
             "mock_micro_graph.cc"}  # debug_log: glue.cc's, to the UART; the rest: test support


class BuildError(Exception):
    pass


def cpu_flags(board: Board) -> list[str]:
    """edgec's flags for the board's core, without its C dialect and optimisation level."""
    return [f for f in board_cflags(board, load_config()) if not f.startswith(("-O", "-std="))]


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 and "algorithm: No such file" in proc.stderr:
        raise BuildError(f"{what} failed: arm-none-eabi-g++ has no C++ standard headers "
                         f"(apt-get install libstdc++-arm-none-eabi-newlib)")
    if proc.returncode != 0:
        raise BuildError(f"{what} failed (exit {proc.returncode}):\n$ {' '.join(cmd)}\n{proc.stderr.strip()[-4000:]}")


@dataclass
class Baseline:
    """The pinned sources, and where the builds for one board's core go."""
    src: dict  # name -> (Path, how obtained)
    board: Board
    jobs: int = 2

    def __post_init__(self):
        self.flags = cpu_flags(self.board)
        key = hashlib.sha256(repr((sorted((n, p.commit) for n, p in PINS.items()), self.flags, CXXFLAGS, CFLAGS,
                                   sorted(OPS), self._compiler_version(), ARENA_BYTES)).encode())
        self.root = tflm_cache() / f"{self.board.target}-{key.hexdigest()[:16]}"  # the libraries'
        glue = hashlib.sha256(repr(self.glue_flags()).encode())
        for f in (HERE / "glue.cc", *template_sources(self.board)):
            glue.update(f.read_bytes())
        self.fw_root = self.root / f"fw-{glue.hexdigest()[:12]}"  # the firmware: also keyed by the glue, templates

    @staticmethod
    def _compiler_version() -> str:
        return subprocess.run([require_tool(CXX), "--version"], capture_output=True, text=True).stdout.split("\n")[0]

    def glue_flags(self) -> list[str]:
        # TFLM's headers need -Wno-unused-parameter, as TFLM's own Makefile has
        return [*self.flags, *CXXFLAGS, f"-DTFLM_ARENA_BYTES={ARENA_BYTES}u", "-Wall", "-Wextra", "-Werror",
                "-Wno-unused-parameter"]

    def path(self, name: str) -> Path:
        return self.src[name][0]

    def includes(self) -> list[str]:
        t, n = self.path("tflite-micro"), self.path("cmsis-nn")
        return [f"-I{p}" for p in (t, self.path("flatbuffers") / "include", self.path("gemmlowp"), self.path("ruy"),
                                   n, n / "Include")]

    # ---- libraries ----

    def core_sources(self) -> list[Path]:
        t = self.path("tflite-micro")
        micro = t / "tensorflow" / "lite" / "micro"
        srcs = [p for d in (micro, micro / "arena_allocator", micro / "memory_planner", micro / "tflite_bridge")
                for p in sorted(d.glob("*.cc")) if not p.name.endswith("_test.cc") and p.name not in CORE_SKIP]
        # tensorflow/**/*.cc outside lite/micro and lite/experimental, but array.cc (TFLM's sources.inc)
        for p in sorted((t / "tensorflow").rglob("*.c*")):
            rel = p.relative_to(t).as_posix()
            if p.suffix in (".cc", ".c") and not rel.startswith(("tensorflow/lite/micro/",
                                                                  "tensorflow/lite/experimental/")) \
                    and rel != "tensorflow/lite/array.cc":
                srcs.append(p)
        return srcs

    def kernel_sources(self, variant: str) -> list[Path]:
        kdir = self.path("tflite-micro") / "tensorflow" / "lite" / "micro" / "kernels"
        names = {n: kdir / n for n in KERNEL_SUPPORT}
        for _method, ref, cmsis in OPS.values():
            for n in ref:
                names.setdefault(n, kdir / n)
            if variant == "cmsis-nn":
                for n in cmsis:
                    names[n] = kdir / "cmsis_nn" / n
        return sorted(names.values())

    def cmsis_nn_sources(self) -> list[Path]:
        return sorted(p for p in (self.path("cmsis-nn") / "Source").rglob("*.c")
                      if not p.stem.endswith(("_f16", "_f32")))

    def _compile_all(self, jobs: list[tuple[Path, Path, list[str]]]) -> None:
        todo = [j for j in jobs if not j[1].exists()]
        if not todo:
            return
        cxx, cc = require_tool(CXX), require_tool(CC)

        def one(job):
            src, obj, extra = job
            obj.parent.mkdir(parents=True, exist_ok=True)
            tmp = obj.with_suffix(f".{os.getpid()}.tmp")
            compiler, flags = (cxx, CXXFLAGS) if src.suffix == ".cc" else (cc, CFLAGS)
            _run([compiler, *self.flags, *flags, *extra, *self.includes(), "-c", str(src), "-o", str(tmp)],
                 f"compiling {src.name}")
            os.replace(tmp, obj)

        with ThreadPoolExecutor(self.jobs) as pool:
            list(pool.map(one, todo))

    def library(self, variant: str, progress=print) -> Path:
        """lib<variant>.a: TFLM's core, the kernels of `variant` (and CMSIS-NN itself for cmsis-nn)."""
        if variant not in VARIANTS:
            raise BuildError(f"unknown TFLM kernel set '{variant}' ({', '.join(VARIANTS)})")
        lib = self.root / f"libtflm-{variant}.a"
        if lib.exists():
            return lib
        t = self.path("tflite-micro")
        jobs = [(s, self.root / "core" / (s.relative_to(t).as_posix().replace("/", "__") + ".o"), [])
                for s in self.core_sources()]
        define = ["-DCMSIS_NN"] if variant == "cmsis-nn" else []
        jobs += [(s, self.root / variant / (s.relative_to(t).as_posix().replace("/", "__") + ".o"), define)
                 for s in self.kernel_sources(variant)]
        if variant == "cmsis-nn":
            n = self.path("cmsis-nn")
            jobs += [(s, self.root / "cmsis-nn-lib" / (s.relative_to(n).as_posix().replace("/", "__") + ".o"), [])
                     for s in self.cmsis_nn_sources()]
        progress(f"building TFLM ({variant}) for {self.board.target}: {sum(not j[1].exists() for j in jobs)} of "
                 f"{len(jobs)} files to compile into {self.root}")
        self._compile_all(jobs)
        tmp = lib.with_suffix(f".{os.getpid()}.tmp")
        _run([require_tool(AR), "rcs", str(tmp), *(str(j[1]) for j in jobs)], f"archiving {lib.name}")
        os.replace(tmp, lib)
        return lib

    # ---- firmware ----

    def firmware(self, model: Path, variant: str, progress=print) -> "TflmFirmware":
        """The benchmark firmware for `model` with `variant`'s kernels (cached)."""
        model = Path(model)
        data = model.read_bytes()
        ops = model_ops(model)
        lib = self.library(variant, progress)
        out = self.fw_root / f"{model.stem}-{hashlib.sha256(data).hexdigest()[:12]}-{self.board.name}-{variant}"
        elf = out / "firmware.elf"
        if not elf.exists():
            out.mkdir(parents=True, exist_ok=True)
            (out / "tflm_model_ops.h").write_text(ops_header(ops, model.stem, len(data)))
            (out / "tflm_model_data.c").write_text(model_data_c(data))
            glue = out / "glue.o"
            _run([require_tool(CXX), *self.glue_flags(), *(["-DCMSIS_NN"] if variant == "cmsis-nn" else []),
                  *self.includes(), f"-I{out}", f"-I{template_dir('common')}", "-c", str(HERE / "glue.cc"),
                  "-o", str(glue)], "compiling the TFLM glue")
            built, _map, _sizes = link_firmware(self.board, [*template_sources(self.board), out / "tflm_model_data.c",
                                                             glue, lib], [], out / "link",
                                                what=f"the TFLM ({variant}) firmware for {model.name}")
            check_no_constructors(built)
            os.replace(built, elf)
        return TflmFirmware(model, variant, elf, ops)


@dataclass
class TflmFirmware:
    model: Path
    variant: str
    elf: Path
    ops: list[str]


def template_dir(name: str) -> Path:
    from edgec.paths import FIRMWARE_TEMPLATES

    return FIRMWARE_TEMPLATES / name


def tflm_cache() -> Path:
    return cache_dir() / "tflm"


def model_ops(model: Path) -> list[str]:
    m = load_tflite(Path(model))
    sg = m.Subgraphs(0)
    ops = sorted({op_name(m, sg.Operators(i)) for i in range(sg.OperatorsLength())})
    missing = [o for o in ops if o not in OPS]
    if missing:
        raise BuildError(f"{Path(model).name}: the TFLM baseline is built with kernels for {', '.join(OPS)}; "
                         f"the model also needs {', '.join(missing)} (add them to OPS in {__file__})")
    return ops


def ops_header(ops: list[str], model_id: str, model_bytes: int) -> str:
    adds = " ".join(f"if (r.{OPS[o][0]}() != kTfLiteOk) return false;" for o in ops)
    return (f"/* Generated by benchmarks/tflm_baseline: the operators of {model_id}. */\n"
            f'#define TFLM_MODEL_ID "{model_id}"\n'
            f"#define TFLM_MODEL_BYTES {model_bytes}u\n"
            f"#define TFLM_OP_COUNT {len(ops)}\n"
            f"#define TFLM_ADD_OPS(r) do {{ {adds} }} while (0)\n")


def model_data_c(data: bytes) -> str:
    rows = (", ".join(str(b) for b in data[i:i + 32]) for i in range(0, len(data), 32))
    return ("/* Generated by benchmarks/tflm_baseline: the .tflite file, as TFLM reads it in place. */\n"
            "#include <stdint.h>\n"
            f"__attribute__((aligned(16))) const uint8_t tflm_model_data[{len(data)}] = {{\n"
            + ",\n".join(rows) + "\n};\n")


def check_no_constructors(elf: Path) -> None:
    """edgec's start-up code runs no static constructors: the baseline must have none to run."""
    out = subprocess.run([require_tool("arm-none-eabi-readelf"), "-S", "-W", str(elf)], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if ".init_array" in line or ".preinit_array" in line:
            parts = line.split()
            size = int(parts[parts.index(next(p for p in parts if "init_array" in p)) + 4], 16)
            if size:
                raise BuildError(f"{elf}: has static constructors ({line.strip()}), which the start-up code "
                                 f"does not run")


def baseline(board: Board, local_src: dict[str, Path] | None = None, jobs: int = 2) -> Baseline:
    return Baseline(resolve(local_src or {}, tflm_cache() / "src"), board, jobs)
