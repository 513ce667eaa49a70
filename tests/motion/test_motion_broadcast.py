"""The camera estimate and the points chosen around black bars and burnt-in overlays."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tremorscope.locate.regions import clip_to_picture
from tremorscope.motion.camera import CameraFit, fit_camera
from tremorscope.motion.points import (
    BACKGROUND_REACH_PX,
    inset_picture,
    select_background_points,
)

SHAPE = (480, 640)


def _similarity(zoom: float, tx: float, ty: float) -> np.ndarray:
    return np.array([[zoom, 0.0, tx], [0.0, zoom, ty]])


def _scene(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A background spread over the frame (40 points) and a logo's corners (70, in a corner)."""
    background = rng.uniform([20, 20], [620, 460], (40, 2))
    logo = rng.uniform([500, 20], [620, 70], (70, 2))
    return background, logo


def test_a_static_logo_that_outnumbers_the_background_is_left_out_of_the_camera() -> None:
    rng = np.random.default_rng(3)
    background, logo = _scene(rng)
    reference = np.concatenate([background, logo]).astype(np.float32)
    fit = CameraFit(reference, SHAPE)
    for frame in range(1, 31):  # a pan of 0.4 px a frame with a slow zoom
        camera = _similarity(1 + 0.001 * frame, -0.4 * frame, 0.1 * frame)
        moved = background @ camera[:, :2].T + camera[:, 2]
        moved += rng.normal(0, 0.05, moved.shape)
        still = logo + rng.normal(0, 0.05, logo.shape)  # the logo stays where it is
        now = np.concatenate([moved, still])
        matrix, _ = fit.fit(now)
        if frame > 10:  # once the pan is past RANSAC's tolerance, the largest consensus
            alone, _ = fit_camera(reference, now)  # alone is the logo's: the camera stood still
            assert np.abs(alone[:, 2]).max() < 0.5
    np.testing.assert_allclose(matrix, camera, atol=0.05)
    assert fit.overlay[40:].all() and not fit.overlay[:40].any()
    np.testing.assert_allclose(fit.overlay_points, logo.astype(np.float32), atol=1e-3)


def test_a_still_background_behind_a_passing_object_stays_the_camera() -> None:
    rng = np.random.default_rng(4)
    background = rng.uniform([20, 20], [620, 460], (40, 2))
    lorry = rng.uniform([100, 300], [260, 400], (60, 2))  # more points, moving as one
    reference = np.concatenate([background, lorry]).astype(np.float32)
    fit = CameraFit(reference, SHAPE)
    for frame in range(1, 31):
        still = background + rng.normal(0, 0.05, background.shape)
        passing = lorry + np.array([3.0 * frame, 0.0])
        matrix, _ = fit.fit(np.concatenate([still, passing]))
    # the lorry holds the largest consensus, as before: what the camera estimate did already;
    # the still points are spread over the frame, so they are not taken for an overlay
    assert not fit.overlay.any()
    assert matrix is not None


def test_a_camera_that_stands_still_costs_one_fit_and_finds_no_overlay(monkeypatch) -> None:
    import tremorscope.motion.camera as camera_module

    rng = np.random.default_rng(5)
    background, logo = _scene(rng)
    reference = np.concatenate([background, logo]).astype(np.float32)
    fit = CameraFit(reference, SHAPE)
    calls = []
    original = camera_module.fit_camera
    monkeypatch.setattr(
        camera_module, "fit_camera", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    for _ in range(20):
        matrix, _ = fit.fit(reference + rng.normal(0, 0.05, reference.shape))
    assert len(calls) == 20 and not fit.overlay.any()
    np.testing.assert_allclose(matrix, _similarity(1, 0, 0), atol=0.05)


def test_background_points_stay_clear_of_the_bars() -> None:
    rng = np.random.default_rng(6)
    noise = rng.integers(0, 256, (360, 640), dtype=np.uint8)
    picture = cv2.GaussianBlur(noise, (0, 0), 2.0)
    gray = np.zeros((480, 640), np.uint8)
    gray[60:420] = picture  # letterboxed: bars of 60 px above and below
    box = (0, 60, 640, 360)
    unaware = select_background_points(gray, [])
    near_bars = (unaware[:, 1] < 60 + BACKGROUND_REACH_PX) | (unaware[:, 1] >= 420 - 20)
    assert near_bars.any()  # the bars' edges are corners like any other
    points = select_background_points(gray, [], picture=box)
    assert len(points) > 100
    assert points[:, 1].min() >= 60 + BACKGROUND_REACH_PX
    assert points[:, 1].max() < 420 - BACKGROUND_REACH_PX
    # the frame's own edges (no bar there) are not moved in
    assert points[:, 0].min() < BACKGROUND_REACH_PX
    assert inset_picture(box, (480, 640), 20) == (0, 80, 640, 320)
    assert inset_picture(None, (480, 640), 20) == (0, 0, 640, 480)


def test_regions_are_cut_to_the_picture() -> None:
    picture = (0, 60, 640, 360)
    assert clip_to_picture((100, 30, 100, 100), picture) == (100, 60, 100, 70)
    assert clip_to_picture((100, 100, 50, 50), picture) == (100, 100, 50, 50)
    assert clip_to_picture((100, 0, 100, 70), picture) is None  # mostly in the bar
    assert clip_to_picture((100, 0, 100, 70), None) == (100, 0, 100, 70)


@pytest.mark.parametrize("reach", [BACKGROUND_REACH_PX])
def test_background_reach_is_that_of_a_window_at_half_size(reach: int) -> None:
    from tremorscope.motion.patches import WINDOW
    from tremorscope.motion.tracking import BACKGROUND_SCALE

    assert reach == round((WINDOW // 2) / BACKGROUND_SCALE)
