"""Scale from the body's landmarks in metres, checked on real footage.

- VisionMD ``FT_L.mp4`` (../shared/realdata; a seated woman facing the camera, whole body): the
  scale from the world landmarks, the shoulders' old estimate (36 cm), and two sizes of the face
  the pose does not use, the eyes' spacing (adult mean 6.3 cm) and the iris (11.7 mm), from
  mediapipe's face mesh with irises (bundled, offline): all at the face's distance.
- The Sports2D demo (``pip download sports2d --no-deps``, unzip, ``Sports2D/Demo/demo.mp4``;
  pass its path): a woman walking side-on across the picture, and a man on a box who faces the
  camera and then turns side-on (his part of the picture is cropped, so that the pose model sees
  him rather than her). Per person: px/cm from the detections facing the camera against those
  side-on, and the old shoulder estimate for each; the nose-to-ankle length in cm of the
  standing detections.

Run: ``python benchmarks/body_scale.py [path/to/Sports2D/Demo/demo.mp4]`` (about 2 min).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tremorscope.analysis.scale import SHOULDER_CM, scale_from_body
from tremorscope.locate.pose import LANDMARK_NAMES, PoseDetector, quiet_mediapipe
from tremorscope.locate.world_scale import scale_sample
from tremorscope.video import iter_frames, probe_video

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
AT = {name: i for i, name in enumerate(LANDMARK_NAMES)}
#: Adult interpupillary distance (both sexes, mean) and visible iris diameter, cm.
IPD_CM = 6.3
IRIS_CM = 1.17


def poses(path: Path, step_s: float, crop=None):
    """(time, frame, person) every ``step_s`` seconds; ``crop`` = (x, y, w, h) of the frame."""
    info = probe_video(path)
    next_t = 0.0
    with PoseDetector() as detector:
        for frame in iter_frames(path, info, threads=1):
            if frame.t < next_t:
                continue
            next_t = frame.t + step_s
            rgb = frame.rgb()
            if crop is not None:
                x, y, w, h = crop
                rgb = np.ascontiguousarray(rgb[y : y + h, x : x + w])
            for person in detector.detect(rgb):
                yield frame.t, rgb, person


def length(person, a: str, b: str) -> float:
    return float(np.linalg.norm(person.points[AT[a]] - person.points[AT[b]]))


def facing_share(person) -> float:
    """Shoulders' distance in the picture plane over in space, on the world body (1: facing)."""
    w = person.world
    d = w[AT["left_shoulder"]] - w[AT["right_shoulder"]]
    return float(np.linalg.norm(d[:2]) / max(np.linalg.norm(d), 1e-9))


def face_scales(rgb: np.ndarray, person, mesh) -> tuple[float, float] | None:
    """px/cm from the eyes' spacing and from the irises (face mesh on a crop of the head)."""
    import cv2

    ears = length(person, "left_ear", "right_ear")
    centre = person.points[:11].mean(axis=0)
    half = max(2.5 * ears, 40)
    x0, y0 = (int(max(0, v - half)) for v in centre)
    x1 = int(min(rgb.shape[1], centre[0] + half))
    y1 = int(min(rgb.shape[0], centre[1] + half))
    crop = rgb[y0:y1, x0:x1]
    zoom = 512 / crop.shape[0]
    big = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    result = mesh.process(big)
    if not result.multi_face_landmarks:
        return None
    marks = result.multi_face_landmarks[0].landmark

    def at(i: int) -> np.ndarray:
        return np.array([marks[i].x * big.shape[1], marks[i].y * big.shape[0]]) / zoom

    ipd = np.linalg.norm(at(468) - at(473))
    iris = (np.linalg.norm(at(469) - at(471)) + np.linalg.norm(at(474) - at(476))) / 2
    return float(ipd / IPD_CM), float(iris / IRIS_CM)


