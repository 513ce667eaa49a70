"""How the report's plots look, and how a figure becomes inline SVG.

The colours (Okabe-Ito), the matplotlib style every plot is drawn in, and the serialisation
of a :class:`matplotlib.figure.Figure` as an ``<svg>`` element that can sit inline in the
page. Plots are drawn on figures directly (no pyplot, no global backend, no display needed).
"""

from __future__ import annotations

import html
import io
import re

import matplotlib as mpl
from matplotlib.figure import Figure

# Okabe-Ito colours: told apart with every common colour-vision deficiency.
BLUE, VERMILLION, ORANGE = "#0072B2", "#D55E00", "#E69F00"
SKY, GREEN, PURPLE, GREY = "#56B4E9", "#009E73", "#CC79A7", "#6B7280"
INK = "#1D2433"
#: Colour of each kind of rhythm, in plots and on the page.
KIND_COLOURS = {
    "tremor": VERMILLION,
    "voluntary": BLUE,
    "camera": GREY,
    "transmitted": ORANGE,
    "undetermined": SKY,
    "twitch": PURPLE,
}
#: Plot styling shared by every figure (text stays text in the SVG: searchable, small).
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "tremorscope",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "axes.edgecolor": "#9AA3B2",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E8EE",
    "grid.linewidth": 0.6,
    "xtick.color": "#4B5563",
    "ytick.color": "#4B5563",
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "lines.linewidth": 1.1,
}


def figure_to_svg(fig: Figure, prefix: str, title: str) -> str:
    """Serialise a figure as SVG markup that can be placed inline in HTML.

    Parameters
    ----------
    fig : Figure
        The figure.
    prefix : str
        Prefix for every element id, unique in the page (inline SVGs share one id space).
    title : str
        Accessible name of the figure (``aria-label``); escaped here.

    Returns
    -------
    str
        One ``<svg>`` element: no XML prolog, no namespaces or metadata that point elsewhere,
        scaling to the width of its container.

    """
    buffer = io.StringIO()
    with mpl.rc_context(STYLE):
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    markup = buffer.getvalue()
    markup = markup[markup.index("<svg") :]
    markup = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", markup)
    markup = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', markup)
    markup = markup.replace('href="#', f'href="#{prefix}-').replace("url(#", f"url(#{prefix}-")
    label = html.escape(title, quote=True)
    return re.sub(
        r'<svg\s+width="[^"]*"\s+height="[^"]*"',
        f'<svg role="img" aria-label="{label}" width="100%" preserveAspectRatio="xMidYMid meet"',
        markup,
        count=1,
    )


def plain_text(text: str) -> str:
    """Text shown as typed in a plot: dollar signs would start matplotlib's maths mode."""
    return text.replace("$", r"\$")


def new_figure(width_in: float, height_in: float, rows: int = 1, **grid: float) -> Figure:
    """A figure with ``rows`` stacked axes sharing the time axis, in the report's style."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        fig.subplots(rows, 1, sharex=True, squeeze=False, gridspec_kw=grid or None)
    return fig
