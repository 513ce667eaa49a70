"""Hand landmarks on crops placed by the pose: how wide the fingers open, how far they extend.

mediapipe 0.10.14's bundled Hands model (legacy solution, ``model_complexity=0``, the lite
landmark model; offline) runs on a square crop around each hand the pose model placed. From its
21 landmarks come three shape measures that do not depend on the picture's resolution or
encoding, because each is a ratio of lengths within the hand:

- the hand's size in pixels (wrist to the middle finger's knuckle: the palm, which does not
  change as the fingers move);
- the thumb-index aperture (thumb tip to index tip, in palm lengths): it closes and reopens
  every cycle of finger tapping;
- the fingers' extension (mean of each fingertip's distance from the wrist over its knuckle's,
  for the four fingers): about 2 with the hand open, near 1 in a fist, so it swings with every
  opening and closing.

A tremor moves the hand with its shape nearly unchanged (even pill-rolling is a small excursion
of the thumb against the index); a voluntary movement of the fingers changes these ratios by a
large share every cycle.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass

import numpy as np

from tremorscope.locate.pose import Box, quiet_mediapipe

#: Body parts that are hands (the names :mod:`tremorscope.locate.regions` gives them).
HANDS = ("left_hand", "right_hand")
#: Landmark indices of mediapipe's hand model.
WRIST = 0
THUMB_TIP = 4
INDEX_TIP = 8
MIDDLE_MCP = 9
#: Knuckle (MCP) and tip of the index, middle, ring and little fingers.
FINGER_MCPS = (5, 9, 13, 17)
FINGER_TIPS = (8, 12, 16, 20)
#: The crop around a hand is this many times the pose's hand region (the region is sized to the
#: palm; the fingers, spread or pointing, reach beyond it).
CROP_SCALE = 2.2
#: Smallest crop side in pixels worth giving the model (it works on 224 x 224).
MIN_CROP_SIDE = 32
#: A hand found farther than this share of the crop's side from the pose's hand is another
#: hand (the other one, close by on the lap) or a false find.
MAX_OFFSET = 0.35


@dataclass(frozen=True)
class HandShape:
    """The shape of one hand in one frame, from its landmarks.

    Attributes
    ----------
    t : float
        Frame time, seconds.
    size_px : float
        Palm length (wrist to middle-finger knuckle), pixels.
    aperture : float
        Thumb tip to index tip, in palm lengths.
    extension : float
        Mean fingertip-to-wrist over knuckle-to-wrist distance of the four fingers (about 2
        open, near 1 closed).
    centre : tuple of float
        Mean of the 21 landmarks, frame pixels (x, y).
    extent_px : float
        The larger side of the landmarks' bounding box, pixels.

    """

    t: float
    size_px: float
    aperture: float
    extension: float
    centre: tuple[float, float]
    extent_px: float = 0.0


def hand_shape(points: np.ndarray, t: float) -> HandShape | None:
    """Shape measures of one hand from its 21 landmarks.

    Parameters
    ----------
    points : ndarray, shape (21, 2)
        Landmark positions in frame pixels.
    t : float
        Frame time, seconds.

    Returns
    -------
    HandShape or None
        None when the palm has no length (degenerate landmarks).

    """
    palm = float(np.linalg.norm(points[MIDDLE_MCP] - points[WRIST]))
    if not palm > 1e-6:
        return None
    aperture = float(np.linalg.norm(points[THUMB_TIP] - points[INDEX_TIP])) / palm
    tips = np.linalg.norm(points[list(FINGER_TIPS)] - points[WRIST], axis=1)
    knuckles = np.linalg.norm(points[list(FINGER_MCPS)] - points[WRIST], axis=1)
    extension = float(np.mean(tips / np.maximum(knuckles, 1e-6)))
    centre = points.mean(axis=0)
    extent = float(np.ptp(points, axis=0).max())
    return HandShape(t, palm, aperture, extension, (float(centre[0]), float(centre[1])), extent)


#: The pose's hand region is taken as misplaced when the hand's landmarks lie farther than this
#: share of the region's side from its centre.
MISPLACED = 0.35
#: A region placed from the landmarks is this many times their extent (at least the pose's).
LANDMARK_REGION_SCALE = 1.1


def region_from_landmarks(region: Box, shape: HandShape, frame: tuple[int, int]) -> Box | None:
    """Where a hand's region belongs when the pose put it beside the hand.

    The pose model places the hand from the wrist and knuckles it guesses, which misses a hand
    at the frame's edge or close to the camera; the hand model, run on a crop 2.2 times the
    region, finds the hand itself.

    Parameters
    ----------
    region : tuple of int
        The pose's hand region ``(x, y, w, h)``.
    shape : HandShape
        The hand's landmarks at about the same time.
    frame : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    tuple of int or None
        The region re-centred on the landmarks (side: the pose's, or 1.1 times the landmarks'
        extent if larger), inside the frame; None when the pose's region already holds the hand
        (its centre within :data:`MISPLACED` of the side from the landmarks').

    """
    x, y, w, h = region
    side = max(w, h)
    offset = np.hypot(shape.centre[0] - (x + w / 2), shape.centre[1] - (y + h / 2))
    if offset <= MISPLACED * side:
        return None
    height, width = frame
    side = min(max(side, LANDMARK_REGION_SCALE * shape.extent_px), width, height)
    x0 = int(np.clip(round(shape.centre[0] - side / 2), 0, width - side))
    y0 = int(np.clip(round(shape.centre[1] - side / 2), 0, height - side))
    return x0, y0, int(side), int(side)


def hand_crop(region: Box, shape: tuple[int, int]) -> Box | None:
    """The square crop given to the hand model around a pose-placed hand region.

    Parameters
    ----------
    region : tuple of int
        The hand's region ``(x, y, w, h)`` from the pose.
    shape : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    tuple of int or None
        ``(x, y, w, h)`` inside the frame, or None when it would be under
        :data:`MIN_CROP_SIDE`.

    """
    height, width = shape
    x, y, w, h = region
    side = CROP_SCALE * max(w, h)
    cx, cy = x + w / 2, y + h / 2
    x0 = int(np.clip(round(cx - side / 2), 0, width - 1))
    y0 = int(np.clip(round(cy - side / 2), 0, height - 1))
    x1 = int(np.clip(round(cx + side / 2), x0 + 1, width))
    y1 = int(np.clip(round(cy + side / 2), y0 + 1, height))
    if min(x1 - x0, y1 - y0) < MIN_CROP_SIDE:
        return None
    return x0, y0, x1 - x0, y1 - y0


class HandLandmarker:
    """mediapipe's Hands model for one hand followed over a video's crops.

    One instance per hand (person and side), in tracking mode: between calls the model follows
    the hand from its last landmarks and runs its palm detector only when it loses it.

    Parameters
    ----------
    min_confidence : float
        Detection and presence confidence the model needs.

    """

    def __init__(self, min_confidence: float = 0.5) -> None:
        with quiet_mediapipe():
            from mediapipe.python.solutions import hands as mp_hands

            self._hands = mp_hands.Hands(
                static_image_mode=False,
                max_num_hands=1,
                model_complexity=0,  # the lite landmark model (0 and 1 are bundled)
                min_detection_confidence=min_confidence,
                min_tracking_confidence=min_confidence,
            )
            # the first call starts the graph, which logs to stderr from native code
            self._hands.process(np.zeros((64, 64, 3), np.uint8))

    def close(self) -> None:
        """Release the model."""
        self._hands.close()

    def landmarks(self, rgb_crop: np.ndarray, crop: Box) -> np.ndarray | None:
        """The hand's 21 landmarks in frame pixels, or None when no hand is found.

        Parameters
        ----------
        rgb_crop : ndarray, shape (h, w, 3), uint8
            The crop ``crop`` of the frame, RGB.
        crop : tuple of int
            Where the crop lies in the frame ``(x, y, w, h)``.

        Returns
        -------
        ndarray, shape (21, 2), or None
            None also when the hand found lies off the crop's centre by more than
            :data:`MAX_OFFSET` of its side (another hand).

        """
        result = self._hands.process(np.ascontiguousarray(rgb_crop))
        if not result.multi_hand_landmarks:
            return None
        h, w = rgb_crop.shape[:2]
        marks = result.multi_hand_landmarks[0].landmark
        local = np.array([[m.x * w, m.y * h] for m in marks], dtype=float)
        offset = np.abs(local.mean(axis=0) - np.array([w / 2, h / 2])) / np.array([w, h])
        if offset.max() > MAX_OFFSET:
            return None
        return local + np.array(crop[:2], dtype=float)


# Hands found on their own, on the whole frame

#: The whole-frame hand model: the full landmark model (complexity 1: the lite one, 0, is about
#: a quarter cheaper but on treman3's hand it swapped the handedness between frames), two hands
#: at most, palm detection on every call (single images).
FINDER_COMPLEXITY = 1
FINDER_MAX_HANDS = 2
#: A found hand's region is this many times its landmarks' extent (as
#: :func:`region_from_landmarks` places one).
FOUND_REGION_SCALE = LANDMARK_REGION_SCALE


@dataclass(frozen=True)
class FoundHand:
    """A hand the hand model found by itself on a whole frame.

    Attributes
    ----------
    points : ndarray, shape (21, 2)
        Landmark positions in frame pixels (mediapipe's hand landmark order).
    box : tuple of int
        ``(x, y, w, h)``: a square :data:`FOUND_REGION_SCALE` times the landmarks' extent,
        centred on their mean, inside the frame: a region ready to measure.
    handedness : str
        ``"Left"`` or ``"Right"`` as the model reports it. The model takes the picture as
        mirrored (a selfie camera), so on an ordinary camera's picture its ``"Left"`` is usually
        the person's right hand.
    score : float
        The model's confidence in its handedness, 0-1.

    """

    points: np.ndarray
    box: Box
    handedness: str
    score: float

    #: A hand seen on its own shows nothing of the person's look (see
    #: :class:`tremorscope.locate.people.PeopleTracker`, which follows it by its box alone).
    appearance = None

    @property
    def part(self) -> str:
        """The body part it is taken for: ``right_hand`` or ``left_hand``.

        The model takes every picture as mirrored, so its ``"Left"`` is the person's right hand
        on an ordinary (not mirrored) camera's picture; a selfie video swaps them. A hand with
        no handedness is taken as the right.
        """
        return "left_hand" if self.handedness == "Right" else "right_hand"

    @property
    def palm_px(self) -> float:
        """The palm's length (wrist to middle-finger knuckle), pixels."""
        return float(np.linalg.norm(self.points[MIDDLE_MCP] - self.points[WRIST]))

    @property
    def centre(self) -> tuple[float, float]:
        """Mean of the 21 landmarks, frame pixels (x, y)."""
        c = self.points.mean(axis=0)
        return float(c[0]), float(c[1])


def found_hand_box(points: np.ndarray, frame: tuple[int, int]) -> Box:
    """The square region around a found hand's landmarks.

    Parameters
    ----------
    points : ndarray, shape (21, 2)
        Landmarks in frame pixels.
    frame : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    tuple of int
        ``(x, y, w, h)``: side :data:`FOUND_REGION_SCALE` times the landmarks' larger extent
        (at least 1, at most the frame's smaller side), centred on their mean, shifted inside.

    """
    height, width = frame
    centre = points.mean(axis=0)
    extent = float(np.ptp(points, axis=0).max())
    side = int(np.clip(round(FOUND_REGION_SCALE * extent), 1, min(height, width)))
    x0 = int(np.clip(round(centre[0] - side / 2), 0, width - side))
    y0 = int(np.clip(round(centre[1] - side / 2), 0, height - side))
    return x0, y0, side, side


class HandFinder:
    """mediapipe's Hands model on whole frames, each on its own (``static_image_mode``).

    Parameters
    ----------
    min_confidence : float
        Palm-detection confidence a hand needs.
    model_complexity : int
        0 (lite) or 1 (full) landmark model; both are bundled.
    max_hands : int
        Most hands returned.

    """

    def __init__(
        self,
        min_confidence: float = 0.5,
        model_complexity: int = FINDER_COMPLEXITY,
        max_hands: int = FINDER_MAX_HANDS,
    ) -> None:
        with quiet_mediapipe():
            from mediapipe.python.solutions import hands as mp_hands

            self._hands = mp_hands.Hands(
                static_image_mode=True,
                max_num_hands=max_hands,
                model_complexity=model_complexity,
                min_detection_confidence=min_confidence,
            )
            self._hands.process(np.zeros((64, 64, 3), np.uint8))
        self._lock = threading.Lock()

    def close(self) -> None:
        """Release the model."""
        self._hands.close()

    def find(self, rgb: np.ndarray) -> list[FoundHand]:
        """Every hand in an RGB frame (see :func:`find_hands`)."""
        height, width = rgb.shape[:2]
        with self._lock, warnings.catch_warnings():  # one graph: two threads take turns
            # reading the handedness goes through a protobuf call that warns it is deprecated
            warnings.filterwarnings("ignore", category=UserWarning, module="google.protobuf")
            result = self._hands.process(np.ascontiguousarray(rgb))
        if not result.multi_hand_landmarks:
            return []
        found = []
        labels = result.multi_handedness or [None] * len(result.multi_hand_landmarks)
        for marks, label in zip(result.multi_hand_landmarks, labels, strict=True):
            points = np.array([[m.x * width, m.y * height] for m in marks.landmark], float)
            side, score = "", 0.0
            if label is not None and label.classification:
                side, score = label.classification[0].label, float(label.classification[0].score)
            found.append(FoundHand(points, found_hand_box(points, (height, width)), side, score))
        return found


_FINDER: HandFinder | None = None
_FINDER_LOCK = threading.Lock()


def find_hands(rgb: np.ndarray) -> list[FoundHand]:
    """The hands mediapipe's bundled Hands model finds by itself on a whole frame.

    Palm detection on the whole picture, then the full landmark model on each palm, with no
    memory of earlier calls: a hand close up with nothing else of the person in view is found
    as well as one on a person. One model is started on the first call (about 0.3 s) and kept
    for the process; calls from several threads take turns.

    Parameters
    ----------
    rgb : ndarray, shape (height, width, 3), uint8
        The frame.

    Returns
    -------
    list of FoundHand
        Up to :data:`FINDER_MAX_HANDS`, possibly empty.

    """
    global _FINDER
    with _FINDER_LOCK:
        if _FINDER is None:
            _FINDER = HandFinder()
        finder = _FINDER
    return finder.find(rgb)


def release_hand_finder() -> None:
    """Close the model :func:`find_hands` keeps (the next call starts a new one)."""
    global _FINDER
    with _FINDER_LOCK:
        if _FINDER is not None:
            _FINDER.close()
            _FINDER = None
