"""out/memory.html: memory over the layers as a picture, for people who would rather look than read a table.

One self-contained page (inline SVG, no scripts, no dependencies): a bar per layer of the bytes live while it
runs, the arena and the target's SRAM budget as lines, and the peak layer marked. A second series (for instance
the same model scheduled layer by layer, beside the patched schedule) is drawn as an outline behind the bars.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 960, 360, 70, 40, 30


def kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB"


def chart_svg(report: dict, compare: tuple[str, list[int]] | None = None) -> str:
    layers = report["layers"]
    live = [layer["live_bytes"] for layer in layers]
    lines = {"arena": report["arena_bytes"], "SRAM budget": report["sram_budget_bytes"]}
    top = max(live + [report["arena_bytes"]] + (compare[1] if compare else []) + [1])
    if report["sram_budget_bytes"] <= 2 * top:  # a budget far above the model would flatten every bar
        top = max(top, report["sram_budget_bytes"])
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(live), 1)

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" '
             f'font-size="11">',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" stroke="#333"/>']
    for k in range(5):  # y axis ticks
        v = top * k / 4
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{escape(kib(int(v)))}</text>')
    if compare:
        name, values = compare
        for i, v in enumerate(values[:len(live)]):
            parts.append(f'<rect x="{LEFT + i * step:.2f}" y="{y(v):.2f}" width="{max(step - 1, 0.5):.2f}" '
                         f'height="{TOP + plot_h - y(v):.2f}" fill="none" stroke="#c66" stroke-width="0.8">'
                         f'<title>{escape(name)}: {v:,} B</title></rect>')
    peak = max(range(len(live)), key=live.__getitem__) if live else -1
    for i, (layer, v) in enumerate(zip(layers, live)):
        color = "#d62" if i == peak else "#4a7fb5"
        tip = f"#{i} {layer['name']} ({layer['op']}): {v:,} B live"
        parts.append(f'<rect x="{LEFT + i * step:.2f}" y="{y(v):.2f}" width="{max(step - 1, 0.5):.2f}" '
                     f'height="{TOP + plot_h - y(v):.2f}" fill="{color}"><title>{escape(tip)}</title></rect>')
    for label, v in lines.items():
        if v <= top:
            parts.append(f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{WIDTH - 10}" y2="{y(v):.1f}" stroke="#333" '
                         f'stroke-dasharray="4 3"/><text x="{WIDTH - 12}" y="{y(v) - 3:.1f}" text-anchor="end">'
                         f'{escape(label)} {escape(kib(v))}</text>')
    if peak >= 0:
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 12}">peak at layer #{peak} {escape(layers[peak]["name"])} '
                     f'({escape(kib(live[peak]))} live); {len(live)} layers</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def write_memory_chart(report: dict, path: Path, compare: tuple[str, list[int]] | None = None) -> None:
    title = f"{report['name']} on {report['target']}: memory over the layers"
    legend = "bars: bytes live while each layer runs (the peak in orange)"
    if compare:
        legend += f"; outline: {compare[0]}"
    path.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n"
        f"<body><h3>{escape(title)}</h3>\n<p>{escape(legend)}. Arena {report['arena_bytes']:,} B "
        f"({report['arena_bytes_excluding_input']:,} B without the input), SRAM budget "
        f"{report['sram_budget_bytes']:,} B.</p>\n" + chart_svg(report, compare) + "\n</body></html>\n")
