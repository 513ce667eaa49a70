"""Shot cuts and gradual transitions: changes of the whole picture that no camera move explains.

A frame is compared with the one before on a small thumbnail. Where the picture changed far more
than it recently did, a geometric test decides: corners of the previous picture are followed
into the new one and a similarity transform (shift, rotation, zoom) fitted to them. A camera
that pans or zooms moves the picture by a transform that fits and that is close to the recent
ones; a cut to another framing of the same scene (a close-up, a reframed wide shot), whose
grey levels stay alike, is a transform that does not fit or that jumps. A dissolve or fade
changes the picture by a little every frame for a fraction of a second: it is found by comparing
the frame with one :data:`TRANSITION_LAG_S` earlier, and reported as a span in which nothing is
measured.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from tremorscope.video.frame import GrayImage, as_gray_image

#: Side of the square thumbnail compared between frames.
THUMB_SIDE = 48
#: A cut changes the thumbnail by at least this many grey levels on average...
MIN_CUT_CHANGE = 20.0
#: ...and by this many times the recent typical frame-to-frame change.
RELATIVE_CUT_CHANGE = 4.0
#: Histogram correlation below which two frames look like different scenes.
MAX_CUT_CORRELATION = 0.7
#: A change of at least this many grey levels (and RELATIVE_CUT_CHANGE times the typical one)
#: is worth the geometric test, even when the histograms still match (another framing).
MIN_CANDIDATE_CHANGE = 8.0
#: Width of the picture the geometric test works on, pixels.
GEOMETRY_WIDTH = 160
#: Corners followed in the geometric test.
GEOMETRY_CORNERS = 120
#: A corner agrees with the fitted transform within this many pixels (of GEOMETRY_WIDTH).
GEOMETRY_TOLERANCE_PX = 1.5
#: The picture is one moved by the camera when this share of the corners agree...
MIN_AGREEING_SHARE = 0.5
#: ...and the transform does not jump: zoom (log) and shift (share of the width) in one frame.
MAX_STEP_ZOOM = 0.05
MAX_STEP_SHIFT = 0.08
#: A view that moved by less than this share of its width (or zoomed by less) held still.
STILL_VIEW_SHIFT = 0.01
#: A dissolve or fade is looked for over this lag, seconds.
TRANSITION_LAG_S = 0.3
#: Over the lag, a transition changes the thumbnail by at least this many grey levels...
MIN_TRANSITION_CHANGE = 6.0
#: ...over at least this share of the picture...
MIN_TRANSITION_COVER = 0.2
#: ...and the picture half-way departs from the mean of the two ends by at most this share of
#: the change (a blend, not motion).
MAX_BLEND_DEPARTURE = 0.25
#: A change that a gain and offset explain but for this share of it is the exposure's...
MAX_EXPOSURE_RESIDUAL = 0.7
#: ...when the gain lies in this range (a fade's goes towards 0).
EXPOSURE_GAINS = (0.7, 1.4)
#: A picture whose thumbnail varies by less than this (grey levels, SD) is blank (black in a
#: fade): nothing to measure.
MIN_PICTURE_CONTRAST = 4.0
#: A transition of at least this many frames ends with a new shot (shorter: a flicker).
MIN_TRANSITION_FRAMES = 3


@dataclass(frozen=True)
class PictureChange:
    """What the detector says about one frame.

    Attributes
    ----------
    cut : bool
        A new shot starts here.
    in_transition : bool
        The frame lies in a gradual transition (dissolve, fade) or is blank: nothing is
        measured on it.
    began_frames_ago : int
        On the first frame of a transition found as a blend, how many frames before this one it
        began (the blend is recognised once it has lasted a lag); 0 otherwise.

    """

    cut: bool = False
    in_transition: bool = False
    began_frames_ago: int = 0


Box = tuple[int, int, int, int]


def _active(image: GrayImage, box: Box | None) -> np.ndarray:
    """The plane, or its active picture ``box`` (inside black bars)."""
    if box is None:
        return image.plane
    x, y, w, h = box
    return image.plane[y : y + h, x : x + w]


def thumbnail(image: GrayImage, side: int = THUMB_SIDE, box: Box | None = None) -> np.ndarray:
    """A ``side`` x ``side`` full-range float thumbnail of the picture (or of ``box`` in it)."""
    plane = _active(image, box)
    step = max(1, min(plane.shape) // (2 * side))
    thumb = cv2.resize(plane[::step, ::step], (side, side), interpolation=cv2.INTER_LINEAR)
    return image.full_levels(thumb)


def _geometry_image(image: GrayImage, box: Box | None = None) -> np.ndarray:
    """The picture at :data:`GEOMETRY_WIDTH` pixels wide (aspect kept), full range, uint8."""
    plane = _active(image, box)
    height, width = plane.shape[:2]
    step = max(1, width // (2 * GEOMETRY_WIDTH))
    size = (GEOMETRY_WIDTH, max(8, round(GEOMETRY_WIDTH * height / width)))
    small = cv2.resize(plane[::step, ::step], size, interpolation=cv2.INTER_AREA)
    return np.clip(image.full_levels(small), 0, 255).astype(np.uint8)


def _similarity(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray | None, float]:
    """A similarity taking picture ``a`` to ``b`` (corners followed, RANSAC), and its support.

    Returns
    -------
    (ndarray or None, float)
        The 2 x 3 matrix (None when too few corners could be followed or fitted) and the share
        of ``a``'s corners that agree with it (0-1; 1.0 with no corners at all).
    """
    corners = cv2.goodFeaturesToTrack(a, GEOMETRY_CORNERS, 0.01, 4)
    if corners is None or len(corners) < 8:
        return None, 1.0
    ahead, ok, _ = cv2.calcOpticalFlowPyrLK(a, b, corners, None, winSize=(15, 15), maxLevel=3)
    back, ok_back, _ = cv2.calcOpticalFlowPyrLK(b, a, ahead, None, winSize=(15, 15), maxLevel=3)
    consistent = (
        (ok.ravel() == 1)
        & (ok_back.ravel() == 1)
        & (np.linalg.norm((back - corners).reshape(-1, 2), axis=1) < GEOMETRY_TOLERANCE_PX)
    )
    if consistent.sum() < 6:
        return None, 0.0
    src, dst = corners[consistent].reshape(-1, 2), ahead[consistent].reshape(-1, 2)
    matrix, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=GEOMETRY_TOLERANCE_PX
    )
    if matrix is None:
        return None, 0.0
    return matrix, float(inliers.sum()) / len(corners)


def view_held_still(before: GrayImage, after: GrayImage, box: Box | None = None) -> bool:
    """Whether the camera held still between two pictures (no pan or zoom beyond a little).

    The similarity most corners agree on moved the picture by at most :data:`STILL_VIEW_SHIFT`
    of its width and zoomed it by at most that share; with too few corners to tell, the view
    counts as still.

    Parameters
    ----------
    before, after : GrayImage
        Two pictures of the same size.
    box : tuple of int, optional
        The active picture inside black bars.

    """
    a, b = _geometry_image(before, box), _geometry_image(after, box)
    matrix, share = _similarity(a, b)
    if matrix is None or share < MIN_AGREEING_SHARE:
        return True
    zoom = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    shift = float(np.hypot(*matrix[:, 2]))
    return abs(zoom - 1.0) <= STILL_VIEW_SHIFT and shift <= STILL_VIEW_SHIFT * a.shape[1]


def camera_step(
    before: GrayImage, after: GrayImage, box: Box | None = None
) -> tuple[float, float, float] | None:
    """The camera move that takes ``before`` to ``after``, or None when no move explains it.

    Corners of ``before`` are followed into ``after`` (pyramidal Lucas-Kanade, checked backward)
    and a similarity transform fitted to them (RANSAC).

    Parameters
    ----------
    before, after : GrayImage
        Two pictures of the same size.
    box : tuple of int, optional
        The active picture ``(x, y, w, h)`` inside black bars: only it is compared.

    Returns
    -------
    tuple of float or None
        ``(agreeing share of corners, |log zoom|, shift as a share of the width)``; None when
        too few corners could be followed to fit a transform.

    """
    a, b = _geometry_image(before, box), _geometry_image(after, box)
    matrix, share = _similarity(a, b)
    if matrix is None:
        return None if share == 1.0 else (0.0, 0.0, 0.0)
    zoom = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    centre = np.array([a.shape[1] / 2.0, a.shape[0] / 2.0])
    moved = matrix[:, :2] @ centre + matrix[:, 2] - centre
    return share, abs(float(np.log(max(zoom, 1e-6)))), float(np.hypot(*moved)) / a.shape[1]


def changed_share(old: np.ndarray, new: np.ndarray, ignored: np.ndarray | None = None) -> float:
    """Share of a thumbnail whose grey level changed by more than :data:`MIN_CUT_CHANGE`.

    ``ignored``: thumbnail pixels not counted (e.g. where people already known move in place).
    """
    changed = np.abs(new - old) > MIN_CUT_CHANGE
    if ignored is not None:
        changed &= ~ignored
    return float(np.mean(changed))


def thumbnail_mask(
    boxes: list[Box], shape: tuple[int, int], box: Box | None = None, grow: float = 0.15
) -> np.ndarray:
    """The thumbnail pixels (:func:`thumbnail`) covered by ``boxes`` (frame pixels), widened.

    Parameters
    ----------
    boxes : list of (x, y, w, h)
        Boxes in the frame, pixels.
    shape : tuple of int
        The frame's ``(height, width)``.
    box : tuple of int, optional
        The active picture the thumbnail covers (the whole frame when None).
    grow : float
        Share of each box's size added on every side.

    """
    bx, by, bw, bh = box if box is not None else (0, 0, shape[1], shape[0])
    mask = np.zeros((THUMB_SIDE, THUMB_SIDE), dtype=bool)
    for x, y, w, h in boxes:
        x0 = int(np.floor((x - grow * w - bx) * THUMB_SIDE / bw))
        x1 = int(np.ceil((x + w + grow * w - bx) * THUMB_SIDE / bw))
        y0 = int(np.floor((y - grow * h - by) * THUMB_SIDE / bh))
        y1 = int(np.ceil((y + h + grow * h - by) * THUMB_SIDE / bh))
        mask[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = True
    return mask


def is_blend(old: np.ndarray, mid: np.ndarray, new: np.ndarray) -> bool:
    """Whether ``mid`` is a blend of ``old`` and ``new`` over most of the picture.

    In a dissolve or fade each pixel goes from one picture to the next in a straight line, so
    the picture half-way is the mean of the two ends; where something moves, it is not (the
    moving thing is neither where it was nor where it went). The change must also cover most
    of the picture, as a transition's does.

    Parameters
    ----------
    old, mid, new : ndarray
        Thumbnails a lag apart, half a lag apart (full-range grey).

    """
    change = np.abs(new - old)
    if np.mean(change > MIN_CANDIDATE_CHANGE) < MIN_TRANSITION_COVER:
        return False
    departure = float(np.mean(np.abs(mid - (old + new) / 2.0)))
    if departure >= MAX_BLEND_DEPARTURE * float(np.mean(change)):
        return False
    return not is_exposure_change(old, new)


def is_exposure_change(old: np.ndarray, new: np.ndarray) -> bool:
    """Whether ``new`` is ``old`` brighter or darker (the camera's exposure), not a new picture.

    A gain and offset fitted from one thumbnail to the other leave little of the change when
    only the exposure moved; a fade is such a change too, but with a gain far from 1.
    """
    design = np.column_stack([old.ravel(), np.ones(old.size)])
    (gain, offset), *_ = np.linalg.lstsq(design, new.ravel(), rcond=None)
    left = float(np.mean(np.abs(design @ (gain, offset) - new.ravel())))
    explained = left < MAX_EXPOSURE_RESIDUAL * float(np.mean(np.abs(new - old)))
    return explained and EXPOSURE_GAINS[0] <= gain <= EXPOSURE_GAINS[1]


def explained_by_camera(step: tuple[float, float, float] | None) -> bool:
    """Whether a :func:`camera_step` is a camera move (fits, and does not jump)."""
    if step is None:  # nothing to follow (a blank picture): no evidence of a new shot
        return True
    share, zoom, shift = step
    return share >= MIN_AGREEING_SHARE and zoom <= MAX_STEP_ZOOM and shift <= MAX_STEP_SHIFT


class ShotCutDetector:
    """Online detector of hard cuts and gradual transitions, fed one frame at a time.

    Parameters
    ----------
    fps : float
        Frame rate, for the transition's lag.
    history : int
        Frames of recent change that set what is typical.
    box : tuple of int, optional
        The active picture ``(x, y, w, h)`` inside black bars: only it is compared (bars that
        never change would dilute a cut's change and fill both histograms alike).

    """

    def __init__(self, fps: float = 30.0, history: int = 30, box: Box | None = None) -> None:
        self.box = box
        self._previous: np.ndarray | None = None
        self._previous_hist: np.ndarray | None = None
        self._previous_image: GrayImage | None = None
        self._recent: deque[float] = deque(maxlen=history)
        self._lag = max(3, round(TRANSITION_LAG_S * fps))
        #: Thumbnails of the last frames, for the transition's comparison.
        self._past: deque[np.ndarray] = deque(maxlen=self._lag + 1)
        self._since_cut = self._lag
        #: Frames of the gradual transition under way (0: none).
        self._transition_frames = 0
        #: Geometric tests run (their cost is paid on candidate frames only).
        self.geometry_tests = 0

    @property
    def last_thumbnail(self) -> np.ndarray | None:
        """The thumbnail of the frame last looked at (:func:`thumbnail`)."""
        return self._previous

    def update(self, gray: np.ndarray | GrayImage) -> bool:
        """Whether ``gray`` starts a new shot (never for the first frame).

        Parameters
        ----------
        gray : ndarray, shape (height, width), uint8, or GrayImage
            The next frame (full-range grey).

        Returns
        -------
        bool
            True at a cut (or where a gradual transition has settled).

        """
        return self.look(gray).cut

    def look(self, gray: np.ndarray | GrayImage) -> PictureChange:
        """What ``gray`` is: a cut, a frame in a gradual transition, or neither."""
        image = as_gray_image(gray)
        thumb = thumbnail(image, box=self.box)
        hist = cv2.calcHist([np.clip(thumb, 0, 255)], [0], None, [32], [0, 256])
        cv2.normalize(hist, hist)
        change = PictureChange()
        if self._previous is not None:
            change = self._judge(image, thumb, hist)
        self._previous, self._previous_hist, self._previous_image = thumb, hist, image
        self._past.append(thumb)
        self._since_cut += 1
        if change.cut:
            self._since_cut = 0
            self._past.clear()
            self._past.append(thumb)
            self._recent.clear()
        return change

    def _judge(self, image: GrayImage, thumb: np.ndarray, hist: np.ndarray) -> PictureChange:
        step = float(np.mean(np.abs(thumb - self._previous)))
        jumps = self._jumps(image, step, hist)
        if jumps and not self._transition_frames and self._since_cut >= self._lag:
            return PictureChange(cut=True)
        if jumps or self._blends(thumb) or float(np.std(thumb)) < MIN_PICTURE_CONTRAST:
            # a jump soon after a cut, a blend, a blank picture: a transition under way
            began = self._lag if self._transition_frames == 0 and not jumps else 0
            self._transition_frames += 1
            return PictureChange(in_transition=True, began_frames_ago=began)
        self._recent.append(step)
        settled = self._transition_frames >= MIN_TRANSITION_FRAMES
        self._transition_frames = 0
        return PictureChange(cut=settled)  # settled: the new picture starts a shot

    def _jumps(self, image: GrayImage, step: float, hist: np.ndarray) -> bool:
        """Whether the picture jumped from the previous frame in a way no camera move explains."""
        typical = statistics.median(self._recent) if self._recent else 0.0
        if not step > RELATIVE_CUT_CHANGE * typical or step <= MIN_CANDIDATE_CHANGE:
            return False
        correlation = float(cv2.compareHist(hist, self._previous_hist, cv2.HISTCMP_CORREL))
        if step > MIN_CUT_CHANGE and (
            correlation < MAX_CUT_CORRELATION or step > 3 * MIN_CUT_CHANGE
        ):
            return True
        self.geometry_tests += 1
        return not explained_by_camera(camera_step(self._previous_image, image, self.box))

    def _lagged(self, thumb: np.ndarray) -> float:
        return float(np.mean(np.abs(thumb - self._past[0]))) if self._past else 0.0

    def _blends(self, thumb: np.ndarray) -> bool:
        """Whether the last lag of frames is a dissolve or fade under way."""
        if len(self._past) <= self._lag:
            return False
        mid = self._past[len(self._past) // 2]
        return self._lagged(thumb) > MIN_TRANSITION_CHANGE and is_blend(self._past[0], mid, thumb)
