"""Video reading: exact timestamps, rotation, streaming; shot cuts; H.264 writing."""

from tremorscope.video.reader import (
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
from tremorscope.video.writer import H264Writer

__all__ = [
    "Frame",
    "GrayImage",
    "H264Writer",
    "ShotCutDetector",
    "VideoInfo",
    "as_gray_image",
    "frames_at",
    "is_variable_rate",
    "iter_frames",
    "probe_video",
    "read_ahead",
]
