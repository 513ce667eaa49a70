"""Video reading: exact timestamps, rotation, streaming; shot cuts."""

from tremorscope.video.reader import (
    STOPPED_EARLY,
    Frame,
    GrayImage,
    VideoInfo,
    as_gray_image,
    frames_at,
    is_variable_rate,
    iter_frames,
    probe_video,
    read_ahead,
)
from tremorscope.video.shots import ShotCutDetector

__all__ = [
    "STOPPED_EARLY",
    "Frame",
    "GrayImage",
    "ShotCutDetector",
    "VideoInfo",
    "as_gray_image",
    "frames_at",
    "is_variable_rate",
    "iter_frames",
    "probe_video",
    "read_ahead",
]
