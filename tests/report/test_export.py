"""The machine-readable outputs (JSON, schema, CSV, NetCDF) and the folder write_outputs leaves."""

import csv
import json
from pathlib import Path

import numpy as np
import pydantic
import pytest
import xarray as xr

from tremorscope import analyze_signal
from tremorscope.config import RunConfig
from tremorscope.measurement import MotionDataset, RegionSamples, measurement_dataset
from tremorscope.report import export
from tremorscope.report.export import (
    WINDOW_COLUMNS,
    tracks_dataset,
    write_json,
    write_schema,
    write_tracks_csv,
    write_tracks_netcdf,
    write_windows_csv,
)
from tremorscope.report.outputs import LAYOUT, write_outputs
from tremorscope.results import (
    SCHEMA_VERSION,
    Analysis,
    Camera,
    Finding,
    Group,
    Person,
    Processing,
    Quality,
    QualityFlag,
    Region,
    RegionKey,
    Rhythmic,
    Signature,
    SignatureMatch,
    Source,
    Tracks,
    Twitches,
    TwitchEvent,
    WindowRow,
    json_schema,
)

FPS = 10.0
N = 30
TIMES = np.arange(N) / FPS
HEAD = RegionKey.body_part(1, "head")
FOOT = RegionKey.body_part(1, "left_foot")
CUP = RegionKey.given("cup")
#: frames where the head was not measured
HEAD_GAP = (12, 13)


def head_samples() -> RegionSamples:
    """The head: a stretch from frame 0 (re-placed at 10 without a break), another from 20."""
    samples = [(i, 0.1 * i, -0.05 * i) for i in range(N) if i not in HEAD_GAP]
    boxes = [(0, (100, 50, 40, 40)), (10, (104, 50, 40, 40)), (20, (120, 60, 40, 40))]
    return RegionSamples(HEAD, samples=samples, breaks=[0, 20], boxes=boxes)


def foot_samples() -> RegionSamples:
    """The left foot, first measured at frame 5, trembling at 3 Hz."""
    samples = [(i, 2.0 * np.sin(2 * np.pi * 3 * TIMES[i]), 0.0) for i in range(5, N)]
    return RegionSamples(FOOT, samples=samples, breaks=[5], boxes=[(5, (300, 400, 50, 50))])


def cup_samples() -> RegionSamples:
    samples = [(i, 0.0, 0.2) for i in range(N)]
    return RegionSamples(CUP, samples=samples, breaks=[0], boxes=[(0, (500, 100, 20, 20))])


def dataset() -> MotionDataset:
    camera = np.column_stack([0.01 * np.arange(N), -0.02 * np.arange(N)])
    camera[3] = np.nan  # a frame whose camera motion was not measured
    return measurement_dataset(
        TIMES, [head_samples(), cup_samples(), foot_samples()], camera, 1 + 0 * TIMES
    )


def finding(kind: str = "tremor", hz: float | None = 3.0, twitches: int = 0) -> Finding:
    detected = hz is not None
    return Finding(
        rhythmic=Rhythmic(
            detected=detected,
            kind=kind if detected else "none",
            kind_reasons=["steady rhythm in a resting limb"] if detected else [],
            frequency_hz=hz,
            frequency_ci_hz=(hz - 0.1, hz + 0.1) if detected else None,
            amplitude=1.41 if detected else None,
            amplitude_ci=(1.2, 1.6) if detected else None,
            amplitude_unit="px",
            constancy=0.9 if detected else None,
            episodes=[(0.5, 2.9)] if detected else [],
            direction=[1.0, 0.0] if detected else None,
        ),
        twitches=Twitches(
            count=twitches,
            rate_per_min=twitches * 20.0,
            events=[TwitchEvent(t=1.0 + i, size=3.0, duration_s=0.1) for i in range(twitches)],
            unit="px",
        ),
        signature=Signature(
            context="rest",
            closest="Parkinsonian rest tremor" if detected else None,
            matches=[
                SignatureMatch(name="Parkinsonian rest tremor", resemblance=0.7, reasons=["4-6 Hz"])
            ]
            if detected
            else [],
        ),
        quality=Quality(
            flags=[QualityFlag.SHORT_RECORD], messages=["3 s only"], band_hz=(1.0, 4.5)
        ),
    )


