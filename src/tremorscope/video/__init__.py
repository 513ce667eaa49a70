"""Video reading: exact timestamps, rotation, streaming; shot cuts; H.264 writing."""

from tremorscope.video.frame import Frame, GrayImage, as_gray_image
from tremorscope.video.probe import VideoInfo, probe_video
from tremorscope.video.readahead import read_ahead
from tremorscope.video.reader import STOPPED_EARLY, is_variable_rate, iter_frames
from tremorscope.video.seeking import frames_at
from tremorscope.video.shots import ShotCutDetector
from tremorscope.video.writer import H264Writer

__all__ = [
    "STOPPED_EARLY",
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
