"""Whether a pose is a person: a hand filmed close up can pass for one.

The pose model always fits a whole body to what it is shown. On a hand that fills the frame it
puts a face on the knuckles, shoulders and hips on the fingers, knees and feet beside them, with
high visibility, and the body parts placed there would be measured as a person's. Three pieces
of evidence, each cheap and each wrong now and then on real people, say that nobody is there:

- **no face where the pose claims one**: the nose and both eyes are seen, inside the frame,
  with the ears far enough apart for a frontal face detector to work, and mediapipe's bundled
  face detector (BlazeFace, short range) finds no face in a crop around them, turned so that
  the pose's eyes lie level (poses on a hand often put the face sideways or upside down; a
  person lying down keeps their face). On 90 detections of real people where it applied it
  always found the face, the hand held before the face included; on poses put on a hand it
  found none;
- **an implausible body in metres**: on the model's world body the shoulders are under 0.45 of
  the torso's length apart (real people, seated, standing, side-on, lying: 0.6-0.84, once 0.27
  on a woman walking side-on; poses on a hand: 0.10-0.65), or the nose is under 0.5 m from the
  ankles (a body folded up; real people seated, lying, or with the legs out of the picture:
  0.70-1.4 m, once 0.33 on a man tucked in a jump);
- **a hand larger than the head**: the bundled Hands model, run on the whole frame, finds a hand
  inside the person's box whose palm (wrist to middle knuckle) is over 1.5 times the extent of
  the pose's face landmarks (real people: 0.34-0.83, the hand held out towards the camera
  included; poses on a hand: 2.0-11).

A pose with two of the three is not a person; so is one whose large frontal face (ears at least
48 px apart, the world body's nose nearer the camera than its ears: not a head seen from behind)
the face detector does not find. The hand model (the costliest check) runs only when the face or
the body already speaks against the pose, so footage of people costs one face detection per
person found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tremorscope.locate.hands import FoundHand
from tremorscope.locate.pose import LANDMARK_NAMES, Box, PersonPose, in_frame, quiet_mediapipe

_I = {name: i for i, name in enumerate(LANDMARK_NAMES)}
#: The pose's face landmarks (nose, eyes, ears, mouth).
FACE_POINTS = tuple(range(11))
#: The face detector is asked only when the pose's ears are at least this far apart, pixels: a
#: smaller or turned face is one it may miss.
MIN_EAR_PX = 24.0
#: The face detector's crop: a square this many ear-to-ear distances wide, at least
#: :data:`MIN_FACE_CROP_PX`, around the face landmarks.
FACE_CROP_EARS = 5.0
MIN_FACE_CROP_PX = 80
#: Face-detection confidence a face needs.
FACE_CONFIDENCE = 0.5
#: A face claimed with the ears this far apart (pixels), and turned towards the camera on the
#: world body (the nose this much nearer than the ears' midpoint, m), is one the face detector
#: finds: not finding it is enough to reject the pose.
LARGE_FACE_EARS_PX = 48.0
FACE_FORWARD_M = 0.02
#: On the world body, shoulders closer than this share of the torso are implausible.
MIN_SHOULDERS_OVER_TORSO = 0.45
#: On the world body, a nose closer than this to the ankles (m) is a body folded up.
MIN_NOSE_TO_ANKLES_M = 0.5
#: A hand whose palm is this many times the face landmarks' extent is larger than the head.
HAND_OVER_HEAD = 1.5
#: Pieces of evidence that make a pose not a person.
NOT_A_PERSON = 2

#: The reasons, as they are reported.
NO_FACE = "no face where the pose puts one"
IMPLAUSIBLE_BODY = "its body in metres is implausible"
HAND_OVER_HEAD_REASON = "a hand larger than its head"


@dataclass(frozen=True)
class Verdict:
    """What the evidence says about one pose.

    Attributes
    ----------
    person : bool
        False when :data:`NOT_A_PERSON` pieces of evidence speak against it.
    reasons : tuple of str
        The evidence against it (possibly empty, or one piece on a real person).

    """

    person: bool
    reasons: tuple[str, ...] = ()


def face_claimed(pose: PersonPose, shape: tuple[int, int]) -> bool:
    """Whether the pose claims a frontal face large enough for the face detector.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one detection.
    shape : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    bool
        Nose and both eyes seen and inside the frame, ears at least :data:`MIN_EAR_PX` apart.

    """
    usable = pose.visible & in_frame(pose.points, shape)
    if not usable[[_I["nose"], _I["left_eye"], _I["right_eye"]]].all():
        return False
    ears = np.linalg.norm(pose.points[_I["left_ear"]] - pose.points[_I["right_ear"]])
    return bool(ears >= MIN_EAR_PX)


def face_crop(pose: PersonPose, shape: tuple[int, int]) -> Box:
    """The square crop around the pose's face given to the face detector, inside the frame.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one detection.
    shape : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    tuple of int
        ``(x, y, w, h)``, width and height at least 1.

    """
    height, width = shape
    face = pose.points[list(FACE_POINTS)]
    centre = face.mean(axis=0)
    ears = float(np.linalg.norm(pose.points[_I["left_ear"]] - pose.points[_I["right_ear"]]))
    half = max(FACE_CROP_EARS * ears, MIN_FACE_CROP_PX) / 2
    x0 = int(np.clip(round(centre[0] - half), 0, width - 1))
    y0 = int(np.clip(round(centre[1] - half), 0, height - 1))
    x1 = int(np.clip(round(centre[0] + half), x0 + 1, width))
    y1 = int(np.clip(round(centre[1] + half), y0 + 1, height))
    return x0, y0, x1 - x0, y1 - y0


def upright_face(rgb: np.ndarray, pose: PersonPose, crop: Box) -> np.ndarray:
    """The face crop turned about its centre so that the pose's eyes lie level.

    Parameters
    ----------
    rgb : ndarray, shape (height, width, 3), uint8
        The frame.
    pose : PersonPose
        Landmarks of one detection.
    crop : tuple of int
        ``(x, y, w, h)`` from :func:`face_crop`.

    Returns
    -------
    ndarray, shape (h, w, 3), uint8
        The crop, edges replicated where the turn brings in pixels from outside it.

    """
    import cv2

    x, y, w, h = crop
    pixels = np.ascontiguousarray(rgb[y : y + h, x : x + w])
    # the person's left eye is on the picture's right in a face turned to the camera
    dx, dy = pose.points[_I["left_eye"]] - pose.points[_I["right_eye"]]
    angle = float(np.degrees(np.arctan2(dy, dx)))
    if abs(angle) < 1.0:
        return pixels
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(pixels, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)


def large_frontal_face(pose: PersonPose) -> bool:
    """Whether the pose claims a face the face detector cannot miss.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one detection (its face already :func:`face_claimed`).

    Returns
    -------
    bool
        Ears at least :data:`LARGE_FACE_EARS_PX` apart and, on the world body, the nose at least
        :data:`FACE_FORWARD_M` nearer the camera than the ears' midpoint.

    """
    if pose.world is None:
        return False
    ears = np.linalg.norm(pose.points[_I["left_ear"]] - pose.points[_I["right_ear"]])
    w = pose.world
    forward = (w[_I["left_ear"], 2] + w[_I["right_ear"], 2]) / 2 - w[_I["nose"], 2]
    return bool(ears >= LARGE_FACE_EARS_PX and forward >= FACE_FORWARD_M)


def implausible_body(pose: PersonPose) -> bool:
    """Whether the model's body in metres is not one a person has.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one detection; without world landmarks the answer is False.

    Returns
    -------
    bool
        Shoulders under :data:`MIN_SHOULDERS_OVER_TORSO` of the torso apart, or the nose under
        :data:`MIN_NOSE_TO_ANKLES_M` from the ankles' midpoint (seen or not: the model places
        the whole body).

    """
    w = pose.world
    if w is None:
        return False
    shoulders = np.linalg.norm(w[_I["left_shoulder"]] - w[_I["right_shoulder"]])
    mid_shoulders = (w[_I["left_shoulder"]] + w[_I["right_shoulder"]]) / 2
    mid_hips = (w[_I["left_hip"]] + w[_I["right_hip"]]) / 2
    torso = np.linalg.norm(mid_shoulders - mid_hips)
    if torso > 0 and shoulders < MIN_SHOULDERS_OVER_TORSO * torso:
        return True
    ankles = [_I["left_ankle"], _I["right_ankle"]]
    nose_to_ankles = np.linalg.norm(w[_I["nose"]] - w[ankles].mean(axis=0))
    return bool(nose_to_ankles < MIN_NOSE_TO_ANKLES_M)


def head_extent(pose: PersonPose) -> float:
    """The larger extent of the pose's face landmarks (nose, eyes, ears, mouth), pixels."""
    return float(np.ptp(pose.points[list(FACE_POINTS)], axis=0).max())