def windows(rms: float | None) -> list[WindowRow]:
    return [
        WindowRow(t_start=0.0, t_end=2.0, peak_hz=3.0, rhythm_rms=rms, present=1.0, twitches=0),
        WindowRow(t_start=1.0, t_end=3.0, peak_hz=None, rhythm_rms=None, present=0.0, twitches=1),
    ]


def video_analysis(path: str = "clip.mp4") -> Analysis:
    """A video analysis built by hand (no tracks attached)."""
    foot, head, cup = finding(), finding(hz=None), finding(hz=None, twitches=2)
    groups = [
        Group(
            name=key.name,
            channels=[f"{key.name}_x", f"{key.name}_y"],
            kind="position",
            unit="px",
            finding=f,
            windows=windows(rms),
            key=key,
        )
        for key, f, rms in ((HEAD, head, None), (CUP, cup, None), (FOOT, foot, 1.4))
    ]
    return Analysis(
        source=Source(
            path=path,
            kind="video",
            duration_s=N / FPS,
            sample_rate_hz=FPS,
            n_samples=N,
            fps=FPS,
            width=640,
            height=480,
            frame_count=N,
            codec="h264",
        ),
        groups=groups,
        dominant=foot,
        dominant_group=FOOT.name,
        people=[
            Person(
                id=1,
                box=(90, 40, 300, 420),
                first_seen_s=0.0,
                last_seen_s=2.9,
                body_parts={"head": head, "left_foot": foot},
                part_boxes={"head": (100, 50, 40, 40), "left_foot": (300, 400, 50, 50)},
            )
        ],
        regions=[Region(name="cup", box=(500, 100, 20, 20), finding=cup)],
        camera=Camera(compensated_share=1.0, max_shift_px=0.6, zoom_range=(1.0, 1.0)),
        processing=Processing(frames=N, elapsed_s=0.5, frames_per_s=60.0),
        config=RunConfig(),
    )


#: the order of the analysis' groups, not the dataset's (head, cup, left_foot)
KEYS = [FOOT, HEAD, CUP]


def with_tracks(analysis: Analysis) -> Analysis:
    analysis._tracks = Tracks(dataset(), list(KEYS))
    return analysis


@pytest.fixture
def video() -> Analysis:
    return with_tracks(video_analysis())


@pytest.fixture(scope="module")
def sensor() -> Analysis:
    t = np.arange(2000) / 100.0
    x = np.sin(2 * np.pi * 6.0 * t) + 0.05 * np.random.default_rng(0).standard_normal(t.size)
    return analyze_signal(x, rate_hz=100.0)


# --------------------------------------------------------------------------------------------
# JSON


def test_the_video_analysis_round_trips_through_json(video, tmp_path):
    path = write_json(video, tmp_path / "a.json")
    assert path == tmp_path / "a.json"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    loaded = Analysis.model_validate_json(text)
    assert loaded == video_analysis()  # the same model (no tracks on either)
    assert loaded.model_dump_json() == video.model_dump_json()
    assert loaded.tracks is None  # the per-frame series are not part of the JSON
    with pytest.raises(ValueError, match="no per-frame tracks"):
        loaded.require_tracks()
    assert loaded.group_of(FOOT).finding.rhythmic.frequency_hz == 3.0
    assert loaded.people[0].region_key("left_foot") == FOOT
    assert isinstance(loaded.people[0].box, tuple)


def test_the_sensor_analysis_round_trips_through_json(sensor, tmp_path):
    loaded = Analysis.model_validate_json(write_json(sensor, tmp_path / "s.json").read_text())
    assert loaded.model_dump() == sensor.model_dump()
    assert loaded.dominant.rhythmic.frequency_hz == sensor.dominant.rhythmic.frequency_hz
    assert sensor.groups[0].evidence is not None and loaded.groups[0].evidence is None