def seated_woman() -> None:
    path = REALDATA / "visionmd" / "FT_L.mp4"
    if not path.exists():
        print(f"skipped: {path} not found")
        return
    with quiet_mediapipe():
        from mediapipe.python.solutions import face_mesh

        mesh = face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1)
    samples, rows = [], []
    for t, rgb, person in poses(path, 0.5):
        sample = scale_sample(person, t, rgb.shape[:2])
        samples.append(sample)
        face = face_scales(rgb, person, mesh)
        rows.append(
            (
                sample.px_per_cm,
                length(person, "left_shoulder", "right_shoulder"),
                length(person, "left_knee", "left_ankle"),
                length(person, "nose", "left_ankle"),
                *(face or (np.nan, np.nan)),
            )
        )
    mesh.close()
    a = np.array(rows, float)
    scale = scale_from_body(samples)
    s = scale.px_per_cm
    print(f"FT_L (seated woman, facing the camera): {len(samples)} detections")
    print(
        f"  body landmarks: {s:.2f} px/cm, interval {scale.px_per_cm_ci[0]:.2f}-"
        f"{scale.px_per_cm_ci[1]:.2f} (detections {np.nanmin(a[:, 0]):.2f}-"
        f"{np.nanmax(a[:, 0]):.2f})"
    )
    print(
        f"  shoulders taken as {SHOULDER_CM:g} cm: "
        f"{np.percentile(a[:, 1], 90) / SHOULDER_CM:.2f} px/cm"
    )
    print(
        f"  the face: eyes' spacing ({IPD_CM} cm) {np.nanmedian(a[:, 4]):.2f} px/cm, "
        f"irises ({IRIS_CM * 10:.1f} mm) {np.nanmedian(a[:, 5]):.2f} px/cm"
    )
    print(
        f"  at the body scale: shoulders {np.median(a[:, 1]) / s:.0f} cm, shin "
        f"{np.median(a[:, 2]) / s:.0f} cm (nearer the camera), nose to ankle "
        f"{np.median(a[:, 3]) / s:.0f} cm (seated)"
    )


def person_views(name: str, path: Path, crop, until_s: float) -> None:
    rows = []
    for t, rgb, person in poses(path, 0.1, crop):
        if t > until_s:
            break
        sample = scale_sample(person, t, rgb.shape[:2])
        if sample.px_per_cm is None:
            continue
        shoulders = length(person, "left_shoulder", "right_shoulder") / SHOULDER_CM
        height = (
            length(person, "nose", "left_ankle") / 2 + length(person, "nose", "right_ankle") / 2
        )
        rows.append((facing_share(person), sample.px_per_cm, shoulders, height / sample.px_per_cm))
    a = np.array(rows, float)
    frontal, side = a[a[:, 0] >= 0.9], a[a[:, 0] <= 0.5]
    print(f"{name}: {len(a)} detections with a credible fit")
    for label, part in (("facing the camera", frontal), ("side-on", side)):
        if len(part):
            print(
                f"  {label:17s} n={len(part):2d}  body landmarks {np.median(part[:, 1]):.2f} px/cm "
                f"({part[:, 1].min():.2f}-{part[:, 1].max():.2f}); shoulders as {SHOULDER_CM:g} cm "
                f"{np.median(part[:, 2]):.2f} px/cm ({part[:, 2].min():.2f}-{part[:, 2].max():.2f})"
            )
    if len(frontal) and len(side):
        ratio = np.median(side[:, 1]) / np.median(frontal[:, 1])
        print(
            f"  side-on over facing: body landmarks {ratio:.2f}, shoulders "
            f"{np.median(side[:, 2]) / np.median(frontal[:, 2]):.2f}"
        )
    print(
        f"  nose to ankle: {np.median(a[:, 3]):.0f} cm ({np.percentile(a[:, 3], 10):.0f}-"
        f"{np.percentile(a[:, 3], 90):.0f}, 10th-90th percentile)"
    )


def main() -> int:
    seated_woman()
    demo = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if demo is None or not demo.exists():
        print(
            "Sports2D demo: pass the path of Sports2D/Demo/demo.mp4 (pip download sports2d "
            "--no-deps, then unzip the wheel)"
        )
        return 0
    person_views(
        "Sports2D, woman walking (lower half of the frame)", demo, (0, 450, 1768, 544), 7.7
    )
    person_views("Sports2D, man on the box (crop 800x600 at 300,0)", demo, (300, 0, 800, 600), 4.8)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
