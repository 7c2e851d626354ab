"""`edgec export`: the Android library module and the iOS Swift package, built with real compilers.

Android: the module's own CMakeLists.txt builds the model C and the JNI glue for the host with gcc; the host JDK
drives it (tests/export_java.py: a Java class with the Kotlin wrapper's native methods) and its outputs equal
onnxruntime's (float model) and the model's own host C build bit for bit (int8 model). The same CMakeLists.txt,
cross-built for arm64 with aarch64-linux-gnu-gcc, gives a .so whose LOAD segments are 16 KB aligned and which
needs nothing beyond libc and libm. iOS: the Swift package's C target compiles with clang for arm64-apple-ios and
its simulators (Mach-O headers checked, NEON in the arm64 objects) and runs, built by gcc, under qemu-aarch64 and on
the host; no Swift toolchain is installable from Debian 12, so the package's structure
is checked instead of `swift build`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
from conftest import REPO, TINY_CNN, require, run_edgec
from edgec.build.host import build_host_executable, run_host_executable_many
from edgec.export.interface import model_interface
from edgec.export.jni_glue import kotlin_declaration, native_methods
from edgec.export.package import export_model
from edgec.pipeline import CompileOptions
from edgec.reference import random_inputs, reference_inputs
from edgec.reference_child import run_reference_isolated
from edgec.verify import compare
from export_java import java_driver

RECORDS = 3


def jdk_home() -> Path:
    return Path(require("javac")).resolve().parents[1]


def cmake_build(module: Path, build: Path, cc: str, extra: list[str] = ()) -> Path:
    """The module's CMakeLists.txt, as the Android Gradle plugin runs it, with another C compiler."""
    require("cmake")
    jdk = jdk_home()
    flags = f"-Werror -I{jdk / 'include'} -I{jdk / 'include' / 'linux'}"  # jni.h: the NDK's sysroot has it on Android
    subprocess.run(["cmake", "-S", module / "src/main/cpp", "-B", build, f"-DCMAKE_C_COMPILER={require(cc)}",
                    f"-DCMAKE_C_FLAGS={flags}", *extra], check=True, capture_output=True, text=True)
    proc = subprocess.run(["cmake", "--build", build, "-j2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (lib,) = build.glob("*.so")
    return lib


def run_java(module: Path, report: dict, package: str, iface, lib: Path, tmp: Path, batches) -> tuple[list, list, str]:
    """Compile the driver, run every batch through typed arrays and direct buffers; per batch, both outputs."""
    src = tmp / "java" / Path(*package.split(".")) / f"{iface.class_name}.java"
    src.parent.mkdir(parents=True)
    src.write_text(java_driver(iface, package, lib.stem.removeprefix("lib")))
    classes = tmp / "classes"
    subprocess.run([require("javac"), "-d", classes, src], check=True, capture_output=True, text=True)
    files = []
    for t in iface.inputs:
        path = tmp / f"in{t.index}.bin"
        path.write_bytes(b"".join(np.ascontiguousarray(b[t.index], t.dtype).tobytes() for b in batches))
        files.append(path)
    outs = [tmp / f"out{kind}{t.index}.bin" for kind in "AB" for t in iface.outputs]
    proc = subprocess.run([require("java"), f"-Djava.library.path={lib.parent}", "-cp", classes,
                           f"{package}.{iface.class_name}", str(len(batches)), *files, *outs],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    def load(kind):
        per_out = [np.fromfile(tmp / f"out{kind}{t.index}.bin", t.dtype).reshape(len(batches), *t.shape)
                   for t in iface.outputs]
        return [[o[k] for o in per_out] for k in range(len(batches))]
    return load("A"), load("B"), proc.stdout


def check_kotlin_declares_the_natives(module: Path, package: str, iface) -> None:
    kotlin = (module / "src/main/kotlin" / Path(*package.split(".")) / f"{iface.class_name}.kt").read_text()
    for m in native_methods():
        assert kotlin_declaration(m, iface) in kotlin
    assert f"class {iface.class_name} : AutoCloseable" in kotlin and "override fun close()" in kotlin
    for t in iface.tensors:
        assert f"@JvmField val {t.var.upper()}_SHAPE = intArrayOf({', '.join(map(str, t.shape))})" in kotlin


def check_gradle(module: Path, package: str) -> None:
    gradle = (module / "build.gradle.kts").read_text()
    assert 'id("com.android.library")' in gradle and f'namespace = "{package}"' in gradle
    assert 'abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")' in gradle
    assert 'path = file("src/main/cpp/CMakeLists.txt")' in gradle
    assert "-Wl,-z,max-page-size=16384" in (module / "src/main/cpp/CMakeLists.txt").read_text()


def test_android_module_runs_on_the_host_jdk(tmp_path):
    # Float model, exported in-process; its outputs against onnxruntime (edgec verify's reference).
    package = "com.example.tiny_cnn"
    module = tmp_path / "TinyCnnLib"
    result, _ = export_model(TINY_CNN, "android", module, CompileOptions(measure_code=False), package=package)
    iface = model_interface(result.report, result.graph)
    check_gradle(module, package)
    check_kotlin_declares_the_natives(module, package, iface)
    lib = cmake_build(module, tmp_path / "build_host", "gcc")
    check_shared_library(lib, require("readelf"), "X86-64", package)
    batches = [random_inputs(result.report, seed) for seed in range(RECORDS)]
    got_arrays, got_buffers, log = run_java(module, result.report, package, iface, lib, tmp_path / "run_f", batches)
    for case in ("threads", "wrong length", "null array", "heap buffer", "small buffer", "after misuse"):
        assert f"ok {case}" in log, log
    assert "expected 1024 elements, got 1025" in log and "needs a direct ByteBuffer" in log
    want = run_reference_isolated(TINY_CNN, ["input"], batches)
    for a, b, w in zip(got_arrays, got_buffers, want):
        np.testing.assert_array_equal(a[0], b[0])
        c = compare("softmax", a[0], w[0], rtol=1e-4, atol=1e-5)
        assert c.ok, c

    # int8 model through the command line (--quantize, --calibration, --int8-input pass through as for compile):
    # an int8 byte[] input, a float output, bit-exact with the model's own C built for the host.
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).uniform(-1, 1, (8, 1, 32, 32)).astype(np.float32))
    qmodule = tmp_path / "TinyCnnInt8Lib"
    proc = run_edgec("export", TINY_CNN, "--platform", "android", "-o", qmodule, "--name", "tiny_q", "--quantize",
                     "int8", "--calibration", tmp_path / "cal.npy", "--int8-input", "--no-code-size", "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((qmodule / "edgec-report.json").read_text())
    assert report["inputs"][0]["dtype"] == "int8" and report["inputs"][0]["shape"] == [1, 32, 32, 1]
    qpackage = "edgec.models.tiny_q"
    qiface = model_interface(report, class_name=None)
    kotlin = (qmodule / "src/main/kotlin/edgec/models/tiny_q/TinyQ.kt").read_text()
    assert "nativeRunArrays(input0: ByteArray, output0: FloatArray)" in kotlin and "INPUT0_SCALE" in kotlin
    qlib = cmake_build(qmodule, tmp_path / "build_q", "gcc")
    qbatches = [random_inputs(report, 10 + seed) for seed in range(RECORDS)]
    q_arrays, q_buffers, log = run_java(qmodule, report, qpackage, qiface, qlib, tmp_path / "run_q", qbatches)
    assert "ok after misuse" in log
    host_c = tmp_path / "host_c"  # the module's model C without its JNI glue: edgec verify's host harness
    host_c.mkdir()
    native = qmodule / "src/main/cpp/edgec"
    for f in [*native.glob("*.[ch]"), *(native / "kernels" / "x86_64").iterdir()]:
        if not f.name.endswith("_jni.c"):
            shutil.copy2(f, host_c / f.name)
    exe = build_host_executable(host_c, report, tmp_path / "host_q")
    want = run_host_executable_many(exe, report, qbatches, tmp_path / "host_q_run")
    for a, b, w in zip(q_arrays, q_buffers, want):
        np.testing.assert_array_equal(a[0], w[0])
        np.testing.assert_array_equal(b[0], w[0])
    assert reference_inputs(report, qbatches[0])[0].shape == (1, 1, 32, 32)


def test_android_gpu_build_runs_on_the_host_jdk(tmp_path):
    """`edgec export --target opencl` / `--target vulkan`: the GPU build (device kernels and the plain-C host) in the
    module. Its .so links no GPU library (the host dlopens it at run time); through the JDK it runs on PoCL / lavapipe
    and matches onnxruntime; where the driver is missing, the first run throws naming the reason."""
    from test_opencl import pocl_available
    from test_vulkan import lavapipe_available

    pocl_available()
    lavapipe_available()
    missing = {"opencl": ("EDGEC_OPENCL_LIBRARY", "tiny_cnn_init failed (status -2: the OpenCL library"),
               "vulkan": ("EDGEC_VULKAN_LIBRARY", "tiny_cnn_init failed (status -2: the Vulkan library")}
    package, want = "edgec.models.tiny_cnn", None
    for target, (env_var, message) in missing.items():
        module = tmp_path / f"{target}Lib"
        if target == "opencl":  # through the command line
            proc = run_edgec("export", TINY_CNN, "--platform", "android", "--target", target, "-o", module,
                             "--no-code-size", "-q")
            assert proc.returncode == 0, proc.stdout + proc.stderr
        else:  # in-process: one Python start-up less
            export_model(TINY_CNN, "android", module, CompileOptions(measure_code=False), target=target)
        report = json.loads((module / "edgec-report.json").read_text())
        assert report["backend"] == target
        assert "PRIVATE m dl)" in (module / "src/main/cpp/CMakeLists.txt").read_text()
        iface = model_interface(report)
        lib = cmake_build(module, tmp_path / f"build_{target}", "gcc")
        needed = subprocess.run([require("readelf"), "-d", lib], capture_output=True, text=True, check=True).stdout
        assert set(re.findall(r"Shared library: \[(.+?)\]", needed)) <= {"libc.so.6", "libm.so.6", "libdl.so.2"}
        if want is None:
            batches = [random_inputs(report, seed) for seed in range(RECORDS)]
            want = run_reference_isolated(TINY_CNN, ["input"], batches)
        run = tmp_path / f"run_{target}"
        got_arrays, got_buffers, log = run_java(module, report, package, iface, lib, run, batches)
        assert "ok threads" in log and "ok after misuse" in log, log
        for a, b, w in zip(got_arrays, got_buffers, want):
            np.testing.assert_array_equal(a[0], b[0])
            c = compare("softmax", a[0], w[0], rtol=1e-4, atol=1e-5)
            assert c.ok, (target, c)
        env = dict(os.environ, **{env_var: "libnot-installed.so.1"})
        proc = subprocess.run([require("java"), f"-Djava.library.path={lib.parent}", "-cp", run / "classes",
                               f"{package}.{iface.class_name}", "1", run / "in0.bin", run / "x.bin", run / "y.bin"],
                              capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode != 0 and "IllegalStateException" in proc.stderr and message in proc.stderr, proc.stderr


def load_segments(readelf_out: str) -> list[int]:
    return [int(m, 16) for m in re.findall(r"^\s+LOAD\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(0x[0-9a-f]+)",
                                            readelf_out, re.MULTILINE)]


LIBC_LIBM = {"memcpy", "memset", "memmove", "snprintf", "raise", "expf", "logf", "sqrtf", "tanhf", "erff", "powf",
             "floorf", "ceilf", "roundf", "fmodf", "sinf", "cosf", "log1pf", "expm1f", "fabsf", "nearbyintf"}


def check_shared_library(lib: Path, readelf: str, machine: str, package: str = "edgec.models.tiny_cnn") -> None:
    """16 KB aligned LOAD segments, only the JNI entry points exported, nothing needed beyond libc and libm."""
    header = subprocess.run([readelf, "-h", "-l", "-W", lib], capture_output=True, text=True, check=True).stdout
    assert machine in header and "DYN (Shared object file)" in header, header
    aligns = load_segments(header)
    assert aligns and all(a == 16384 for a in aligns), header
    dynsym = subprocess.run([readelf, "--dyn-syms", "-W", lib], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in dynsym.splitlines() if len(line.split()) >= 8 and line.split()[0].endswith(":")]
    undefined = {r[7].split("@")[0] for r in rows if r[6] == "UND" and r[4] != "WEAK"}
    assert undefined and undefined <= LIBC_LIBM, undefined
    exported = {r[7] for r in rows if r[6] != "UND" and r[4] == "GLOBAL" and r[3] == "FUNC"}
    prefix = "Java_" + package.replace("_", "_1").replace(".", "_") + "_TinyCnn_"
    assert exported == {prefix + "nativeRunArrays", prefix + "nativeRunBuffers"}, exported
    needed = subprocess.run([readelf, "-d", lib], capture_output=True, text=True, check=True).stdout
    assert set(re.findall(r"Shared library: \[(.+?)\]", needed)) <= {"libc.so.6", "libm.so.6"}, needed


def test_android_so_cross_built_for_arm64_and_armv7(tmp_path):
    """The module's CMakeLists.txt with the Debian cross compilers (glibc, not bionic: the ELF layout and the
    undefined symbols are what the NDK's link gives too, with the same flags)."""
    module = tmp_path / "Lib"
    export_model(TINY_CNN, "android", module, CompileOptions(measure_code=False))
    # Each ABI gets its own kernel sets: the NEON files on the Arm ABIs, the host's (runtimes/x86) on x86_64.
    kernels = module / "src/main/cpp/edgec/kernels"
    runtimes = REPO / "runtimes"
    for abi, kset in (("arm64-v8a", "neon"), ("armeabi-v7a", "neon"), ("x86_64", "x86")):
        conv = (kernels / abi / "edgec_conv2d_nhwc_f32.c").read_text()
        assert conv == (runtimes / kset / "edgec_conv2d_nhwc_f32.c").read_text(), abi
    assert (kernels / "x86_64" / "edgec_softmax_f32.c").read_text() == (runtimes / "reference/edgec_softmax_f32.c").read_text()
    # ... and the cross-built .so holds the NEON kernels' vector multiply-accumulates: the portable float kernels
    # of this model give at most 4 `fmla vN.4s` on aarch64 and no `vmla.f32 qN` on armv7 (gcc -O2, C99)
    for cc, processor, machine, vector_mac in (("aarch64-linux-gnu-gcc", "aarch64", "AArch64", r"fmla\s+v\d+\.4s"),
                                               ("arm-linux-gnueabihf-gcc", "arm", "ARM", r"v(?:ml|f)a\.f32\s+q\d+")):
        lib = cmake_build(module, tmp_path / f"build_{processor}", cc,
                          ["-DCMAKE_SYSTEM_NAME=Linux", f"-DCMAKE_SYSTEM_PROCESSOR={processor}"])
        check_shared_library(lib, require(cc.removesuffix("gcc") + "readelf"), machine)
        disassembly = subprocess.run([require(cc.removesuffix("gcc") + "objdump"), "-d", lib], capture_output=True,
                                     text=True, check=True).stdout
        assert len(re.findall(vector_mac, disassembly)) >= 16, processor


MACHO_MAGIC_64 = 0xFEEDFACF
CPU_TYPE_ARM64 = 0x0100000C
LC_BUILD_VERSION = 0x32
PLATFORM_IOS, PLATFORM_IOS_SIMULATOR = 2, 7


def macho_platform(obj: Path) -> tuple[int, int, int]:
    """(cputype, filetype, LC_BUILD_VERSION platform) of a 64-bit Mach-O object."""
    data = obj.read_bytes()
    magic, cputype, _sub, filetype, ncmds, _size, _flags, _res = struct.unpack_from("<IiiIIIII", data, 0)
    assert magic == MACHO_MAGIC_64, hex(magic)
    offset, platform = 32, None
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", data, offset)
        if cmd == LC_BUILD_VERSION:
            platform = struct.unpack_from("<I", data, offset + 8)[0]
        offset += cmdsize
    return cputype, filetype, platform


CPU_TYPE_X86_64 = 0x01000007
APPLE_TRIPLES = (("arm64-apple-ios13.0", CPU_TYPE_ARM64, PLATFORM_IOS),
                 ("arm64-apple-ios13.0-simulator", CPU_TYPE_ARM64, PLATFORM_IOS_SIMULATOR),
                 ("x86_64-apple-ios13.0-simulator", CPU_TYPE_X86_64, PLATFORM_IOS_SIMULATOR))


def c_target_sources(ctarget: Path) -> list[Path]:
    """The C files a Swift package compiles: every .c under the target but the excluded kernels/ folder."""
    return sorted(ctarget.glob("*.c"))


def test_ios_package_c_target_compiles_for_ios_and_simulator(tmp_path):
    package = tmp_path / "TinyCnn"
    result, _ = export_model(TINY_CNN, "ios", package, CompileOptions(measure_code=False))
    iface = model_interface(result.report, result.graph)
    ctarget = package / "Sources" / "CTinyCnn"
    manifest = (package / "Package.swift").read_text()
    assert manifest.startswith("// swift-tools-version:5.7")
    assert 'name: "CTinyCnn"' in manifest and 'publicHeadersPath: "include"' in manifest
    assert 'exclude: ["kernels"],' in manifest
    assert 'dependencies: ["CTinyCnn"]' in manifest and '.library(name: "TinyCnn", targets: ["TinyCnn"])' in manifest
    assert (ctarget / "include" / "module.modulemap").read_text().startswith("module CTinyCnn {")
    assert (ctarget / "include" / "model.h").is_file() and not (ctarget / "model.h").exists()
    swift = (package / "Sources" / "TinyCnn" / "TinyCnn.swift").read_text()
    assert "import CTinyCnn" in swift and "public final class TinyCnn" in swift
    assert "public func run(_ input0: [Float]) throws -> [Float]" in swift and "tiny_cnn_run(" in swift
    assert "public static let input0Shape: [Int] = [1, 1, 32, 32]" in swift
    assert swift.count("{") == swift.count("}")
    sources = c_target_sources(ctarget)
    assert {s.name for s in sources} >= {"model.c", "weights.c", "edgec_conv2d_nhwc_f32.c"}
    # A kernel with twins is a file that includes the architecture's: NEON on arm64, the host's set on x86_64.
    runtimes = REPO / "runtimes"
    for arch, kset in (("arm64", "neon"), ("x86_64", "x86"), ("portable", "optimized")):
        conv = (ctarget / "kernels" / arch / "edgec_conv2d_nhwc_f32.c").read_text()
        assert conv == (runtimes / kset / "edgec_conv2d_nhwc_f32.c").read_text(), arch
    assert '#if defined(__aarch64__)\n#include "kernels/arm64/edgec_conv2d_nhwc_f32.c"' in \
        (ctarget / "edgec_conv2d_nhwc_f32.c").read_text()
    # the softmax has no twin: copied as it is, not dispatched
    assert (ctarget / "edgec_softmax_f32.c").read_text() == (runtimes / "reference/edgec_softmax_f32.c").read_text()
    assert not (ctarget / "kernels" / "arm64" / "edgec_softmax_f32.c").exists()
    # No iOS SDK here: the two C library headers the generated C includes (string.h, math.h) come from newlib (the
    # Cortex-M builds' C library; standard C prototypes, the same ABI on Darwin); stddef / stdint are clang's own.
    clang = require("clang")
    libc_headers = Path("/usr/lib/arm-none-eabi/include")
    assert (libc_headers / "math.h").is_file(), "install libnewlib-arm-none-eabi (bash .ci/setup)"
    for triple, cputype, platform in APPLE_TRIPLES:
        objs = tmp_path / triple
        objs.mkdir()
        for src in sources:
            obj = objs / (src.stem + ".o")
            proc = subprocess.run([clang, "-target", triple, "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror",
                                   "-ffreestanding", "-nostdlibinc", "-isystem", libc_headers,
                                   "-I", ctarget / "include", "-c", src, "-o", obj],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, f"{triple} {src.name}:\n{proc.stderr}"
            assert macho_platform(obj) == (cputype, 1, platform), (triple, src.name)
        nm = subprocess.run([require("llvm-nm"), "-g", objs / "model.o"], capture_output=True, text=True, check=True)
        assert f"T _{iface.name}_run" in nm.stdout
        if cputype == CPU_TYPE_ARM64:  # the NEON conv's register-blocked FMLA, not the portable loop's few
            disassembly = subprocess.run([require("llvm-objdump"), "-d", objs / "edgec_conv2d_nhwc_f32.o"],
                                         capture_output=True, text=True, check=True).stdout
            assert len(re.findall(r"fmla(?:\.4s)?\s+v\d+(?:\.4s)?", disassembly)) >= 16, triple


def test_ios_package_c_target_runs_on_arm64_and_x86_64(tmp_path):
    """The package's C target as a Swift package compiles it (its top-level files; kernels/ only through the
    dispatching files) for Linux on arm64 (qemu-aarch64: the NEON kernels) and x86_64 (the host's): float outputs
    match onnxruntime, int8 outputs are equal on both."""
    from edgec.build.host import emulator_command
    from edgec.config import load_target

    arm64 = load_target("cortex-a53")
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).uniform(-1, 1, (8, 1, 32, 32)).astype(np.float32))
    for case, extra in (("float", []), ("int8", ["--quantize", "int8", "--calibration", tmp_path / "cal.npy"])):
        package = tmp_path / case
        proc = run_edgec("export", TINY_CNN, "--platform", "ios", "-o", package, *extra, "--no-code-size", "-q")
        assert proc.returncode == 0, proc.stderr
        report = json.loads((package / "edgec-report.json").read_text())
        ctarget = package / "Sources" / "CTinyCnn"
        c_dir = tmp_path / f"{case}_c"  # the target's sources as the package compiles them, beside the harness
        shutil.copytree(ctarget, c_dir)
        for f in (c_dir / "include").iterdir():
            shutil.copy2(f, c_dir / f.name)
        assert [s.name for s in c_target_sources(c_dir)] == [s.name for s in c_target_sources(ctarget)]
        batches = [random_inputs(report, seed) for seed in range(RECORDS)]
        outputs = {}
        for arch, cc, runner, cflags in (("x86_64", "gcc", None, None),
                                         ("arm64", arm64.cc, emulator_command(arm64), list(arm64.cflags))):
            exe = build_host_executable(c_dir, report, tmp_path / f"{case}_{arch}", cc=cc, cflags=cflags)
            outputs[arch] = run_host_executable_many(exe, report, batches, tmp_path / f"{case}_{arch}_run",
                                                     runner=runner)
        if case == "float":
            want = run_reference_isolated(TINY_CNN, ["input"], batches)
            for arch, got in outputs.items():
                for g, w in zip(got, want):
                    c = compare("softmax", g[0], w[0], rtol=1e-4, atol=1e-5)
                    assert c.ok, (arch, c)
        else:
            for a, b in zip(outputs["arm64"], outputs["x86_64"]):
                np.testing.assert_array_equal(a[0], b[0])


def several_inputs_and_outputs_model(path: Path) -> Path:
    """float and int64 inputs; float, float and int64 outputs (an embedding lookup and an ArgMax)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    table = numpy_helper.from_array(np.arange(10, dtype=np.float32).reshape(5, 2) / 4, "table")
    scale = numpy_helper.from_array(np.array([[0.5, -1.0, 2.0, 3.0]], np.float32), "scale")
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "scale"], ["scaled"]),
         helper.make_node("Gather", ["table", "ids"], ["rows"], axis=0),
         helper.make_node("ArgMax", ["x"], ["best"], axis=1, keepdims=1)],
        "multi_io",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
         helper.make_tensor_value_info("ids", TensorProto.INT64, [3])],
        [helper.make_tensor_value_info("scaled", TensorProto.FLOAT, [1, 4]),
         helper.make_tensor_value_info("rows", TensorProto.FLOAT, [3, 2]),
         helper.make_tensor_value_info("best", TensorProto.INT64, [1, 1])],
        [table, scale])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def test_android_glue_with_several_inputs_and_outputs_of_other_types(tmp_path):
    model = several_inputs_and_outputs_model(tmp_path / "multi_io.onnx")
    module = tmp_path / "MultiLib"
    result, _ = export_model(model, "android", module, CompileOptions(measure_code=False), class_name="MultiIo")
    iface = model_interface(result.report, result.graph, "MultiIo")
    package = "edgec.models.multi_io"
    check_kotlin_declares_the_natives(module, package, iface)
    kotlin = (module / "src/main/kotlin/edgec/models/multi_io/MultiIo.kt").read_text()
    assert "fun run(input0: FloatArray, input1: LongArray): Outputs" in kotlin
    assert ("class Outputs(@JvmField val output0: FloatArray, @JvmField val output1: FloatArray, "
            "@JvmField val output2: LongArray)") in kotlin
    lib = cmake_build(module, tmp_path / "build", "gcc")
    batches = [random_inputs(result.report, seed) for seed in range(RECORDS)]
    got_arrays, got_buffers, log = run_java(module, result.report, package, iface, lib, tmp_path / "run", batches)
    assert "ok after misuse" in log and "expected 4 elements, got 5" in log
    want = run_reference_isolated(model, ["x", "ids"], batches)
    for a, b, w in zip(got_arrays, got_buffers, want):
        for k in range(3):
            np.testing.assert_array_equal(a[k], b[k])
            np.testing.assert_array_equal(a[k], np.asarray(w[k]).reshape(a[k].shape))


def test_export_refuses_bad_names_before_compiling(tmp_path, capsys):
    from edgec.cli import main

    assert main(["export", str(TINY_CNN), "--platform", "android", "-o", str(tmp_path / "a"),
                 "--package", "com.example.1bad"]) == 1
    assert "--package 'com.example.1bad': expected a Java package name" in capsys.readouterr().err
    assert main(["export", str(TINY_CNN), "--platform", "ios", "-o", str(tmp_path / "b"), "--package", "a.b"]) == 1
    assert "only used with --platform android" in capsys.readouterr().err
    assert main(["export", str(TINY_CNN), "--platform", "ios", "-o", str(tmp_path / "c"), "--class", "9Lives"]) == 1
    assert "--class '9Lives'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
