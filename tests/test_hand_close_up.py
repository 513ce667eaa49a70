"""A hand filmed close up, nothing else of its person in view: measured as a hand, nothing else.

The hand model finds the hand by itself where the pose model finds nobody (or only poses that
are no person); its region is measured as a hand, with its landmarks sampled for its shape, and
no head, knee or foot is made up around it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tremorscope.api import analyze_video
from tremorscope.locate.hands import HANDS
from tremorscope.synth.motion import Injection, Oscillation
from tremorscope.synth.video import inject_video
from videos import ffmpeg


@pytest.fixture(scope="module")
def trembling_hand_photo(hand_photo_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """Debian's photo of an open hand as 4 s of video, the hand trembling (wandering 5 Hz)."""
    folder = tmp_path_factory.mktemp("hand_close_up")
    still = ffmpeg(
        hand_photo_path, folder / "still.mp4", "-vf", "loop=loop=-1:size=1", "-t", "4", "-r", "30"
    )
    tremor = Oscillation(5.0, 3.0, frequency_sd_hz=0.3, amplitude_modulation=0.3, seed=1)
    out = folder / "trembling.mp4"
    truth = inject_video(still, out, [Injection("hand", (150, 60, 350, 350), [tremor], [])], crf=23)
    return out, truth.oscillations[0].mean_frequency_hz


def test_a_trembling_hand_alone_is_one_hand_and_its_tremor(trembling_hand_photo):
    path, truth_hz = trembling_hand_photo
    analysis = analyze_video(path)
    (person,) = analysis.people
    assert set(person.body_parts) <= set(HANDS) and person.body_parts
    assert "seen only as a hand" in person.identity_note
    assert any("found on its own" in note for note in analysis.source.notes)
    (hand,) = person.body_parts.values()
    r = hand.rhythmic
    assert r.detected and abs(r.frequency_hz - truth_hz) < 0.3
    # its own evidence says tremor, but what is out of view could be carrying it
    assert r.kind in ("tremor", "undetermined")
    assert r.kind_confidence <= 0.5
    assert any("out of view" in reason for reason in r.kind_reasons)
    assert not any(item.score is not None for item in person.ratings)


def _crop(source: Path, out: Path, crop: str, size: str, seconds: str = "6") -> Path:
    return ffmpeg(source, out, "-t", seconds, "-vf", f"crop={crop},scale={size}", "-an")


def test_real_hands_filmed_close_up_give_hands_only(realdata, tmp_path):
    """treman3's hand turned upright and enlarged 4x; VisionMD's tapping hand cropped out."""
    clips = {
        "treman3 upright": ffmpeg(
            realdata / "treman3/hand.mp4",
            tmp_path / "upright.mp4",
            "-vf",
            "transpose=1,scale=720:960",
            "-an",
        ),
        # the fingers fill the view: the pose model fits a body to two of them at one look
        "treman3 zoomed 4x": _crop(
            realdata / "treman3/hand.mp4", tmp_path / "zoom4.mp4", "300:226:100:75", "1280:964"
        ),
        "FT_L tapping hand": _crop(
            realdata / "visionmd/FT_L.mp4", tmp_path / "tapping.mp4", "270:360:590:560", "720:960"
        ),
    }
    found = {}
    for name, path in clips.items():
        analysis = analyze_video(path)
        parts = {part for p in analysis.people for part in p.body_parts}
        assert parts and parts <= set(HANDS), (name, parts)
        found[name] = [f for p in analysis.people for f in p.body_parts.values()]
    # the tapping is voluntary: the fingers open and close (its landmarks were sampled)
    tapping = [f.rhythmic.kind for f in found["FT_L tapping hand"] if f.rhythmic.detected]
    assert tapping and set(tapping) == {"voluntary"}


def test_the_command_line_reports_a_hand_alone(trembling_hand_photo, tmp_path):
    path, _ = trembling_hand_photo
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "tremorscope", "analyze", str(path), "--json", str(out), "--quiet"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    people = json.loads(out.read_text())["people"]
    assert len(people) == 1 and set(people[0]["body_parts"]) <= set(HANDS)
