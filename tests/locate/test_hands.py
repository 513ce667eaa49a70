"""Hand landmarks (locate/hands.py): shape measures, crops, and the bundled model on a real hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tremorscope.locate.hands import (
    CROP_SCALE,
    FOUND_REGION_SCALE,
    MIN_CROP_SIDE,
    HandLandmarker,
    HandShape,
    find_hands,
    found_hand_box,
    hand_crop,
    hand_shape,
    region_from_landmarks,
)


def _open_hand() -> np.ndarray:
    """21 landmarks of a flat open hand: palm 10 px (wrist to middle knuckle), fingers 8 px."""
    points = np.zeros((21, 2))
    points[1:5] = [[-3, -2], [-6, -4], [-9, -6], [-12, -8]]  # thumb, tip at (-12, -8)
    for finger, x in enumerate((-3.0, 0.0, 3.0, 6.0)):
        base = 5 + 4 * finger
        points[base : base + 4] = [[x, -10], [x, -13], [x, -16], [x, -18]]
    return points + np.array([100.0, 200.0])


def test_hand_shape_of_an_open_hand():
    shape = hand_shape(_open_hand(), t=1.5)
    assert shape is not None and shape.t == 1.5
    assert shape.size_px == pytest.approx(10.0)
    assert shape.aperture == pytest.approx(np.hypot(9, 10) / 10)  # thumb tip to index tip
    assert shape.extension == pytest.approx(
        np.mean([np.hypot(x, 18) / np.hypot(x, 10) for x in (-3, 0, 3, 6)])
    )


def test_a_closed_hand_has_a_smaller_extension_and_aperture():
    points = _open_hand()
    for finger in range(4):  # fingertips folded back onto the knuckles
        base = 5 + 4 * finger
        points[base + 3] = points[base] + [0, 1]
    points[4] = points[8]  # thumb tip touching the index tip
    closed, opened = hand_shape(points, 0.0), hand_shape(_open_hand(), 0.0)
    assert closed.extension < 0.95 < 1.7 < opened.extension
    assert closed.aperture == pytest.approx(0.0)


def test_degenerate_landmarks_give_no_shape():
    assert hand_shape(np.zeros((21, 2)), 0.0) is None


def test_hand_crop_is_larger_than_the_region_and_inside_the_frame():
    crop = hand_crop((100, 100, 40, 40), (480, 640))
    assert crop is not None
    x, _, w, h = crop
    assert w == h == round(CROP_SCALE * 40)
    assert x + w / 2 == pytest.approx(120, abs=1)
    edge = hand_crop((600, 440, 40, 40), (480, 640))
    assert edge[0] + edge[2] <= 640 and edge[1] + edge[3] <= 480
    assert CROP_SCALE * 10 < MIN_CROP_SIDE
    assert hand_crop((0, 0, 10, 10), (480, 640)) is None


@pytest.fixture(scope="module")
def hand_photo(hand_photo_path: Path) -> np.ndarray:
    import cv2

    return cv2.imread(str(hand_photo_path))[:, :, ::-1].copy()


def test_the_bundled_hand_model_finds_the_open_hand_in_a_real_photo(hand_photo):
    model = HandLandmarker()
    try:
        h, w = hand_photo.shape[:2]
        points = model.landmarks(hand_photo, (0, 0, w, h))
    finally:
        model.close()
    assert points is not None and points.shape == (21, 2)
    shape = hand_shape(points, 0.0)
    assert shape.extension > 1.5  # the fingers are stretched out
    assert 0.2 * h < shape.size_px < 1.5 * h


def test_a_hand_moved_as_a_whole_keeps_its_shape(hand_photo):
    """What a tremor does to the landmarks: the hand moves, its shape measures stay put."""
    model = HandLandmarker()
    shapes = []
    h, w = hand_photo.shape[:2]
    try:
        for i, dx in enumerate([0, 3, 6, 3, 0, -3, -6, -3] * 2):
            moved = np.roll(hand_photo, (dx // 2, dx), axis=(0, 1))
            points = model.landmarks(moved, (10, 20, w, h))  # a crop placed at (10, 20)
            assert points is not None
            shapes.append(hand_shape(points, i / 30))
    finally:
        model.close()
    apertures = [s.aperture for s in shapes]
    extensions = [s.extension for s in shapes]
    assert np.ptp(apertures) < 0.1 and np.ptp(extensions) < 0.1
    centres = np.array([s.centre for s in shapes])
    assert np.ptp(centres[:, 0]) > 8  # the landmarks did follow the movement
    assert centres[:, 0].min() > 10  # in frame pixels: the crop's offset added


def test_a_hand_region_the_pose_put_beside_the_hand_moves_onto_its_landmarks():
    seen = HandShape(0.0, 40.0, 0.8, 1.9, (600.0, 300.0), 120.0)
    moved = region_from_landmarks((400, 250, 100, 100), seen, (480, 640))
    assert moved is not None
    x, y, w, h = moved
    assert w == h == 132  # 1.1 x the landmarks' extent, larger than the pose's 100
    assert x + w <= 640 and y + h <= 480  # kept inside the frame (the hand is at its edge)
    assert abs(x + w / 2 - 600) <= 30
    near = HandShape(0.0, 40.0, 0.8, 1.9, (460.0, 310.0), 80.0)
    assert region_from_landmarks((400, 250, 100, 100), near, (480, 640)) is None


def test_a_found_hands_region_is_a_square_around_its_landmarks_inside_the_frame():
    points = _open_hand()  # extent 18 px (thumb tip to finger tips)
    x, y, w, h = found_hand_box(points, (480, 640))
    assert w == h == round(FOUND_REGION_SCALE * np.ptp(points, axis=0).max())
    assert abs(x + w / 2 - points[:, 0].mean()) <= 1 and abs(y + h / 2 - points[:, 1].mean()) <= 1
    edge = found_hand_box(points + np.array([540.0, 0.0]), (480, 640))  # the hand at the right edge
    assert edge[0] + edge[2] <= 640


def test_find_hands_finds_the_open_hand_in_a_real_photo_on_its_own(hand_photo):
    (hand,) = find_hands(hand_photo)
    h, w = hand_photo.shape[:2]
    assert hand.points.shape == (21, 2) and hand.handedness in ("Left", "Right")
    assert 0 <= hand.score <= 1
    x, y, bw, bh = hand.box
    assert x >= 0 and y >= 0 and x + bw <= w and y + bh <= h and bw == bh
    inside = (hand.points >= [x - 1, y - 1]) & (hand.points <= [x + bw + 1, y + bh + 1])
    assert inside.all(axis=1).mean() > 0.9  # the box is the hand's (clipped at the photo's edge)
    assert 0.2 * h < hand.palm_px < 1.5 * h
    assert find_hands(np.full((240, 320, 3), 128, np.uint8)) == []


def test_find_hands_finds_the_treman3_hand_filmed_from_above(realdata):
    import av

    found = []
    with av.open(str(realdata / "treman3" / "hand.mp4")) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 30 == 0:
                found.append(find_hands(frame.to_ndarray(format="rgb24")))
    assert sum(len(hands) == 1 for hands in found) >= 0.7 * len(found)
    palms = [hands[0].palm_px for hands in found if hands]
    assert 80 < np.median(palms) < 300  # the back of a hand filling much of the 500x376 frame
    sides = {hands[0].handedness for hands in found if hands}
    assert len(sides) == 1  # one hand, reported consistently
