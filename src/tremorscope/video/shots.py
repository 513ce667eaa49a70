"""Shot cuts: abrupt changes of the whole picture between consecutive frames."""

from __future__ import annotations

import statistics
from collections import deque

import cv2
import numpy as np

from tremorscope.video.reader import GrayImage, as_gray_image

#: Side of the square thumbnail compared between frames.
THUMB_SIDE = 48
#: A cut changes the thumbnail by at least this many grey levels on average...
MIN_CUT_CHANGE = 20.0
#: ...and by this many times the recent typical frame-to-frame change.
RELATIVE_CUT_CHANGE = 4.0
#: Histogram correlation below which two frames look like different scenes.
MAX_CUT_CORRELATION = 0.7


class ShotCutDetector:
    """Online detector of hard cuts, fed one greyscale frame at a time.

    A frame starts a new shot when its thumbnail differs from the previous one by far more than
    the recent frame-to-frame change (motion) and its grey-level histogram no longer matches.
    Gradual transitions (fades, dissolves) are not detected.

    Parameters
    ----------
    history : int
        Frames whose change is the recent typical change.
    box : tuple of int, optional
        The active picture ``(x, y, w, h)`` inside black bars: only it is compared (bars that
        never change would dilute a cut's change and fill both histograms alike).

    """

    def __init__(self, history: int = 30, box: tuple[int, int, int, int] | None = None) -> None:
        self.box = box
        self._previous: np.ndarray | None = None
        self._previous_hist: np.ndarray | None = None
        self._recent: deque[float] = deque(maxlen=history)

    def update(self, gray: np.ndarray | GrayImage) -> bool:
        """Whether ``gray`` starts a new shot (never for the first frame).

        Parameters
        ----------
        gray : ndarray, shape (height, width), uint8, or GrayImage
            The next frame (full-range grey).

        Returns
        -------
        bool
            True at a cut.

        """
        image = as_gray_image(gray)
        plane = image.plane
        if self.box is not None:
            x, y, w, h = self.box
            plane = plane[y : y + h, x : x + w]
        # subsample to about twice the thumbnail first (cheap on HD), then halve bilinearly
        step = max(1, min(plane.shape) // (2 * THUMB_SIDE))
        thumb = cv2.resize(
            plane[::step, ::step], (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_LINEAR
        )
        thumb = image.full_levels(thumb)
        hist = cv2.calcHist([thumb], [0], None, [32], [0, 256])
        cv2.normalize(hist, hist)
        cut = False
        if self._previous is not None:
            change = float(np.mean(np.abs(thumb - self._previous)))
            typical = statistics.median(self._recent) if self._recent else 0.0
            correlation = float(cv2.compareHist(hist, self._previous_hist, cv2.HISTCMP_CORREL))
            cut = (
                change > MIN_CUT_CHANGE
                and change > RELATIVE_CUT_CHANGE * typical
                and (correlation < MAX_CUT_CORRELATION or change > 3 * MIN_CUT_CHANGE)
            )
            if cut:
                self._recent.clear()
            else:
                self._recent.append(change)
        self._previous, self._previous_hist = thumb, hist
        return cut
