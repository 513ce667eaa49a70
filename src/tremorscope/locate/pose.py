"""Pose landmarks of every person in a frame, with mediapipe's bundled legacy pose model."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tremorscope.locate.appearance import Appearance
    from tremorscope.locate.hands import FoundHand

#: Names of the 33 mediapipe pose landmarks, in order. Left and right are the person's own.
LANDMARK_NAMES = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
#: A landmark counts as seen above this visibility.
VISIBLE = 0.5
#: A person needs this many landmarks seen inside the frame, including a face (nose and eyes) or
#: both shoulders: fewer are mostly the model's guesses on what is left around a blanked person,
#: or on a hand close up.
MIN_SEEN = 8
#: Where nobody is found in a picture this many times longer than wide (or wider than long),
#: people are looked for in two overlapping parts of it, each this share of its long side.
PART_SEARCH_ELONGATION = 1.3
PART_SHARE = 0.6
#: ... in pictures at least this large (long side, px) ...
PART_SEARCH_MIN_PX = 1280
#: ... keeping only people less tall than this share of the part.
PART_SEARCH_MAX_HEIGHT = 0.7

Box = tuple[int, int, int, int]


@dataclass
class PersonPose:
    """One person's landmarks in one frame.

    Attributes
    ----------
    points : ndarray, shape (33, 2)
        Landmark positions in pixels (x, y).
    visibility : ndarray, shape (33,)
        Visibility of each landmark, 0-1.
    box : tuple of int
        ``(x, y, w, h)`` around the visible landmarks, widened by a margin, inside the frame.
    mask : ndarray of bool, shape (height, width), or None
        Pixels that belong to the person, from the model's segmentation.
    world : ndarray, shape (33, 3), or None
        The landmarks on the model's body in metres (``pose_world_landmarks``): origin between
        the hips, x to the picture's right, y down, z away from the camera. The model assumes
        an average adult body (see :mod:`tremorscope.locate.world_scale`).
    appearance : Appearance or None
        What the person looks like (:func:`tremorscope.locate.appearance.describe`), when
        described.

    """

    points: np.ndarray
    visibility: np.ndarray
    box: Box
    mask: np.ndarray | None = None
    world: np.ndarray | None = None
    appearance: Appearance | None = None

    @property
    def visible(self) -> np.ndarray:
        """Boolean array of the landmarks seen."""
        return self.visibility > VISIBLE


def in_frame(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Boolean array of the points inside a frame of ``shape`` = (height, width) pixels."""
    height, width = shape
    x, y = points[:, 0], points[:, 1]
    return (x >= 0) & (x < width) & (y >= 0) & (y < height)


def landmark_box(points: np.ndarray, shape: tuple[int, int], margin: float = 0.1) -> Box:
    """Box around points, widened by ``margin`` of its size on each side, clipped to the frame.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        Pixel positions.
    shape : tuple of int
        Frame ``(height, width)``.
    margin : float
        Share of the box's width/height added on each side.

    Returns
    -------
    tuple of int
        ``(x, y, w, h)``; width and height at least 1.

    """
    height, width = shape
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    pad_x, pad_y = margin * (x1 - x0), margin * (y1 - y0)
    left = int(np.clip(np.floor(x0 - pad_x), 0, width - 1))
    top = int(np.clip(np.floor(y0 - pad_y), 0, height - 1))
    right = int(np.clip(np.ceil(x1 + pad_x), left + 1, width))
    bottom = int(np.clip(np.ceil(y1 + pad_y), top + 1, height))
    return left, top, right - left, bottom - top


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``(x, y, w, h)`` boxes."""
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence what native libraries write to file descriptor 2 (mediapipe's start-up logs)."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured): nothing to do
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@contextlib.contextmanager
def quiet_mediapipe() -> Iterator[None]:
    """Start or first call a mediapipe model without its native logs and protobuf warnings."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore", category=UserWarning, module="google.protobuf")
    with _quiet_native_stderr():
        yield


