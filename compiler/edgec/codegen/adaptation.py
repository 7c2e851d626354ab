"""The C of on-device adaptation (--ecotta, passes/ecotta.py): `<name>_adapt()`, `<name>_reset()` and the
meta-networks' state.

The adaptation step is its own graph with its own memory plan; it runs in the model's one static arena, which
grows to the larger of the two plans. The meta-networks' trainable parameters and running estimates are static
RAM (they change), their deployed values const arrays in flash (`<name>_reset()` copies them back; the first call
of `_run` or `_adapt` does it once). Gradients are buffers of the step's plan, one meta-network's at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..memory.plan import MemoryPlan


@dataclass
class AdaptationC:
    inference_arena_bytes: int
    adapt_arena_bytes: int
    state_bytes: int  # parameters, running estimates, the loss: static RAM beside the arena
    header_doc: list[str] = field(default_factory=list)
    header_defines: list[str] = field(default_factory=list)
    header_decls: list[str] = field(default_factory=list)
    state_decls: list[str] = field(default_factory=list)
    run_prologue: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)

    @property
    def arena_bytes(self) -> int:
        return max(self.inference_arena_bytes, self.adapt_arena_bytes)

    @property
    def adaptation_bytes(self) -> int:
        """RAM an adaptation step needs beyond the inference arena: the arena's growth and the static state."""
        return self.arena_bytes - self.inference_arena_bytes + self.state_bytes


def emit_adaptation(eco, adapt_plan: MemoryPlan, ctx, graph, plan: MemoryPlan, emit_body) -> AdaptationC:
    from .c_emitter import EmitContext

    g = eco.adapt_graph
    sub = EmitContext(g, adapt_plan, ctx.prefix, ctx.kernel_sets, kernels_used=ctx.kernels_used, statics=ctx.statics,
                      weight_symbols=ctx.weight_symbols, used_consts=ctx.used_consts, derived=ctx.derived,
                      _counter=ctx._counter, _derived_by_content=ctx._derived_by_content,
                      _statics_by_content=ctx._statics_by_content)
    body = emit_body(g, sub, profile=False)
    ctx._counter = sub._counter  # static parameter structs are numbered across both bodies

    p, upper = ctx.prefix, ctx.prefix.upper()
    n_theta, n_stats = int(eco.theta.size), int(eco.stats.size)
    ctx.derived[f"{p}_ecotta_theta_deployed"] = eco.theta
    ctx.derived[f"{p}_ecotta_stats_deployed"] = eco.stats
    out = AdaptationC(plan.arena_bytes, adapt_plan.arena_bytes, eco.state_bytes)

    inp = g.inputs[0]
    off, nbytes = adapt_plan.offset_of(g.storage_root(inp)), g.tensors[inp].nbytes
    out.header_doc = [
        f" * On-device adaptation (edgec compile --ecotta {len(eco.metas)}; EcoTTA meta-networks, docs/DESIGN.md):",
        f" *   int {p}_adapt(const void *input);",
        " *       One adaptation step on one sample (the input of _run): forward, loss (entropy if confident plus the",
        " *       self-distilled regulariser), backward through the meta-networks, SGD. Returns 0, or -1 if NULL.",
        f" *   void {p}_reset(void);",
        " *       Back to the deployed meta-network parameters and running estimates (flash).",
        f" *   float {p}_adapt_loss(void);  const float *{p}_adapt_parameters(void), *{p}_adapt_statistics(void);",
        " *       The last step's loss; the trainable parameters and the running estimates now (layout in",
        " *       report.json \"ecotta\").",
        f" *   {upper}_ARENA_BYTES covers both inference and adaptation; {upper}_ADAPTATION_BYTES is what",
        " *   adaptation adds to the inference arena (the arena's growth plus the static state above).",
        " *",
    ]
    out.header_defines = [
        f"#define {upper}_INFERENCE_ARENA_BYTES {plan.arena_bytes}u",
        f"#define {upper}_ADAPTATION_BYTES {out.adaptation_bytes}u",
        f"#define {upper}_ADAPT_PARAMETERS {n_theta}",
        f"#define {upper}_ADAPT_STATISTICS {n_stats}",
    ]
    out.header_decls = [
        f"int {p}_adapt(const void *input);",
        f"void {p}_reset(void);",
        f"float {p}_adapt_loss(void);",
        f"const float *{p}_adapt_parameters(void);",
        f"const float *{p}_adapt_statistics(void);",
    ]
    out.state_decls = [
        "/* Meta-networks (on-device adaptation): trainable parameters, running estimates, last loss. */",
        f"static float {p}_ecotta_theta[{max(n_theta, 1)}];",
        f"static float {p}_ecotta_stats[{max(n_stats, 1)}];",
        f"static float {p}_ecotta_loss;",
        f"static uint8_t {p}_ecotta_ready; /* 0 until the deployed parameters are copied in */",
        "",
    ]
    out.run_prologue = [f"    if (!{p}_ecotta_ready) {p}_reset();"]
    out.functions = [
        f"void {p}_reset(void) {{",
        f"    for (uint32_t i = 0; i < {n_theta}u; ++i) {p}_ecotta_theta[i] = {p}_ecotta_theta_deployed[i];",
        f"    for (uint32_t i = 0; i < {n_stats}u; ++i) {p}_ecotta_stats[i] = {p}_ecotta_stats_deployed[i];",
        f"    {p}_ecotta_loss = 0.0f;",
        f"    {p}_ecotta_ready = 1;",
        "}",
        "",
        f"int {p}_adapt(const void *input) {{",
        f"    uint8_t *const arena = {p}_arena.bytes;",
        "    if (input == NULL) return -1;",
        f"    if (!{p}_ecotta_ready) {p}_reset();",
        # memmove: the input may be where _input() points, which the step's plan may place elsewhere, overlapping
        f"    if ((const uint8_t *)input != arena + {off}) memmove(arena + {off}, input, {nbytes});",
        f"    {p}_ecotta_loss = 0.0f; /* the entropy and each regulariser add to it */",
        *body,
        "    return 0;",
        "}",
        "",
        f"float {p}_adapt_loss(void) {{ return {p}_ecotta_loss; }}",
        "",
        f"const float *{p}_adapt_parameters(void) {{",
        f"    if (!{p}_ecotta_ready) {p}_reset();",
        f"    return {p}_ecotta_theta;",
        "}",
        "",
        f"const float *{p}_adapt_statistics(void) {{",
        f"    if (!{p}_ecotta_ready) {p}_reset();",
        f"    return {p}_ecotta_stats;",
        "}",
        "",
    ]
    return out
