"""`--optimize speed|size`: which layout the Cortex-M fully connected kernel gets its int8 weights in.

edgec_fully_connected_s8_packed (runtimes/cortex-m/) reads weights in one of two layouts (ops/quantized_s8.py,
pack_fc_s8): compact, one byte per weight, with one SXTB16 per four MACs in the inner loop (29 estimated cycles per
32 MACs), or wide, each weight word stored beside its SXTB16 result (two bytes per weight, 25 cycles per 32 MACs).
With batch 1 every weight is read once per inference, so no compact loop gets under 29 (16 SMLADs, 8 SXTB16, 5
LDRDs per 32 MACs: an SMLAD on a raw word weighs each halfword's two bytes 256 : 1, which no choice of activation
words undoes, so a word needs one SXTB16 to separate its bytes): speed costs flash.

`speed` (the default, as -O2 is a C compiler's) stores a layer's weights wide when the model then still leaves an
eighth of the target's flash budget free (APPLICATION_SHARE): the budget covers the whole firmware, but edgec
only counts the model (weights and kernels), and the application that links it (start-up, drivers, its own code
and data) needs room too, so a model near the budget stays compact. Layers are taken those with most batch rows
first (each weight byte then saves more), then in graph order, each while the total stays within that limit:
deterministic, from byte counts only. `size` keeps every layer compact (as -Os). Both layouts give the same
outputs, bit for bit. On ad01 (all fully connected) the compact loop alone is 0.401x TFLite Micro + CMSIS-NN's
estimated cycles; wide makes the whole model 0.383x (benchmarks/results/int8_models_m7.md).
"""

from __future__ import annotations

OPTIMIZE_LEVELS = ("speed", "size")
APPLICATION_SHARE = 8  # 1/8 of the flash budget is kept free for the application when speed widens weights


def flash_limit(budget: int) -> int:
    """The flash the model may take with wide weights: the budget less the application's share."""
    return budget - budget // APPLICATION_SHARE


def choose_fc_layouts(candidates: list[dict], flash_bytes: int, budget: int, optimize: str) -> list[dict]:
    """candidates: the packed fully connected layers of a compact compile, in graph order (dicts with "name",
    "weights", "rows" (batch rows per inference) and "wide_extra_bytes", the flash wide would add); flash_bytes:
    that compile's flash. Returns the candidates, in their order, with "layout" ("wide" or "compact") and
    "reason"."""
    limit = flash_limit(budget)
    chosen = {}
    # the layers whose weights serve most batch rows first (each weight byte saves a cycle per 8 rows); stable
    for c in sorted(candidates, key=lambda c: -c["rows"]):
        after = flash_bytes + c["wide_extra_bytes"]
        if optimize == "size":
            layout, reason = "compact", "--optimize size"
        elif after <= limit:
            layout, reason = "wide", f"--optimize speed: flash {after:,} B with it, within the limit {limit:,} B"
            flash_bytes = after
        else:
            layout, reason = "compact", f"--optimize speed, but wide would take flash to {after:,} B, past the " \
                                        f"limit {limit:,} B"
        chosen[c["weights"]] = {**c, "layout": layout, "reason": reason}
    return [chosen[c["weights"]] for c in candidates]


def layouts_report(layers: list[dict], budget: int, code_measured: bool) -> dict:
    """report.json's "fully_connected_layouts"."""
    rule = f"the flash budget {budget:,} B less 1/{APPLICATION_SHARE} left for the application"
    return {"flash_limit_bytes": flash_limit(budget),
            "limit": rule + ("" if code_measured else " (code not measured: weights only)"),
            "layers": [{k: c[k] for k in ("name", "layout", "wide_extra_bytes", "reason")} for c in layers]}


def summary(layouts: dict) -> str:
    """A line for the printed report."""
    layers = layouts["layers"]
    wide = [c for c in layers if c["layout"] == "wide"]
    extra = sum(c["wide_extra_bytes"] for c in wide)
    return (f"fully connected weights: {len(wide)} of {len(layers)} layers wide (+{extra:,} B of flash; 25 instead "
            f"of 29 cycles per 32 MACs), {len(layers) - len(wide)} compact; limit for wide: {layouts['limit']}")
