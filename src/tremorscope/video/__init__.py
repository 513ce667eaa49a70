"""Video reading: exact timestamps, rotation, streaming; shot cuts."""

from tremorscope.video.reader import (
    Frame,
    VideoInfo,
    is_variable_rate,
    iter_frames,
    probe_video,
    read_ahead,
)
from tremorscope.video.shots import ShotCutDetector

__all__ = [
    "Frame",
    "ShotCutDetector",
    "VideoInfo",
    "is_variable_rate",
    "iter_frames",
    "probe_video",
    "read_ahead",
]