def test_the_derived_kind_is_written_and_derived_again_on_load(video, tmp_path):
    data = json.loads(write_json(video, tmp_path / "a.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["dominant"]["kind"] == "tremor"
    assert [g["finding"]["kind"] for g in data["groups"]] == ["none", "twitch", "tremor"]
    assert data["regions"][0]["finding"]["kind"] == "twitch"
    data["dominant"]["kind"] = "camera"  # a stale or edited kind is not believed
    loaded = Analysis.model_validate(data)
    assert loaded.dominant.kind == "tremor"
    data["dominant"]["mood"] = "calm"  # other unknown fields are still refused
    with pytest.raises(pydantic.ValidationError):
        Analysis.model_validate(data)


def test_the_schema_file_is_the_models_schema(tmp_path):
    path = write_schema(tmp_path / "schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema == json_schema()
    assert SCHEMA_VERSION in schema["$id"] and schema["title"].endswith(SCHEMA_VERSION)


# --------------------------------------------------------------------------------------------
# per-frame tracks as CSV


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def test_tracks_csv_has_a_pair_of_columns_per_region_in_the_order_of_the_keys(video, tmp_path):
    header, rows = read_csv(write_tracks_csv(video, tmp_path / "t.csv"))
    assert header == [
        "time_s",
        "person1.left_foot_x",
        "person1.left_foot_y",
        "person1.head_x",
        "person1.head_y",
        "region.cup_x",
        "region.cup_y",
        "camera_x",
        "camera_y",
    ]
    assert len(rows) == N
    assert [float(r[0]) for r in rows] == pytest.approx(TIMES)


def test_tracks_csv_holds_the_region_centres_and_empty_cells_where_unmeasured(video, tmp_path):
    header, rows = read_csv(write_tracks_csv(video, tmp_path / "t.csv"))
    col = {name: i for i, name in enumerate(header)}
    # the head: box centre at its stretch's start plus the displacement
    assert rows[11][col["person1.head_x"]] == f"{120 + 1.1:.4f}"
    assert float(rows[11][col["person1.head_y"]]) == pytest.approx(70 - 0.55)
    assert float(rows[25][col["person1.head_x"]]) == pytest.approx(140 + 2.5)
    for i in HEAD_GAP:
        assert rows[i][col["person1.head_x"]] == rows[i][col["person1.head_y"]] == ""
    # the foot: nothing before frame 5
    assert all(rows[i][col["person1.left_foot_x"]] == "" for i in range(5))
    foot_x = [float(rows[i][col["person1.left_foot_x"]]) for i in range(5, N)]
    assert foot_x == pytest.approx(325 + 2 * np.sin(2 * np.pi * 3 * TIMES[5:]), abs=1e-4)
    assert {rows[i][col["region.cup_y"]] for i in range(N)} == {"110.2000"}
    # the camera
    assert rows[3][col["camera_x"]] == rows[3][col["camera_y"]] == ""
    assert float(rows[10][col["camera_x"]]) == pytest.approx(0.1)
    assert float(rows[10][col["camera_y"]]) == pytest.approx(-0.2)


def test_tracks_need_a_video_analysis(sensor, tmp_path):
    for write in (write_tracks_csv, write_tracks_netcdf):
        with pytest.raises(ValueError, match="no per-frame tracks"):
            write(sensor, tmp_path / "t.out")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        tracks_dataset(sensor)


# --------------------------------------------------------------------------------------------
# per-frame tracks as a movement-style dataset / NetCDF


def test_tracks_dataset_has_the_movement_layout(video):
    ds = tracks_dataset(video)
    assert ds["position"].dims == ("time", "space", "keypoints", "individuals")
    assert list(ds["individuals"].values) == ["person1", "regions"]
    assert list(ds["keypoints"].values) == ["head", "cup", "left_foot"]  # first measured
    assert list(ds["space"].values) == ["x", "y"]
    assert ds["time"].values == pytest.approx(TIMES)
    assert ds["confidence"].dims == ("time", "keypoints", "individuals")
    assert ds["confidence"].dtype == float and bool(ds["confidence"].isnull().all())
    finite = np.isfinite(ds["position"]).all("space")
    assert (ds["valid"] == finite).all()
    assert int(ds["valid"].sum()) == (N - len(HEAD_GAP)) + N + (N - 5)
    assert not bool(ds["valid"].sel(keypoints="cup", individuals="person1").any())  # no such
    assert ds.attrs["ds_type"] == "poses"
    assert ds.attrs["source_file"] == "clip.mp4"
    assert ds.attrs["fps"] == FPS and isinstance(ds.attrs["fps"], float)
    assert ds.attrs["source_software"].startswith("tremorscope ")
    head = ds["position"].sel(keypoints="head", individuals="person1").values
    assert head[25] == pytest.approx([142.5, 78.75])


def test_tracks_dataset_leaves_the_analysis_own_dataset_alone(video):
    tracks_dataset(video)
    own = video.tracks.dataset
    assert "confidence" not in own and "source_file" not in own.attrs


def test_tracks_netcdf_reads_back_as_written(video, tmp_path):
    path = write_tracks_netcdf(video, tmp_path / "t.nc")
    with xr.open_dataset(path, engine="scipy") as back:
        back = back.load()
    expected = tracks_dataset(video)
    xr.testing.assert_identical(back, expected)
    assert back["valid"].dtype == bool and back["stretch_start"].dtype == bool
    assert list(back["individuals"].values) == ["person1", "regions"]
    assert back.attrs["source_file"] == "clip.mp4" and back.attrs["fps"] == FPS
    assert bool(back["confidence"].isnull().all())
    assert np.array_equal(np.isnan(back["position"]), np.isnan(expected["position"]))


# --------------------------------------------------------------------------------------------
# per-window series


def test_windows_csv_has_one_row_per_group_and_window(video, tmp_path):
    header, rows = read_csv(write_windows_csv(video, tmp_path / "w.csv"))
    assert tuple(header) == WINDOW_COLUMNS
    assert [r[0] for r in rows] == [g.name for g in video.groups for _ in g.windows]
    assert len(rows) == 6
    foot = [r for r in rows if r[0] == "person1.left_foot"]
    assert foot[0] == ["person1.left_foot", "0.0", "2.0", "3.0", "1.4", "1.0", "0"]
    assert foot[1] == ["person1.left_foot", "1.0", "3.0", "", "", "0.0", "1"]  # None: empty


def test_windows_csv_of_a_sensor_recording(sensor, tmp_path):
    _, rows = read_csv(write_windows_csv(sensor, tmp_path / "w.csv"))
    assert len(rows) == sum(len(g.windows) for g in sensor.groups) > 5
    peaks = [float(r[3]) for r in rows if r[3]]
    assert len(peaks) == len(rows) and np.median(peaks) == pytest.approx(6.0, abs=0.2)
    starts = [float(r[1]) for r in rows]
    assert starts == sorted(starts)


# --------------------------------------------------------------------------------------------
# the folder of outputs


def test_write_outputs_writes_every_file_it_lists(video, tmp_path):
    folder = tmp_path / "out"
    written = write_outputs(video, folder)
    assert list(written) == list(LAYOUT)  # a video: the track files too
    assert {kind: path.name for kind, path in written.items()} == LAYOUT
    for path in written.values():
        assert path.is_file() and path.stat().st_size > 0 and path.parent == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(LAYOUT.values())  # no .part
    assert Analysis.model_validate_json(written["json"].read_text()) == video_analysis()
    with xr.open_dataset(written["netcdf"], engine="scipy") as back:
        assert back.sizes["time"] == N
    assert read_csv(written["tracks"])[0][1] == "person1.left_foot_x"
    assert "<html" in written["report"].read_text(encoding="utf-8").lower()


def test_a_failing_writer_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    write_outputs(with_tracks(video_analysis("first.mp4")), folder)
    before = {name: (folder / name).read_bytes() for name in LAYOUT.values()}

    def broken(analysis: Analysis, path: Path) -> Path:
        Path(path).write_bytes(b"CDF half a file")
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_tracks_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(with_tracks(video_analysis("second.mp4")), folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(LAYOUT.values())  # no .part left
    assert (folder / "tracks.nc").read_bytes() == before["tracks.nc"]
    assert (folder / "report.html").read_bytes() == before["report.html"]  # not reached
    # the files written before the failure are the new ones, complete
    assert json.loads((folder / "analysis.json").read_text())["source"]["path"] == "second.mp4"
    with xr.open_dataset(folder / "tracks.nc", engine="scipy") as back:
        assert back.attrs["source_file"] == "first.mp4"