class PoseDetector:
    """Finds up to ``max_people`` people in a frame.

    mediapipe's legacy pose model finds one person per call; after each find, that person's box
    is blanked and the frame searched again, until nobody more is found. A pose that is not a
    person (a hand filmed close up: :mod:`tremorscope.locate.credibility`) is blanked too, but
    not returned; :attr:`rejected` keeps it with the reasons.

    Parameters
    ----------
    max_people : int
        Most people to look for in one frame.
    min_confidence : float
        Detection confidence a person needs.

    """

    def __init__(self, max_people: int = 4, min_confidence: float = 0.5) -> None:
        from tremorscope.locate.credibility import FaceDetector

        self._faces = FaceDetector()
        #: Poses of the last :meth:`detect` call that were not taken as people, with the reasons.
        self.rejected: list[tuple[PersonPose, tuple[str, ...]]] = []
        #: The hands the last :meth:`detect` call found on the whole frame, if it looked for
        #: them (to judge a pose) or was given them; None if it did not.
        self.hands_found: Sequence[FoundHand] | None = None
        self._frame_hands: Sequence[FoundHand] | None = None
        with quiet_mediapipe():
            from mediapipe.python.solutions import pose as mp_pose

            self._pose = mp_pose.Pose(
                static_image_mode=True,
                model_complexity=1,  # the only complexity bundled in the wheel (0, 2 download)
                enable_segmentation=True,
                min_detection_confidence=min_confidence,
            )
            # the first call starts the graph, which logs to stderr from native code
            self._pose.process(np.zeros((64, 64, 3), np.uint8))
        self.max_people = max_people

    def close(self) -> None:
        """Release the models."""
        self._pose.close()
        self._faces.close()

    def __enter__(self) -> PoseDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def detect(self, rgb: np.ndarray, hands: Sequence[FoundHand] | None = None) -> list[PersonPose]:
        """Every person found in an RGB frame, in the order found.

        Parameters
        ----------
        rgb : ndarray, shape (height, width, 3), uint8
            The frame.
        hands : sequence of FoundHand, optional
            The hands on this frame if already found
            (:func:`tremorscope.locate.hands.find_hands`); otherwise they are looked for only
            when a pose is in doubt.

        Returns
        -------
        list of PersonPose
            Possibly empty.

        """
        self.rejected = []
        self._frame_hands = hands
        people = self._detect_whole(rgb, hands)
        self.hands_found = self._frame_hands
        if not people and not self.rejected:  # nobody at all (not: a pose that was no person)
            people = self._detect_in_parts(rgb)
        return people

    def _detect_in_parts(self, rgb: np.ndarray) -> list[PersonPose]:
        """People too small in an elongated picture for the model, looked for in two parts.

        The two parts overlap and run along the picture's long side; the model sees each
        larger than the whole.
        """
        height, width = rgb.shape[:2]
        long_side, short_side = max(height, width), min(height, width)
        if long_side < PART_SEARCH_MIN_PX or long_side < PART_SEARCH_ELONGATION * short_side:
            return []
        found: list[PersonPose] = []
        for part in (0, 1):
            if width >= height:
                x0, y0 = (0 if part == 0 else width - int(width * PART_SHARE)), 0
                crop = rgb[:, x0 : x0 + int(width * PART_SHARE)]
            else:
                x0, y0 = 0, (0 if part == 0 else height - int(height * PART_SHARE))
                crop = rgb[y0 : y0 + int(height * PART_SHARE)]
            for person in self._detect_whole(np.ascontiguousarray(crop), None):
                if person.box[3] > PART_SEARCH_MAX_HEIGHT * crop.shape[0]:
                    continue  # filling the part: not someone too small for the whole picture
                moved = _moved_into(person, x0, y0, (height, width))
                if not any(_covered(moved.box, other.box) > 0.4 for other in found):
                    found.append(moved)
        return found[: self.max_people]

    def _detect_whole(
        self, rgb: np.ndarray, hands: Sequence[FoundHand] | None
    ) -> list[PersonPose]:
        """People found in the whole of ``rgb`` (each found blanked before the next search)."""
        from tremorscope.locate.credibility import judge
        from tremorscope.locate.hands import find_hands

        found: list[Sequence[FoundHand]] = [hands] if hands is not None else []

        def frame_hands() -> Sequence[FoundHand]:
            if not found:
                found.append(find_hands(rgb))
                self._frame_hands = found[0]
            return found[0]

        shape = rgb.shape[:2]
        image = rgb
        people: list[PersonPose] = []
        blanked: list[Box] = []
        fill = np.median(rgb.reshape(-1, 3)[:: max(1, rgb.size // 30000)], axis=0)
        for _ in range(self.max_people):
            result = self._pose.process(image)
            if result.pose_landmarks is None:
                break
            person = _person_from_result(result, shape)
            if person is None or any(_covered(person.box, box) > 0.4 for box in blanked):
                break  # nobody more, or a remnant of someone already found
            verdict = judge(person, rgb, self._faces, frame_hands)
            if verdict.person:
                people.append(person)
            else:
                self.rejected.append((person, verdict.reasons))
            if image is rgb:
                image = rgb.copy()
            x, y, w, h = landmark_box(person.points[person.visible], shape, margin=0.15)
            image[y : y + h, x : x + w] = fill.astype(np.uint8)
            blanked.append((x, y, w, h))
            if person.mask is not None:  # the silhouette too: hair and limbs beyond landmarks
                image[person.mask] = fill.astype(np.uint8)
        return people


def _moved_into(person: PersonPose, x0: int, y0: int, shape: tuple[int, int]) -> PersonPose:
    """A person found in a part of the frame, in the frame's own pixels."""
    points = person.points + np.array([x0, y0], dtype=float)
    mask = None
    if person.mask is not None:
        mask = np.zeros(shape, dtype=bool)
        h, w = person.mask.shape
        mask[y0 : y0 + h, x0 : x0 + w] = person.mask
    box = landmark_box(points[person.visible], shape)
    return PersonPose(points, person.visibility, box, mask, world=person.world)


def _covered(box: Box, other: Box) -> float:
    """Share of ``box`` that lies inside ``other``."""
    iw = max(0, min(box[0] + box[2], other[0] + other[2]) - max(box[0], other[0]))
    ih = max(0, min(box[1] + box[3], other[1] + other[3]) - max(box[1], other[1]))
    return iw * ih / max(box[2] * box[3], 1)


def _person_from_result(result: object, shape: tuple[int, int]) -> PersonPose | None:
    height, width = shape
    marks = result.pose_landmarks.landmark
    points = np.array([[m.x * width, m.y * height] for m in marks], dtype=float)
    visibility = np.array([m.visibility for m in marks], dtype=float)
    visible = visibility > VISIBLE
    seen = visible & in_frame(points, shape)  # the model also guesses, visible, beyond the frame
    face = seen[[0, 2, 5]].all()  # nose and both eyes
    shoulders = seen[[11, 12]].all()
    if seen.sum() < MIN_SEEN or not (face or shoulders):
        return None
    mask = None
    if result.segmentation_mask is not None:
        mask = np.asarray(result.segmentation_mask) > 0.5
    world = None
    if result.pose_world_landmarks is not None:
        world = np.array([[m.x, m.y, m.z] for m in result.pose_world_landmarks.landmark], float)
    return PersonPose(points, visibility, landmark_box(points[visible], shape), mask, world)
