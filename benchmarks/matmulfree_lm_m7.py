"""The MatMul-free language model (model_zoo/models/matmulfree_lm.onnx) generating text on the emulated Cortex-M7
(QEMU mps2-an500, -icount shift=0) with `edgec compile --generate`: guest instructions per token, the RAM and flash
it needs, and whether the tokens equal onnxruntime's greedy decoding. Float path by default (the ternary weights
stored as float s * T); with --quantize ternary, `edgec compile --quantize ternary --generate`: the MatMuls'
activations quantized to 8 bits per token at run time, the ternary weights packed and run by the MatMul-free kernels
(the first and last layers int8; the first is ternary in this model, so it takes the ternary kernel too). The tokens
must then equal onnxruntime's on the quantized model (out/lm_ternary.onnx) and are compared with the float model's:
the first token where they differ and the share of equal tokens.

Instructions per token: each prompt is decoded twice in the same firmware run, for N and for 2N tokens; the
difference over N is the marginal cost of one generated token (one step of the model, the argmax, the state
copies), without the prompt. RAM: the model's arena, the static bytes of the generated C (`.bss` + `.data` of
model.c / generate.c and kernels, measured with the target's `size`) and the stack the generate call used
(painted and read back by tests/semihost/generate_main.c).

    python benchmarks/matmulfree_lm_m7.py [--tokens 64] [--quantize ternary] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "compiler"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "model_zoo"))

import onnxruntime as ort  # noqa: E402

from edgec.board.boards import load_board  # noqa: E402
from edgec.pipeline import CompileOptions, compile_model  # noqa: E402
from edgec.quantize.ptq import QuantizeOptions  # noqa: E402
from edgec.quantize.ternary import TernaryOptions  # noqa: E402
from generate_qemu import build_generate_firmware, run_generate_qemu  # noqa: E402
from matmulfree_lm import greedy_decode  # noqa: E402

MODEL = REPO / "model_zoo" / "models" / "matmulfree_lm.onnx"  # --model: another step model
PROMPTS = [b"First Citizen:\n", b"ROMEO:\nWhat", b"All:\nSpeak, speak.\n\nMENENIUS:\nThe"]


def static_bytes(out_dir: Path, work: Path) -> int:
    """.bss + .data of the generated C for the Cortex-M7 (the arena is .bss)."""
    objs = []
    for src in sorted(out_dir.glob("*.c")):
        obj = work / (src.stem + ".o")
        subprocess.run(["arm-none-eabi-gcc", "-O2", "-std=c99", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16",
                        "-mfloat-abi=hard", "-c", "-I", str(out_dir), str(src), "-o", str(obj)], check=True)
        objs.append(str(obj))
    out = subprocess.run(["arm-none-eabi-size", "-t", *objs], check=True, capture_output=True, text=True).stdout
    text, data, bss = (int(v) for v in out.strip().splitlines()[-1].split()[:3])
    return data + bss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--quantize", choices=["ternary"], help="ternary weights, activations 8-bit per token")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    n = args.tokens
    per_tick = float(load_board("mps2-an500").instructions_per_tick)
    float_sess = ort.InferenceSession(str(args.model), providers=["CPUExecutionProvider"])
    quantize = QuantizeOptions(None, ternary=TernaryOptions()) if args.quantize else None
    with tempfile.TemporaryDirectory(prefix="edgec-lm-") as tmp:
        tmp = Path(tmp)
        result = compile_model(args.model, "cortex-m7", tmp / "out",
                               CompileOptions(name="lm", generate=True, quantize=quantize))
        report = result.report
        sess = (ort.InferenceSession(str(tmp / "out" / "lm_ternary.onnx"), providers=["CPUExecutionProvider"])
                if args.quantize else float_sess)
        statics = static_bytes(tmp / "out", tmp)
        elf = build_generate_firmware(tmp / "out", "lm", tmp / "fw.elf")
        recs = run_generate_qemu(elf, [(p, k) for p in PROMPTS for k in (n, 2 * n)], tmp / "qemu", icount=True)
    rows = []
    for i, prompt in enumerate(PROMPTS):
        short, long_ = recs[2 * i], recs[2 * i + 1]
        want = greedy_decode(sess, prompt, 2 * n)
        float_tokens = greedy_decode(float_sess, prompt, 2 * n) if args.quantize else want
        same = [a == b for a, b in zip(want, float_tokens)]
        rows.append({
            "float_equal_prefix": same.index(False) if False in same else len(same),
            "float_agreement": sum(same) / len(same),
            "prompt": prompt.decode(), "tokens": 2 * n,
            "matches_onnxruntime": [int(t) for t in long_["tokens"][:2 * n]] == want
            and [int(t) for t in short["tokens"][:n]] == want[:n],
            "text": bytes(want).decode("ascii", "replace"),
            "instructions_per_token": (int(long_["ticks"]) - int(short["ticks"])) * per_tick / n,
            "instructions_total": int(long_["ticks"]) * per_tick,
            "stack_bytes": int(max(short["stack_bytes"], long_["stack_bytes"])),
        })
    stack = max(r["stack_bytes"] for r in rows)
    summary = {
        "model": args.model.name, "board": "mps2-an500", "macs_per_token": report["macs"],
        "arena_bytes": report["arena_bytes"], "static_bytes": statics, "stack_bytes": stack,
        "ram_bytes": statics + stack, "weights_bytes": report["weights_bytes"], "code_bytes": report["code_bytes"],
        "flash_bytes": report["flash_bytes"], "fits": report["fits"], "prompts": rows,
        "layers": [{k: layer.get(k) for k in ("name", "format", "kernel", "weight_bytes", "int8_weight_bytes")}
                   for layer in report["layers"] if "format" in layer],
    }
    path = "ternary weights, activations quantized per token" if args.quantize else "float path"
    weights_as = "packed ternary and int8" if args.quantize else "float32"
    stem = "matmulfree_lm_ternary_m7" if args.quantize else "matmulfree_lm_m7"
    flag = " --quantize ternary" if args.quantize else ""
    ipt = [r["instructions_per_token"] for r in rows]
    lines = [
        "# MatMul-free LM generating on the emulated Cortex-M7", "",
        f"`{args.model.name}` compiled with `edgec compile --target cortex-m7{flag} --generate` ({path}), greedy "
        f"decoding in `lm_generate` on QEMU mps2-an500 with -icount shift=0 (guest instructions, not time). "
        f"`python benchmarks/matmulfree_lm_m7.py --tokens {n}{flag}`.", "",
        f"- instructions per generated token: {min(ipt):,.0f} .. {max(ipt):,.0f} (difference of {2 * n} and {n} "
        "tokens from the same prompt, divided by "
        f"{n})",
        f"- MACs per step: {report['macs']:,}",
        f"- RAM: {summary['ram_bytes']:,} B = {statics:,} B static (.bss + .data of the generated C, of which the "
        f"arena {report['arena_bytes']:,} B) + {stack:,} B of stack for the generate call",
        f"- flash: {report['flash_bytes']:,} B ({report['weights_bytes']:,} B weights as {weights_as}, "
        f"{report['code_bytes']:,} B code); fits the Cortex-M7 target: {report['fits']}", "",
        "| prompt | tokens | equal to onnxruntime | instructions / token | instructions (prompt + all tokens) | text |",
        "|---|---|---|---|---|---|",
    ]
    if args.quantize:  # before the table
        lines[-3:-3] = [
            "- the table's \"equal to onnxruntime\": onnxruntime's greedy decoding of the quantized model "
            "(`lm_ternary.onnx`, written beside the C)",
            "- against onnxruntime on the float model: " + "; ".join(
                f"`{r['prompt']}` the first {r['float_equal_prefix']} tokens equal, {r['float_agreement']:.0%} of "
                f"{r['tokens']}".replace("\n", "\\n") for r in rows),
            "- layers: " + ", ".join(f"{layer['format']} {layer['kernel'] or 'int8'} {layer['weight_bytes']:,} B"
                                     for layer in summary["layers"])]
    for r in rows:
        text = r["text"].replace("\n", "\\n").replace("|", "\\|")
        prompt = r["prompt"].replace("\n", "\\n")
        lines.append(f"| `{prompt}` | {r['tokens']} | {r['matches_onnxruntime']} | {r['instructions_per_token']:,.0f} | "
                     f"{r['instructions_total']:,.0f} | `{text}` |")
    md = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.json").write_text(json.dumps(summary, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
