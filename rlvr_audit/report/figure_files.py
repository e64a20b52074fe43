"""What every figure shares: matplotlib on the Agg backend (imported only when a plot is
asked for), the file-name check, saving, and text colours readable on a given fill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
DPI = 150


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    return plt


def check_path(path: str | Path) -> Path:
    """`path` as a Path, its folder created; AuditError unless it ends in .png/.pdf/.svg."""
    path = Path(path)
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        raise AuditError(f"cannot draw a plot as '{path.suffix}'", "use a .png, .pdf or .svg file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save(fig: Any, path: str | Path) -> Path:
    """Write `fig` to `path` (checked) and close it."""
    path = check_path(path)
    extra = {"pil_kwargs": {"optimize": True}} if path.suffix.lower() == ".png" else {}
    fig.savefig(path, dpi=DPI, bbox_inches="tight", **extra)
    pyplot().close(fig)
    return path


def luminance(rgba: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (components 0..1)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(float(c)) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(rgba: tuple[float, ...]) -> str:
    """ "black" or "white", whichever contrasts more with a fill of colour `rgba` (WCAG ratio)."""
    lum = luminance(rgba)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return "black" if on_black >= on_white else "white"
