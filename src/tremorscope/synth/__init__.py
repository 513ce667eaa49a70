"""Ground truth: sensor signals and real footage with known oscillations, twitches and shake."""

from tremorscope.synth.signals import SyntheticTruth, synthetic_signal, write_signal_csv
from tremorscope.synth.video import (
    CameraMove,
    Injection,
    Oscillation,
    Shake,
    SynthTruth,
    Twitch,
    displacement,
    inject_video,
    oscillation_stats,
    side_by_side,
    write_truth,
)

__all__ = [
    "CameraMove",
    "Injection",
    "Oscillation",
    "Shake",
    "SynthTruth",
    "SyntheticTruth",
    "Twitch",
    "displacement",
    "inject_video",
    "oscillation_stats",
    "side_by_side",
    "synthetic_signal",
    "write_signal_csv",
    "write_truth",
]
