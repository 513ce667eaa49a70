"""Pixels per centimetre of one detection, from the pose model's landmarks in metres.

mediapipe's pose model gives, besides each landmark's place in the picture, its place on a body
in metres (``pose_world_landmarks``: origin between the hips, axes along the camera's, so x runs
to the picture's right and y down). Under weak perspective (the body's depth small against its
distance from the camera) a landmark's picture position is ``s * (X, Y) + t``: the world
landmarks already carry the body's turn, lean and bend, so a person seen side-on (shoulders a
few pixels apart) or bending gets the same ``s`` as when facing the camera. ``s`` is taken as
the median, over pairs of confidently seen landmarks that lie far apart on the body, of the
pair's distance in pixels over its distance in metres in the picture plane.

A face close up, with no body joint in the frame, gets the same fit over the head's landmarks
alone (:data:`HEAD`), when the head is large in the picture.

The model assumes an average adult body (it cannot tell a tall person far away from a short
one nearer): the scale of one person carries that assumption's uncertainty (see
:mod:`tremorscope.analysis.scale`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np

from tremorscope.locate.pose import LANDMARK_NAMES, PersonPose, in_frame

_I = {name: i for i, name in enumerate(LANDMARK_NAMES)}


@dataclass(frozen=True)
class FitRule:
    """Which landmarks a fit uses and what makes it credible.

    Attributes
    ----------
    landmarks : tuple of int
        Landmark indices the fit may use.
    min_pair_m : float
        A pair counts when its landmarks lie at least this far apart in the picture plane on
        the world body, metres: shorter ones turn the model's few millimetres or centimetres of
        error into a large ratio.
    min_landmarks, min_pairs : int
        Fewest landmarks (seen, inside the frame) and pairs a credible fit needs.
    max_residual : float
        Largest median misfit of the landmarks, as a share of their extent in the picture.
    min_extent_px : float
        Smallest extent in pixels of the landmarks used: a smaller person's (or head's)
        landmarks are too coarse.

    """

    landmarks: tuple[int, ...]
    min_pair_m: float
    min_landmarks: int
    min_pairs: int
    max_residual: float
    min_extent_px: float


#: The whole body: the joints and the head's extremes (the fingers and the face's many close
#: points would only add pairs that are short and alike). Misfits measured on real people
#: (walking, jumping, seated, lying, side-on): 0.013-0.053.
BODY = FitRule(
    landmarks=tuple(
        _I[n]
        for n in (
            "nose",
            "left_ear",
            "right_ear",
            "left_shoulder",
            "right_shoulder",
            "left_elbow",
            "right_elbow",
            "left_wrist",
            "right_wrist",
            "left_hip",
            "right_hip",
            "left_knee",
            "right_knee",
            "left_ankle",
            "right_ankle",
        )
    ),
    min_pair_m=0.15,
    min_landmarks=5,
    min_pairs=4,
    max_residual=0.08,
    min_extent_px=60.0,
)
#: The head alone (nose, eyes, ears, mouth), for a face close up with no body joint in the
#: frame: it needs a large head in the picture. The pose's face landmarks fit the world's face
#: less closely (misfits on real faces 0.07-0.11, on poses put on a hand 0.10-0.22).
HEAD = FitRule(
    landmarks=tuple(range(11)),
    min_pair_m=0.05,
    min_landmarks=7,
    min_pairs=10,
    max_residual=0.12,
    min_extent_px=100.0,
)
#: The shoulders face the camera when their distance in the picture plane is at least this share
#: of their distance in space on the world body (cos 25 degrees).
FACING = 0.9


@dataclass(frozen=True)
class WorldFit:
    """How a detection's landmarks in pixels fit its landmarks in metres.

    Attributes
    ----------
    px_per_m : float
        ``s``: pixels per metre in the picture plane.
    offset : tuple of float
        ``t``: where the world origin (between the hips) falls in the picture, pixels.
    residual : float
        Median distance of a landmark from where the fit puts it, as a share of the landmarks'
        extent in the picture.
    landmarks, pairs : int
        Landmarks and pairs used.
    extent_px : float
        The larger side of the used landmarks' box, pixels.
    credible : bool
        Enough landmarks and pairs, a small misfit and a large enough extent for the
        :class:`FitRule` it was made with.

    """

    px_per_m: float
    offset: tuple[float, float]
    residual: float
    landmarks: int
    pairs: int
    extent_px: float
    credible: bool

    @property
    def px_per_cm(self) -> float:
        """Pixels per centimetre."""
        return self.px_per_m / 100.0


@dataclass(frozen=True)
class ScaleSample:
    """One detection's evidence about a person's scale.

    Attributes
    ----------
    t : float
        Frame time, seconds.
    px_per_cm : float or None
        From the world landmarks (:func:`fit_world_scale`); None when the fit is not credible.
    residual : float or None
        The fit's misfit (share of the landmarks' extent); None without a fit.
    shoulder_px : float or None
        Distance between the shoulders in pixels, only when both are seen and the shoulders
        face the camera (:func:`facing_camera`); else None.
    source : str or None
        ``"body"`` (:data:`BODY`), ``"head"`` (:data:`HEAD`, when the body gave no credible
        fit), or None without a scale.

    """

    t: float
    px_per_cm: float | None
    residual: float | None
    shoulder_px: float | None = None
    source: Literal["body", "head"] | None = None


def fit_world_scale(
    points: np.ndarray, world: np.ndarray, usable: np.ndarray, rule: FitRule = BODY
) -> WorldFit | None:
    """Fit picture positions as ``s * world (x, y) + t`` (weak perspective), robustly.

    Parameters
    ----------
    points : ndarray, shape (33, 2)
        Landmark positions in pixels.
    world : ndarray, shape (33, 3)
        The same landmarks on the world body, metres (x right, y down, z away).
    usable : ndarray of bool, shape (33,)
        Landmarks seen with confidence and inside the frame.
    rule : FitRule
        The landmarks to use and what makes the fit credible (:data:`BODY` or :data:`HEAD`).

    Returns
    -------
    WorldFit or None
        None with fewer than two pairs of the rule's landmarks at least ``rule.min_pair_m``
        apart. Whether the fit is good enough is :attr:`WorldFit.credible`.

    """
    idx = [i for i in rule.landmarks if usable[i]]
    ratios = []
    for a, b in combinations(idx, 2):
        metres = float(np.linalg.norm(world[a, :2] - world[b, :2]))
        if metres >= rule.min_pair_m:
            ratios.append(float(np.linalg.norm(points[a] - points[b])) / metres)
    if len(ratios) < 2:
        return None
    s = float(np.median(ratios))
    if not s > 0:
        return None
    used_p, used_w = points[idx], world[idx, :2]
    t = np.median(used_p - s * used_w, axis=0)
    misfit = np.linalg.norm(used_p - (s * used_w + t), axis=1)
    extent = float(np.ptp(used_p, axis=0).max())
    residual = float(np.median(misfit) / max(extent, 1e-9))
    credible = (
        len(idx) >= rule.min_landmarks
        and len(ratios) >= rule.min_pairs
        and residual <= rule.max_residual
        and extent >= rule.min_extent_px
    )
    return WorldFit(
        px_per_m=s,
        offset=(float(t[0]), float(t[1])),
        residual=residual,
        landmarks=len(idx),
        pairs=len(ratios),
        extent_px=extent,
        credible=credible,
    )


def facing_camera(world: np.ndarray) -> bool:
    """Whether the world body's shoulders face the camera (within about 25 degrees).

    Parameters
    ----------
    world : ndarray, shape (33, 3)
        World landmarks, metres.

    """
    a, b = _I["left_shoulder"], _I["right_shoulder"]
    across = float(np.linalg.norm(world[a] - world[b]))
    return across > 0 and float(np.linalg.norm(world[a, :2] - world[b, :2])) >= FACING * across


def scale_sample(pose: PersonPose, t: float, shape: tuple[int, int]) -> ScaleSample:
    """One detection's scale sample (see :class:`ScaleSample`).

    Parameters
    ----------
    pose : PersonPose
        The detection; without world landmarks the sample carries no scale.
    t : float
        Frame time, seconds.
    shape : tuple of int
        Frame ``(height, width)``.

    Returns
    -------
    ScaleSample

    """
    if pose.world is None:
        return ScaleSample(t, None, None)
    usable = pose.visible & in_frame(pose.points, shape)
    shoulders = None
    a, b = _I["left_shoulder"], _I["right_shoulder"]
    if usable[a] and usable[b] and facing_camera(pose.world):
        shoulders = float(np.linalg.norm(pose.points[a] - pose.points[b]))
    body = fit_world_scale(pose.points, pose.world, usable, BODY)
    if body is not None and body.credible:
        return ScaleSample(t, body.px_per_cm, body.residual, shoulders, "body")
    head = fit_world_scale(pose.points, pose.world, usable, HEAD)
    if head is not None and head.credible:
        return ScaleSample(t, head.px_per_cm, head.residual, shoulders, "head")
    return ScaleSample(t, None, body.residual if body is not None else None, shoulders)
