"""The opinion map as an SVG document, written directly (no plotting library).

One dot per participant coloured by opinion group (grey: not clustered), the
group letter in a circle at each group centre, the axes through 0, a title
and a legend. Writing the few hundred elements by hand takes milliseconds,
where a plotting library spends seconds importing itself and measuring text.
"""

from __future__ import annotations

import html

import numpy as np

__all__ = ["map_svg", "GROUP_COLOURS"]

# matplotlib's "tab10" palette, so the picture looks as it did before.
GROUP_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def _letter(g: int) -> str:
    return chr(65 + g) if g < 26 else str(g)


def map_svg(opinion_map, *, width: int = 760, height: int = 680) -> str:
    """SVG text of the opinion map of an :class:`OpinionMap`.

    Coordinates keep their aspect ratio (one unit across is one unit up), as
    in the map Polis draws.
    """
    xy = np.asarray(opinion_map.coordinates, dtype=float)
    groups = np.asarray(opinion_map.groups)
    clustered = np.asarray(opinion_map.clustered, dtype=bool)
    k = int(opinion_map.n_groups)
    centres = np.asarray(opinion_map.clustering.group_centers, dtype=float).reshape(-1, 2)
    left, right, top, bottom = 60.0, 20.0, 50.0, 60.0
    pw, ph = width - left - right, height - top - bottom
    pts = np.vstack([xy, centres, [[0.0, 0.0]]]) if len(xy) else np.zeros((1, 2))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    scale = min(pw / span[0], ph / span[1]) * 0.92
    mid = (lo + hi) / 2

    def sx(x):
        return left + pw / 2 + (x - mid[0]) * scale

    def sy(y):
        return top + ph / 2 - (y - mid[1]) * scale

    n_clustered = int(clustered.sum())
    title = (
        f"Opinion map: {n_clustered} participants, {len(opinion_map.statements)} statements, "
        f"{k} groups"
    )
    out = [
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" role="img">',
        f"<title>{html.escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black" '
        'stroke-width="0.8"/>',
        f'<line x1="{left}" y1="{sy(0):.2f}" x2="{left + pw}" y2="{sy(0):.2f}" stroke="#dddddd"/>',
        f'<line x1="{sx(0):.2f}" y1="{top}" x2="{sx(0):.2f}" y2="{top + ph}" stroke="#dddddd"/>',
        f'<text x="{width / 2:.1f}" y="{top - 18:.1f}" text-anchor="middle" font-size="14">'
        f"{html.escape(title)}</text>",
        f'<text x="{left + pw / 2:.1f}" y="{height - 20:.1f}" text-anchor="middle" '
        'font-size="12">first opinion axis</text>',
        f'<text transform="translate({left - 25:.1f},{top + ph / 2:.1f}) rotate(-90)" '
        'text-anchor="middle" font-size="12">second opinion axis</text>',
    ]
    legend = []
    out_mask = ~clustered
    if out_mask.any():
        dots = "".join(
            f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="1.6"/>' for x, y in xy[out_mask]
        )
        out.append(f'<g fill="#bbbbbb">{dots}</g>')
        legend.append(("#bbbbbb", 1.0, "not clustered (too few votes)"))
    for g in range(k):
        colour = GROUP_COLOURS[g % 10]
        mask = groups == g
        dots = "".join(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2"/>' for x, y in xy[mask])
        out.append(f'<g fill="{colour}" fill-opacity="0.7">{dots}</g>')
        legend.append((colour, 0.7, f"group {_letter(g)} ({int(mask.sum())} people)"))
    for g in range(k):
        cx, cy = sx(centres[g, 0]), sy(centres[g, 1])
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="14" fill="white" '
            f'stroke="{GROUP_COLOURS[g % 10]}" stroke-width="1.5"/>'
            f'<text x="{cx:.1f}" y="{cy + 6:.1f}" text-anchor="middle" font-size="18" '
            f'font-weight="bold">{html.escape(_letter(g))}</text>'
        )
    if legend:
        lw = 8 + 7 * max(len(t) for *_, t in legend) + 24
        lx, ly = left + pw - lw - 8, top + 8
        out.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="{lw}" height="{8 + 18 * len(legend)}" '
            'fill="white" fill-opacity="0.85" stroke="#cccccc" rx="3"/>'
        )
        for i, (colour, alpha, text) in enumerate(legend):
            y = ly + 16 + 18 * i
            out.append(
                f'<circle cx="{lx + 12:.1f}" cy="{y - 4:.1f}" r="4" fill="{colour}" '
                f'fill-opacity="{alpha}"/>'
                f'<text x="{lx + 22:.1f}" y="{y:.1f}" font-size="11">{html.escape(text)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"
