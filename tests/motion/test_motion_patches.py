"""Lucas-Kanade against prepared reference windows: the same answers as OpenCV's, found again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from test_motion_tracking import _shift, _texture, _to_video_range

from tremorscope.motion.patches import WINDOW, ReferencePatches
from tremorscope.motion.points import select_points
from tremorscope.motion.tracking import ReferenceTracker
from tremorscope.synth.imaging import shift_image


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return _texture()


def test_known_sub_pixel_shifts_are_found(photo: np.ndarray) -> None:
    points = select_points(photo, (120, 90, 240, 180))
    patches = ReferencePatches(photo, points)
    assert patches.usable.sum() >= 40
    other = np.roll(photo, 41, axis=0)
    _, _, unrelated = patches.align(other, patches.points, max_steps=1)
    for dx, dy in [(0.3, 0.0), (0.71, -0.42), (-1.2, 0.55), (1.6, 1.3)]:
        moved = shift_image(photo, dx, dy)  # windowed sinc: exact to 0.002 px
        found, converged, residual = patches.align(moved, patches.points)
        use = patches.usable
        error = np.abs(found[use] - patches.points[use] - [dx, dy])
        assert converged[use].mean() > 0.95
        assert np.median(error) < 0.02 and np.percentile(error, 90) < 0.06, (dx, dy)
        # grey levels left where the search ends: far below what other content leaves
        assert np.median(residual[use]) < 0.3 * np.median(unrelated[use])


def test_same_steps_as_opencv_lucas_kanade_at_one_level(photo: np.ndarray) -> None:
    points = select_points(photo, (120, 90, 240, 180))
    patches = ReferencePatches(photo, points)
    moved = _shift(photo, 0.64, -0.37)
    start = patches.points + np.float32([0.3, 0.2])
    found, converged, _ = patches.align(moved, start)
    theirs, status, _ = cv2.calcOpticalFlowPyrLK(
        photo,
        moved,
        patches.points,
        start.copy(),
        winSize=(WINDOW, WINDOW),
        maxLevel=0,
        criteria=(cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 0.01),
        flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
    )
    both = patches.usable & converged & (status.ravel() == 1)
    assert both.mean() > 0.9
    assert np.median(np.abs(found[both] - theirs[both])) < 0.005


def test_windows_past_the_edge_count_inside_only_and_flat_ones_are_not_used(photo) -> None:
    flat = photo.copy()
    flat[:100, :100] = 128
    points = np.float32([[3, 200], [50, 50], [240, 180], [476, 6], [-4, 10]])
    patches = ReferencePatches(flat, points)
    # near the edge: used, its pixels inside only (as OpenCV); no texture or off the frame: not
    assert patches.usable.tolist() == [True, False, True, True, False]
    moved = shift_image(flat, 0.6, -0.3)
    found, converged, residual = patches.align(moved, patches.points)
    assert np.isnan(found[1]).all() and not converged[1] and residual[1] == np.inf
    assert np.abs(found[[0, 2, 3]] - patches.points[[0, 2, 3]] - [0.6, -0.3]).max() < 0.1
    # a search that runs off the frame stops there
    away = patches.points.copy()
    away[2] = [485, 180]
    _, converged, residual = patches.align(flat, away)
    assert not converged[2] and residual[2] == np.inf


def test_texture_threshold_follows_the_grey_levels(photo: np.ndarray) -> None:
    faint = (128 + (photo.astype(np.float32) - 128) * 0.06).astype(np.uint8)
    points = select_points(faint, (120, 90, 240, 180))
    full = ReferencePatches(faint, points)
    plane = ReferencePatches(_to_video_range(faint), points, contrast=219 / 255)
    unscaled = ReferencePatches(_to_video_range(faint), points)
    assert plane.usable.sum() >= full.usable.sum() - 1
    assert unscaled.usable.sum() < plane.usable.sum()


def test_points_searched_on_two_threads_give_one_answer(photo: np.ndarray) -> None:
    points = select_points(photo, (40, 40, 400, 280), max_points=120)
    patches = ReferencePatches(photo, points)
    moved = _shift(photo, -0.45, 0.8)
    alone = patches.align(moved, patches.points)
    n = len(points)
    out = (np.full((n, 2), np.nan, np.float32), np.zeros(n, bool), np.full(n, np.inf, np.float32))
    halves = np.array_split(np.arange(n), 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda part: patches.align(moved, patches.points, part, out), halves))
    assert np.array_equal(alone[0], out[0], equal_nan=True)
    assert np.array_equal(alone[1], out[1])


def test_a_part_that_changes_is_left_out_and_taken_back_when_it_returns(photo) -> None:
    # A head region where the eyes close for a few frames: the points there no longer match
    # their reference. The region moves as one: they are left out meanwhile, its displacement
    # stays exact, and they count again once the eyes open.
    box = (150, 100, 160, 160)
    points = select_points(photo, (170, 120, 120, 120))
    tracker = ReferenceTracker(photo, {"head": points}, np.zeros((0, 2)))
    blink = (175, 125, 45, 40)
    other = np.roll(photo, 37, axis=1)
    for i, dx in enumerate([0.3, 0.5, 0.2, -0.4, -0.6, 0.1, 0.35]):
        frame = photo.copy()
        if 2 <= i <= 4:
            x, y, w, h = blink
            frame[y : y + h, x : x + w] = other[y : y + h, x : x + w]
        frame = _shift(frame, dx, 0.0, box)
        motion = tracker.track(frame)
        assert abs(motion.regions["head"][0] - dx) < 0.05, (i, motion.regions["head"])
        left_out = np.isnan(motion.residuals["head"][:, 0])
        if 2 <= i <= 4:
            assert left_out.sum() >= 2
        elif i == 6:
            assert left_out.sum() <= 1 and not tracker.detached.any()
