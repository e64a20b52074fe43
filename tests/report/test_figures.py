"""Figures fit for a paper: fixed colour scales, readable cell text, CIs in the cells and on
every bar that has one, the as-claimed cell marked, labels clear of the whiskers."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from rlvr_audit.report.figure_files import text_colour
from rlvr_audit.report.heatmaps import CLAIMED_GID, gain_heatmap_figure, heatmap_figure
from rlvr_audit.report.plots import bars_figure


def _close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


def _cell_texts(fig) -> dict[tuple[int, int], object]:
    ax = fig.axes[0]
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}


def test_accuracy_scale_is_0_to_100_even_for_an_all_zero_grid():
    fig = heatmap_figure(np.zeros((2, 3)), ["t1", "t2"], ["a", "b", "c"], title="zeros")
    norm = fig.axes[0].images[0].norm
    assert (norm.vmin, norm.vmax) == (0.0, 100.0)
    _close(fig)


def test_a_small_accuracy_is_dark_not_bright():
    fig = heatmap_figure(np.array([[1.7, 95.0]]), ["t"], ["a", "b"], title="x")
    image = fig.axes[0].images[0]
    low, high = (image.cmap(image.norm(v)) for v in (1.7, 95.0))
    assert sum(low[:3]) < 1.0 < sum(high[:3])  # cividis: dark blue at 0, yellow near 100
    _close(fig)


def test_gain_scale_is_symmetric_and_at_least_10_points():
    fig = heatmap_figure(np.zeros((1, 2)), ["t"], ["a", "b"], title="gains", center=0.0, fmt="{:+.1f}")
    norm = fig.axes[0].images[0].norm
    assert (norm.vmin, norm.vmax) == (-10.0, 10.0)
    _close(fig)
    fig = heatmap_figure(np.array([[-3.0, 23.0]]), ["t"], ["a", "b"], title="gains", center=0.0)
    norm = fig.axes[0].images[0].norm
    assert (norm.vmin, norm.vmax) == (-25.0, 25.0)
    _close(fig)


def test_text_flips_to_white_on_dark_cells():
    assert text_colour((0.0, 0.0, 0.0, 1.0)) == "white"
    assert text_colour((1.0, 1.0, 0.0, 1.0)) == "black"
    fig = heatmap_figure(np.array([[0.0, 100.0]]), ["t"], ["dark", "bright"], title="x")
    texts = _cell_texts(fig)
    assert texts[(0, 0)].get_color() == "white"
    assert texts[(0, 1)].get_color() == "black"
    _close(fig)


def test_cells_carry_their_ci_and_missing_cells_a_dash():
    values = np.array([[64.2, np.nan]])
    fig = heatmap_figure(
        values, ["t"], ["a", "b"], title="x", lows=[[62.1, np.nan]], highs=[[66.3, np.nan]], note="dash: not graded"
    )
    texts = _cell_texts(fig)
    assert texts[(0, 0)].get_text() == "64.2\n[62.1, 66.3]"
    assert texts[(0, 1)].get_text() == "\u2013"
    _close(fig)


def test_as_claimed_cell_is_outlined_with_a_legend_entry():
    fig = heatmap_figure(
        np.array([[10.0, 20.0], [30.0, 40.0]]), ["t1", "t2"], ["a", "b"], title="x", marked=("t2", "a")
    )
    boxes = [p for p in fig.axes[0].patches if p.get_gid() == CLAIMED_GID]
    assert len(boxes) == 1
    assert boxes[0].get_xy() == (-0.5, 0.5)  # column 0, row 1
    legend_texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any("as claimed (t2 x a)" in t for t in legend_texts)
    _close(fig)


def test_no_marker_without_a_claimed_cell():
    fig = heatmap_figure(np.array([[10.0]]), ["t"], ["a"], title="x")
    assert not [p for p in fig.axes[0].patches if p.get_gid() == CLAIMED_GID]
    _close(fig)


def _comparison(claimed, adjusted):
    result = SimpleNamespace(
        run="rl",
        claimed=claimed,
        adjusted=adjusted,
        matched={
            "cells": [{"template": "t", "profile": "p", "gain": 5.0, "low": 2.0, "high": 8.0}],
        },
    )
    return SimpleNamespace(trained=[result], base="base", level=0.95, templates=["t"], profiles=["p"])


def _labels(fig) -> dict[str, object]:
    return {a.get_gid(): a for a in fig.axes[0].texts if a.get_gid()}


def test_bar_labels_sit_beyond_the_whiskers_and_the_claimed_bar_has_its_ci():
    comparison = _comparison(
        {"gain": 5.0, "low": 2.0, "high": 8.0, "template": "t", "profile": "p"},
        {"gain": -3.0, "low": -6.0, "high": -1.0},
    )
    fig = bars_figure(comparison)
    labels = _labels(fig)
    claimed_y = labels["label-claimed"].xy[1]
    adjusted_y = labels["label-adjusted"].xy[1]
    assert claimed_y > 8.0 and labels["label-claimed"].get_text() == "+5.0"
    assert adjusted_y < -6.0 and labels["label-adjusted"].get_text() == "-3.0"  # a loss: below the whisker
    whiskers = {c.get_label() for c in fig.axes[0].containers}
    assert {"_ci-claimed", "_ci-adjusted"} <= whiskers
    _close(fig)


def test_a_published_claim_without_ci_says_so():
    rows = [
        {
            "reward": "random",
            "version": "v1",
            "claimed_gain": 21.4,
            "gain_vs_baseline": 6.0,
            "gain_vs_baseline_low": None,
            "gain_vs_baseline_high": None,
        }
    ]
    fig = bars_figure(SimpleNamespace(rows=rows, claim={"name": "spurious-rewards"}))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("no CI" in t for t in legend)
    assert "_ci-claimed" not in {c.get_label() for c in fig.axes[0].containers}
    _close(fig)


def test_gain_heatmap_marks_the_claimed_cell_and_shows_its_ci():
    comparison = _comparison({"gain": 5.0, "low": 2.0, "high": 8.0, "template": "t", "profile": "p"}, {})
    fig = gain_heatmap_figure(comparison)
    assert [p for p in fig.axes[0].patches if p.get_gid() == CLAIMED_GID]
    assert _cell_texts(fig)[(0, 0)].get_text() == "+5.0\n[+2.0, +8.0]"
    _close(fig)
