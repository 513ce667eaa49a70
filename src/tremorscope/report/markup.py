"""The HTML building blocks of the report page: escaping, tables, lists, badges, figures.

Every text taken from the analysis goes through :func:`escape` (:func:`html.escape`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from tremorscope.report.images import jpeg_data_uri
from tremorscope.report.kinds import kind_of
from tremorscope.report.plot_style import figure_to_svg
from tremorscope.report.words import BADGE_WORDS
from tremorscope.results import Finding


def escape(text: object) -> str:
    """Any value as text safe in HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """An HTML table; header and cells are HTML already escaped."""
    head = "".join(f"<th scope='col'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def facts_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of facts; values are HTML already escaped."""
    body = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def kind_badge(finding: Finding) -> str:
    """The coloured badge naming the kind of a finding."""
    kind = kind_of(finding)
    return f'<span class="badge {kind}">{escape(BADGE_WORDS[kind])}</span>'


def text_list(items: Iterable[str]) -> str:
    """A list of texts (escaped here)."""
    entries = "".join(f"<li>{escape(i)}</li>" for i in items)
    return f'<ul class="tight">{entries}</ul>' if entries else ""


@dataclass
class FigureBook:
    """Numbers the figures of a page and counts them (``data-figures-expected``)."""

    kinds: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of figures placed so far."""
        return len(self.kinds)

    def _wrap(self, kind: str, content: str, caption: str, css: str, style: str = "") -> str:
        self.kinds.append(kind)
        n = self.count
        return (
            f'<figure class="fig {css}" id="figure-{n}" data-figure="{escape(kind)}"{style}>'
            f"{content}<figcaption><b>Figure {n}.</b> {caption}</figcaption></figure>"
        )

    def plot(self, kind: str, fig: Figure, caption: str, title: str, css: str = "") -> str:
        """Place a matplotlib figure as inline SVG; ``caption`` is HTML already escaped."""
        svg = figure_to_svg(fig, f"f{self.count + 1}", title)
        return self._wrap(kind, svg, caption, css)

    def image(self, kind: str, image: np.ndarray, caption: str, alt: str, css: str = "") -> str:
        """Place an RGB image as an inline JPEG; ``caption`` is HTML already escaped."""
        uri = jpeg_data_uri(image)
        height, width = image.shape[:2]
        tag = f'<img src="{uri}" alt="{escape(alt)}" width="{width}" height="{height}">'
        # "fixed": the figure as wide as its image, the caption wrapped under it
        style = f' style="width:{width}px"' if css == "fixed" else ""
        return self._wrap(kind, tag, caption, css, style)
