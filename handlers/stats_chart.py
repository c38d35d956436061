"""The `/stats` chart: the figures of `handlers.stats_figures` drawn as one PNG, with matplotlib.

Panels, top to bottom: questions per day (stacked by outcome), the most asked entries, votes per
entry, and webinar subscribers per region when there are any. Labels are in the reader's
language; the figure holds no emoji (matplotlib's bundled fonts have none). Colours are from the
Okabe-Ito palette, told apart with colour blindness too; the unanswered part of the daily bars
is also hatched.

Drawing takes a fraction of a second: callers run `draw` in a thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from babel.dates import format_date

from faq.usage import Metric
from handlers.i18n import Texts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from handlers.stats_figures import Figures

# Okabe & Ito, "Color Universal Design" (2008).
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

WIDTH = 9.0  # inches; at DPI, 900 pixels wide
DPI = 100
TICK_EVERY = 5  # days between two dated ticks of the daily panel


def draw(texts: Texts, figures: Figures) -> bytes:
    """The chart as PNG bytes."""
    # Imported here: matplotlib takes a while to load and reads its font cache on import. The
    # Agg canvas is chosen explicitly, without pyplot and its global state, so drawing in a
    # thread is safe and no display is looked for.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [(3.2, _daily)]
    if figures.most_asked:
        panels.append((_bars_height(len(figures.most_asked)), _most_asked))
    if figures.votes:
        panels.append((_bars_height(len(figures.votes), per_bar=0.45), _votes))
    if figures.subscribers:
        panels.append((_bars_height(len(figures.subscribers)), _subscribers))
    heights = [height for height, panel in panels]
    figure = Figure(figsize=(WIDTH, sum(heights)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, height_ratios=heights, squeeze=False)[:, 0]
    for ax, (_height, panel) in zip(axes, panels, strict=True):
        panel(ax, texts, figures)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _bars_height(bars: int, per_bar: float = 0.3) -> float:
    return 1.2 + per_bar * bars


def _daily(ax: Axes, texts: Texts, figures: Figures) -> None:
    _ = texts._
    positions = range(len(figures.days))
    series = (
        (Metric.ANSWER, _("answered"), BLUE, ""),
        (Metric.SUGGEST, _("suggested"), ORANGE, ""),
        (Metric.FALLBACK, _("not answered"), REDDISH_PURPLE, "//"),
    )
    bottom = [0] * len(figures.days)
    for metric, label, colour, hatch in series:
        counts = figures.questions[metric]
        ax.bar(
            positions,
            counts,
            bottom=bottom,
            label=label,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.5,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ticks = list(range(len(figures.days) - 1, -1, -TICK_EVERY))[::-1]
    ax.set_xticks(ticks, [format_date(figures.days[i], "d MMM", locale=texts.lang) for i in ticks])
    ax.set_title(
        _("Questions per day over the last {days} days (UTC)").format(days=len(figures.days))
    )
    ax.set_ylabel(_("questions"))
    _whole_numbers(ax, "y")
    ax.margins(y=0.3)  # room for the legend above the highest bars
    ax.legend(loc="upper left", frameon=False, ncols=3)


def _most_asked(ax: Axes, texts: Texts, figures: Figures) -> None:
    _ = texts._
    entries = [entry for entry, count in figures.most_asked]
    _horizontal(ax, entries, [count for entry, count in figures.most_asked])
    ax.set_title(_("Most asked entries (answered directly)"))
    ax.set_xlabel(_("questions"))


def _votes(ax: Axes, texts: Texts, figures: Figures) -> None:
    _ = texts._
    rows = range(len(figures.votes))
    up = ax.barh(
        [r - 0.2 for r in rows], [v.up for v in figures.votes], 0.4, label=_("up"), color=BLUE
    )
    down = ax.barh(
        [r + 0.2 for r in rows],
        [v.down for v in figures.votes],
        0.4,
        label=_("down"),
        color=VERMILLION,
        hatch="//",
        edgecolor="white",
    )
    for bars in (up, down):
        ax.bar_label(bars, padding=2)
    ax.set_yticks(rows, [v.entry_id for v in figures.votes])
    ax.invert_yaxis()
    ax.margins(x=0.1)  # room for the counts at the ends of the bars
    ax.set_title(_("Votes per entry"))
    ax.set_xlabel(_("votes"))
    _whole_numbers(ax, "x")
    # Above the panel's right corner, where no bar can be.
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)


def _subscribers(ax: Axes, texts: Texts, figures: Figures) -> None:
    _ = texts._
    names = [s.region.name(texts.lang) for s in figures.subscribers]
    _horizontal(ax, names, [s.count for s in figures.subscribers], colour=BLUISH_GREEN)
    ax.set_title(_("Webinar subscribers per region"))
    ax.set_xlabel(_("subscribers"))


def _horizontal(
    ax: Axes, labels: Sequence[str], counts: Sequence[int], colour: str = SKY_BLUE
) -> None:
    """One bar a label, the first at the top, each with its count."""
    bars = ax.barh(range(len(labels)), counts, color=colour)
    ax.bar_label(bars, padding=2)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.margins(x=0.1)  # room for the counts at the ends of the bars
    _whole_numbers(ax, "x")


def _whole_numbers(ax: Axes, axis: str) -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))
