"""Translated names of the scales and their points, and their colours in charts.

The core (:mod:`minipublic.web.decisions.tally`) keeps English labels; the
site shows these, keyed by scale and value.
"""

from django.utils.translation import gettext_lazy as _

SCALE_NAMES = {
    "gradient5": _("Gradient of agreement, 5 points"),
    "gradient8": _("Gradient of agreement, 8 points (Kaner)"),
    "score10": _("Score from 1 to 10"),
}

POINTS = {
    "gradient5": {
        1: _("Wholehearted support"),
        2: _("Support with reservations"),
        3: _("Can live with it"),
        4: _("Serious reservations"),
        5: _("Block"),
    },
    "gradient8": {
        1: _("Wholehearted endorsement"),
        2: _("Agreement with a minor point of contention"),
        3: _("Support with reservations"),
        4: _("Abstain"),
        5: _("More discussion needed"),
        6: _("Don't like it but will support it"),
        7: _("Serious disagreement"),
        8: _("Veto"),
    },
    "score10": {v: str(v) for v in range(1, 11)},
}

# A diverging palette from support (blue) to opposition (orange-red) with
# enough contrast against white text or its neighbours; 10-point scores run
# the other way (10 = most support).
_DIVERGING = {
    5: ["#1f4e79", "#4a90c2", "#b8b8b8", "#e08a3c", "#a8321e"],
    8: ["#1f4e79", "#3a75ad", "#6aa5d6", "#d0d0d0", "#b8b8b8", "#f0b97a", "#e08a3c", "#a8321e"],
}


def point_label(scale: str, value: int) -> str:
    return str(POINTS.get(scale, {}).get(value, value))


def point_choices(scale: str) -> list[tuple[int, str]]:
    return [
        (v, f"{v} · {label}" if scale != "score10" else str(v))
        for v, label in POINTS[scale].items()
    ]


def scale_choices():
    return [(k, v) for k, v in SCALE_NAMES.items()]


def outcome_choices():
    return [("", "—"), ("adopted", _("adopted")), ("not_adopted", _("not adopted"))]


def point_colour(scale: str, value: int) -> str:
    if scale == "gradient5":
        return _DIVERGING[5][value - 1]
    if scale == "gradient8":
        return _DIVERGING[8][value - 1]
    # score10: 10 = strongest support (blue) down to 1 (red).
    ramp = [
        "#a8321e",
        "#c0492b",
        "#d8683a",
        "#e08a3c",
        "#b8b8b8",
        "#b8b8b8",
        "#8fbbe0",
        "#6aa5d6",
        "#3a75ad",
        "#1f4e79",
    ]
    return ramp[value - 1]


def text_colour(background: str) -> str:
    """Black or white text, whichever contrasts more with *background* (WCAG luminance)."""
    r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"