def hand_larger_than_head(pose: PersonPose, hands: Sequence[FoundHand]) -> bool:
    """Whether a hand found inside the pose's box is larger than the pose's head.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one detection.
    hands : sequence of FoundHand
        Hands found on the whole frame (:func:`tremorscope.locate.hands.find_hands`).

    Returns
    -------
    bool
        A hand centred inside ``pose.box`` with a palm over :data:`HAND_OVER_HEAD` times the
        larger extent of the face landmarks.

    """
    head = head_extent(pose)
    x, y, w, h = pose.box
    for hand in hands:
        cx, cy = hand.centre
        if x <= cx <= x + w and y <= cy <= y + h and hand.palm_px > HAND_OVER_HEAD * head:
            return True
    return False


class FaceDetector:
    """mediapipe's bundled face detector (BlazeFace, short range: within about 2 m)."""

    def __init__(self, min_confidence: float = FACE_CONFIDENCE) -> None:
        with quiet_mediapipe():
            from mediapipe.python.solutions import face_detection as mp_face

            self._faces = mp_face.FaceDetection(
                model_selection=0, min_detection_confidence=min_confidence
            )
            self._faces.process(np.zeros((64, 64, 3), np.uint8))

    def close(self) -> None:
        """Release the model."""
        self._faces.close()

    def finds_face(self, rgb: np.ndarray) -> bool:
        """Whether a face is found in an RGB image (a crop)."""
        result = self._faces.process(np.ascontiguousarray(rgb))
        return bool(result.detections)


def judge(
    pose: PersonPose,
    rgb: np.ndarray,
    faces: FaceDetector,
    hands: Callable[[], Sequence[FoundHand]],
) -> Verdict:
    """Whether a pose is a person (see the module's description).

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one detection (with world landmarks).
    rgb : ndarray, shape (height, width, 3), uint8
        The frame it was found in.
    faces : FaceDetector
        The face detector.
    hands : callable
        Gives the hands on the whole frame; called only when the face or the body already
        speaks against the pose.

    Returns
    -------
    Verdict

    """
    shape = rgb.shape[:2]
    reasons = []
    weight = 0
    if face_claimed(pose, shape) and not faces.finds_face(
        upright_face(rgb, pose, face_crop(pose, shape))
    ):
        reasons.append(NO_FACE)
        weight += NOT_A_PERSON if large_frontal_face(pose) else 1
    if implausible_body(pose):
        reasons.append(IMPLAUSIBLE_BODY)
        weight += 1
    if reasons and weight < NOT_A_PERSON and hand_larger_than_head(pose, hands()):
        reasons.append(HAND_OVER_HEAD_REASON)
        weight += 1
    return Verdict(weight < NOT_A_PERSON, tuple(reasons))
