"""The condition each body part is in, read from the pose: rest, postural, standing.

Tremor types are defined by the condition in which they appear (MDS consensus, Bhatia et al.
2018): rest tremor in a supported, relaxed limb; postural tremor while holding a position
against gravity; orthostatic tremor when standing. The pose tells which of these a body part is
in, frame by frame; a voluntary movement of the part itself makes it "kinetic" (decided later,
from the analysis).
"""

from __future__ import annotations

import numpy as np

from tremorscope.locate.pose import LANDMARK_NAMES, PersonPose

_I = {name: i for i, name in enumerate(LANDMARK_NAMES)}
#: A wrist higher than this share of the torso below the shoulders is held up (postural).
RAISED_BELOW_SHOULDER = 0.45
#: A wrist lower than this share of the torso above the hips rests on the lap or thigh, or
#: hangs (a seated person's thighs start at hip height).
RESTING_ABOVE_HIP = 0.35
#: Seated: the thigh's image length is under this share of the shin's (it points at the camera
#: or sideways, not down).
SEATED_THIGH_SHARE = 0.7


def _seen(pose: PersonPose, *names: str) -> bool:
    return all(pose.visible[_I[n]] for n in names)


def _point(pose: PersonPose, name: str) -> np.ndarray:
    return pose.points[_I[name]]


def posture(pose: PersonPose) -> tuple[str, str]:
    """Seated, standing or unknown, with the evidence in words.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one person.

    Returns
    -------
    tuple of str
        ``("seated" | "standing" | "unknown", reason)``.

    """
    ratios = []
    for side in ("left", "right"):
        if _seen(pose, f"{side}_hip", f"{side}_knee", f"{side}_ankle"):
            thigh = np.linalg.norm(_point(pose, f"{side}_knee") - _point(pose, f"{side}_hip"))
            shin = np.linalg.norm(_point(pose, f"{side}_ankle") - _point(pose, f"{side}_knee"))
            if shin > 0:
                ratios.append(thigh / shin)
    if not ratios:
        return "unknown", "hips, knees and ankles not all seen"
    ratio = float(np.median(ratios))
    if ratio < SEATED_THIGH_SHARE:
        return "seated", f"thighs foreshortened ({ratio:.2f} of the shins)"
    return "standing", f"thighs as long as the shins ({ratio:.2f}): legs straight"


def hand_state(pose: PersonPose, side: str) -> tuple[str, str]:
    """Whether a hand rests (lap, armrest, hanging) or is held up against gravity.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one person.
    side : {"left", "right"}
        The person's own side.

    Returns
    -------
    tuple of str
        ``("resting" | "raised" | "unknown", reason)``.

    """
    needed = (f"{side}_wrist", "left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not _seen(pose, *needed):
        return "unknown", "wrist, shoulders or hips not seen"
    shoulder_y = (_point(pose, "left_shoulder")[1] + _point(pose, "right_shoulder")[1]) / 2
    hip_y = (_point(pose, "left_hip")[1] + _point(pose, "right_hip")[1]) / 2
    torso = hip_y - shoulder_y
    if torso <= 0:
        return "unknown", "body not upright in the picture"
    wrist_y = _point(pose, f"{side}_wrist")[1]
    height = (wrist_y - shoulder_y) / torso  # 0 at the shoulders, 1 at the hips
    if height < RAISED_BELOW_SHOULDER:
        return "raised", f"wrist held at {100 * height:.0f} % of the way from shoulders to hips"
    if height > 1 - RESTING_ABOVE_HIP:
        return "resting", f"wrist near hip level or below ({100 * height:.0f} %)"
    return "unknown", f"wrist between chest and hips ({100 * height:.0f} %)"


def part_conditions(pose: PersonPose) -> dict[str, tuple[str, str]]:
    """The condition of each body part: ``rest``, ``postural``, ``standing`` or ``unknown``.

    Hands: resting -> rest, raised -> postural. Knees and feet: seated -> rest, standing ->
    standing. The head is held up against gravity whenever the person is upright: postural.

    Parameters
    ----------
    pose : PersonPose
        Landmarks of one person.

    Returns
    -------
    dict
        Body-part name to ``(condition, reason)``.

    """
    stance, why_stance = posture(pose)
    legs = {"seated": "rest", "standing": "standing"}.get(stance, "unknown")
    out = {}
    for side in ("left", "right"):
        state, why = hand_state(pose, side)
        out[f"{side}_hand"] = ({"resting": "rest", "raised": "postural"}.get(state, "unknown"), why)
        out[f"{side}_knee"] = (legs, f"{stance}: {why_stance}")
        out[f"{side}_foot"] = (legs, f"{stance}: {why_stance}")
    upright = stance != "unknown" or _seen(pose, "left_shoulder", "right_shoulder")
    out["head"] = ("postural" if upright else "unknown", "head held upright")
    return out
