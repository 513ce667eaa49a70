"""How the annotated video looks: the colours of the finding kinds and the sizes for a frame.

The colours and legend wording of each kind, and :class:`Style`, the sizes of text, lines and
the trace strip scaled to the frame height. What is drawn is decided in
:mod:`tremorscope.report.annotated_marks`, how it is drawn in
:mod:`tremorscope.report.annotated_drawing`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2

from tremorscope.report.kinds import KIND_LABELS

RGB = tuple[int, int, int]

#: Colours (RGB) of the finding kinds, and of twitches and text.
COLOURS: dict[str, RGB] = {
    "tremor": (235, 40, 40),
    "transmitted": (245, 150, 150),
    "voluntary": (45, 125, 255),
    "camera": (165, 165, 165),
    "undetermined": (190, 120, 210),
    "none": (225, 225, 215),
    "twitch": (255, 205, 0),
}
#: Legend wording of each kind: the report's labels (a region drawn ``none`` shows no rhythm).
LEGEND_TEXT = {**KIND_LABELS, "none": "no rhythm"}
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)

#: Font of all text drawn.
FONT = cv2.FONT_HERSHEY_SIMPLEX
#: Cap height (px) of ``FONT`` at scale 1.
FONT_CAP_PX = 22.0


@dataclass(frozen=True)
class Style:
    """Sizes of everything drawn, scaled to the frame height.

    Attributes
    ----------
    text_px : int
        Cap height of text, pixels.
    font_scale : float
        OpenCV font scale giving ``text_px``.
    text_thickness : int
        Stroke of text.
    outline : int
        Extra stroke of the dark outline around text.
    line : int
        Box line for a region with a rhythm.
    thin : int
        Box line for a region without one.
    pad : int
        Padding around labels and between elements.
    lane : int
        Height of one lane of the trace strip.

    """

    text_px: int
    font_scale: float
    text_thickness: int
    outline: int
    line: int
    thin: int
    pad: int
    lane: int


def style_for_height(height: int) -> Style:
    """Sizes of text, lines and the trace strip for frames ``height`` pixels high.

    Text is about 1/34 of the height (at least 10 px, so that a 144-line frame stays readable),
    lines about 1/300 of it (at least 2 px for boxes with a rhythm).

    Parameters
    ----------
    height : int
        Frame height in pixels.

    Returns
    -------
    Style

    """
    text_px = max(10, round(height / 34))
    return Style(
        text_px=text_px,
        font_scale=text_px / FONT_CAP_PX,
        text_thickness=max(1, round(text_px / 14)),
        outline=max(1, round(text_px / 10)),
        line=max(2, round(height / 300)),
        thin=max(1, round(height / 720)),
        pad=max(2, round(text_px / 4)),
        lane=max(round(2.6 * text_px), round(height / 14)),
    )
