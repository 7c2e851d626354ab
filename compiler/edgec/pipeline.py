"""The compile pipeline: frontend -> Relax passes -> lowering -> graph passes -> memory plan -> C -> report.

Each stage is a function with a typed input and output; `compile_model` only strings them together.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import tvm

from .build.toolchain import compile_objects, section_sizes
from .codegen.c_emitter import GeneratedC, c_identifier, emit_c, write_output
from .codegen.gpu_host_common import add_gpu_report, check_gpu_options
from .codegen.opencl_host import emit_opencl
from .codegen.opencl_kernels import check_supported
from .codegen.vulkan_host import emit_vulkan
from .codegen.step_generate import emit_generate
from .config import Config, Target, load_config, load_target
from .errors import DoesNotFitError, EdgecError
from .fc_layouts import choose_fc_layouts, layouts_report
from .fit_hints import fit_hints
from .frontend import ImportOptions, import_model
from .ir import Graph
from .lower import lower_module
from .memory.plan import MemoryPlan, plan_memory
from .memory_chart import write_memory_chart
from .passes import fuse_conv_add, gpu_hybrid_scratch, ternary_kernels
from .passes.ecotta import EcottaOptions
from .passes.state_variables import bind_state_variables
from .passes.patch_search import PatchOptions, resolve_patch, schedule_patches
from .passes.pipeline import GRAPH_PASSES
from .passes.relax_pipeline import relax_passes
from .report import add_adaptation_report, add_ternary_report, build_report, fit_problems, write_report


@dataclass
class CompileOptions:
    name: str | None = None
    import_options: ImportOptions = field(default_factory=ImportOptions)
    planner: str | None = None
    measure_code: bool = True  # compile with the target's compiler to measure code size
    dump_ir: Callable[[str, str], None] | None = None  # called with (stage name, IR text) after each pass
    quantize: object | None = None  # quantize.ptq.QuantizeOptions: post-training int8 quantization first
    patch: PatchOptions = field(default_factory=PatchOptions)  # patch-based scheduling of the first stage
    checksum: bool = False  # emit <name>_check(): the weights' CRC-32, recomputed on the device
    ecotta: EcottaOptions = field(default_factory=EcottaOptions)  # meta-networks and <name>_adapt() (passes/ecotta.py)
    generate: bool = False  # a step model: also emit <name>_generate, greedy decoding (codegen/step_generate.py)
    optimize: str = "speed"  # speed or size: the fully connected layers' weight layout (fc_layouts.py)


@dataclass
class CompileResult:
    graph: Graph
    plan: MemoryPlan
    generated: GeneratedC
    report: dict
    out_dir: Path


def optimize_relax(mod: tvm.IRModule, dump=None) -> tvm.IRModule:
    if dump:
        dump("import", mod.script(show_meta=False))
    for name, p in relax_passes():
        mod = p(mod)
        if dump:
            dump(name, mod.script(show_meta=False))
    return mod


def optimize_graph(graph: Graph, dump=None) -> Graph:
    if dump:
        dump("lower", graph.dump())
    for name, p in GRAPH_PASSES:
        graph = p(graph)
        if dump:
            dump(name, graph.dump())
    return graph


def measure_code_sizes(target: Target, out_dir: Path) -> dict:
    """Compile the generated C with the target's compiler and read the section sizes. Without the compiler this
    fails (ToolchainError): the flash figure and the fit verdict would be guesses."""
    with tempfile.TemporaryDirectory(prefix="edgec-size-") as tmp:
        objs = compile_objects(target.cc, list(target.cflags), out_dir, Path(tmp))
        return section_sizes(target.cc, objs)


def write_fresh_output(generated: GeneratedC, out_dir: Path) -> None:
    """The generated files into out_dir, without the C / kernel files an earlier compile left there."""
    if out_dir.exists():
        for stale in list(out_dir.glob("*.c")) + list(out_dir.glob("*.h")) + list(out_dir.glob("*.cl")) + list(
                out_dir.glob("*.glsl")):
            stale.unlink()
    write_output(generated, out_dir)


def compile_model(model_path: Path, target: Target | str, out_dir: Path, options: CompileOptions | None = None,
                  config: Config | None = None, check_fit: bool = True) -> CompileResult:
    options = options or CompileOptions()
    config = config or load_config()
    if isinstance(target, str):
        target = load_target(target, config)
    model_path, out_dir = Path(model_path), Path(out_dir)
    name = c_identifier(options.name or model_path.stem)
    gpu = target.backend in ("opencl", "vulkan")  # device kernels and a plain-C host (codegen/*_host.py)
    if gpu:
        check_gpu_options(options, target.name)

    quant_error = ternary_layers = None
    if options.quantize is not None:  # PTQ: a QDQ model beside the output, then the QDQ path (quantize/ptq.py)
        from .quantize.ptq import quantize_dynamic_onnx, quantize_onnx

        if options.quantize.ternary is not None:  # ternary weights in the float model first (quantize/ternary.py)
            from .quantize.ternary import ternarize_onnx

            float_path = out_dir / f"{name}_ternary_float.onnx"
            ternary_layers = ternarize_onnx(model_path, float_path, options.quantize.ternary)
            qdq_path = out_dir / f"{name}_ternary.onnx"
            if options.generate:  # a step model: activations quantized per token at run time (no calibration)
                quantize_dynamic_onnx(float_path, qdq_path)
            else:
                quant_error = quantize_onnx(float_path, qdq_path, options.quantize, reference_path=model_path)
            float_path.unlink()
        else:
            qdq_path = out_dir / f"{name}_int8.onnx"
            if options.generate:
                quantize_dynamic_onnx(model_path, qdq_path)
            else:
                quant_error = quantize_onnx(model_path, qdq_path, options.quantize)
        model_path = qdq_path
    imported = import_model(model_path, options.import_options)
    if imported.graph is not None:  # the frontend built edgec IR itself (int8 TFLite): no Relax stage
        graph = optimize_graph(imported.graph, options.dump_ir)
    else:
        mod = optimize_relax(imported.mod, options.dump_ir)
        graph = optimize_graph(bind_state_variables(lower_module(mod), imported.variables), options.dump_ir)
    graph = ternary_kernels.run(graph, config.passes.get("ternary_kernels", "auto"),
                                config.passes.get("ternary_format", "auto"), list(target.kernels))
    if options.dump_ir:
        options.dump_ir("ternary-kernels", graph.dump())
    # after ternary_kernels: a ternary projection keeps its own kernel
    graph = fuse_conv_add.run(graph, config.passes.get("fuse_conv_add", "always"))
    if options.dump_ir:
        options.dump_ir("fuse-conv-add", graph.dump())
    graph.inputs_outside_arena = options.import_options.input_outside_arena
    planner = options.planner or config.passes.get("planner", "best")
    eco, adapt_plan = None, None
    patch = resolve_patch(options.patch, target.patch,
                          layer_by_layer_only="--ecotta" if options.ecotta.enabled else "")
    if options.ecotta.enabled:  # before planning: the meta-networks are layers of the inference graph too
        from .passes.ecotta import check_compatible, insert_meta_networks

        check_compatible(patch.mode, options.quantize, graph.inputs_outside_arena)
        eco = insert_meta_networks(graph, options.ecotta)
        adapt_plan = plan_memory(eco.adapt_graph, planner, depthwise="never")
        if options.dump_ir:
            options.dump_ir("ecotta", graph.dump())
            options.dump_ir("ecotta-adaptation-step", eco.adapt_graph.dump())
    gpu_kernels = None
    if gpu:
        graph = gpu_hybrid_scratch.run(graph)  # the hybrid layers' range, reduced on the device, needs memory
        if options.dump_ir:
            options.dump_ir("gpu-hybrid-scratch", graph.dump())
        check_supported(graph, "OpenCL" if target.backend == "opencl" else "Vulkan")
        # every work-item of a kernel runs at once: no depthwise layer may write over its own input
        plan, patch_info = plan_memory(graph, planner, depthwise="never"), None
        emit = emit_opencl if target.backend == "opencl" else emit_vulkan
        generated, gpu_kernels = emit(graph, plan, name)
    else:
        graph, plan, patch_info = schedule_patches(graph, patch, planner,
                                                   config.passes.get("depthwise_in_place", "auto"))
        if options.dump_ir and patch_info and patch_info.get("grid"):
            options.dump_ir("patch-schedule", graph.dump())
        generated = emit_c(graph, plan, name, list(target.kernels), checksum=options.checksum, adaptation=eco,
                           adapt_plan=adapt_plan)
    if options.generate:
        if graph.inputs_outside_arena:
            raise EdgecError("--generate cannot be combined with --input-outside-arena: the generation loop feeds "
                             "each token and state back through the model's inputs in the arena")
        generated.files.update(emit_generate(graph, plan, name))

    write_fresh_output(generated, out_dir)
    code_sizes = measure_code_sizes(target, out_dir) if options.measure_code else None
    fc_layers = []
    if generated.fc_layers:  # compiled compact first; --optimize speed widens what the flash budget allows
        flash = code_sizes["text"] + code_sizes["rodata"] if code_sizes else generated.weights_bytes
        fc_layers = choose_fc_layouts(generated.fc_layers, flash, target.flash_bytes, options.optimize)
        wide = frozenset(c["weights"] for c in fc_layers if c["layout"] == "wide")
        if wide:
            files = generated.files
            generated = emit_c(graph, plan, name, list(target.kernels), checksum=options.checksum,
                               adaptation=eco, adapt_plan=adapt_plan, fc_wide=wide)
            generated.files = {**files, **generated.files}  # with emit_generate's, which do not change
            write_fresh_output(generated, out_dir)
            code_sizes = measure_code_sizes(target, out_dir) if options.measure_code else None
    report = build_report(graph, plan, target, name, code_sizes, generated.weights_bytes, generated.node_weights_bytes,
                          planner)
    for info, source_name in zip(report["inputs"], imported.input_names):
        info["source_name"] = source_name
        if info["name"] in imported.quantized_inputs:  # --int8-input: what the reference executor is fed
            info["quantized_from"] = imported.quantized_inputs[info["name"]]
    if imported.int8_rounding is not None:  # the reference to check against depends on it (reference.py)
        report["int8_rounding"] = imported.int8_rounding
    if graph.inputs_outside_arena and graph.inputs:
        report["inputs_outside_arena"] = True
    if patch_info is not None:
        report["patch"] = patch_info
    if gpu_kernels is not None:
        add_gpu_report(report, plan, gpu_kernels, target.backend)
    if generated.weights_crc32 is not None:
        report["weights_crc32"] = f"0x{generated.weights_crc32:08x}"
    if eco is not None:
        add_adaptation_report(report, eco, generated.adaptation, target)
    if quant_error is not None:
        report["quantization"] = dict(vars(quant_error), summary=quant_error.summary(), model=str(model_path))
    add_ternary_report(report, graph, ternary_layers)
    report["optimize"] = options.optimize
    if fc_layers:
        report["fully_connected_layouts"] = layouts_report(fc_layers, target.flash_bytes, code_sizes is not None)
    report["fit_hints"] = fit_hints(graph, report, planner, patch_mode=patch.mode if not gpu else "")
    write_report(report, out_dir / "report.json")
    write_memory_chart(report, out_dir / "memory.html")
    result = CompileResult(graph, plan, generated, report, out_dir)
    if check_fit and not report["fits"]:
        raise DoesNotFitError(f"{name} does not fit {target.name}:\n  " + "\n  ".join(fit_problems(report)))
    return result
