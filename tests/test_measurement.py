"""The video pass's samples as a labelled dataset, and the keys that name its regions."""

import numpy as np
import pydantic
import pytest

from tremorscope.measurement import (
    BOX_FIELDS,
    RegionSamples,
    VideoMeasurement,
    measurement_dataset,
    region_track,
)
from tremorscope.results import RegionKey

N = 40
TIMES = np.arange(N) / 20.0 + 0.5  # container times need not start at zero
HAND2 = RegionKey.body_part(2, "left_hand")
HEAD1 = RegionKey.body_part(1, "head")
CUP = RegionKey.given("cup")
HAND1 = RegionKey.body_part(1, "left_hand")


def samples() -> list[RegionSamples]:
    """Four regions in the order first measured: person 2 before person 1, a given region."""
    hand2 = RegionSamples(
        HAND2,
        samples=[(i, 0.5 * i, -0.25 * i) for i in range(N) if i not in (15, 16, 17)],
        breaks=[0, 18],  # lost for three frames: a new stretch after
        boxes=[(0, (200, 300, 40, 40)), (10, (205, 295, 40, 40)), (18, (220, 310, 40, 40))],
        uncompensated_frames=4,
        articulation=[(i, 0.1 * i) for i in range(N)],
        articulation_breaks=[0, 10, 18],
        part_samples=[(i, 1.0, 2.0) for i in range(5, 15)],
    )
    head1 = RegionSamples(
        HEAD1,
        samples=[(i, 0.0, 0.01 * i) for i in range(10, N)],
        breaks=[10],
        boxes=[(10, (50, 20, 60, 60)), (30, (51, 20, 60, 60))],
    )
    cup = RegionSamples(
        CUP,
        samples=[(i, -1.0, 1.0) for i in range(N)],
        breaks=[0],
        boxes=[(0, (400, 100, 21, 31))],
        articulation=[(i, 0.0) for i in range(0, N, 2)],
        articulation_breaks=[0],
    )
    hand1 = RegionSamples(
        HAND1,
        samples=[(i, 0.2, 0.2) for i in range(20, 30)],
        breaks=[20],
        boxes=[(20, (100, 200, 30, 30))],
    )
    return [hand2, head1, cup, hand1]


@pytest.fixture
def motion():
    camera = np.column_stack([np.linspace(0, 1, N), np.zeros(N)])
    zoom = np.linspace(1.0, 1.01, N)
    return measurement_dataset(TIMES, samples(), camera, zoom, {"source_file": "x.mp4"})


@pytest.fixture
def ds(motion):
    return motion.to_xarray()


def at(ds, key: RegionKey, name: str):
    return ds[name].sel(keypoints=key.part, individuals=key.individual)


# --------------------------------------------------------------------------------------------
# layout


def test_dimensions_and_the_first_measured_order(ds):
    assert list(ds["individuals"].values) == ["person2", "person1", "regions"]
    assert list(ds["keypoints"].values) == ["left_hand", "head", "cup"]
    assert list(ds["space"].values) == ["x", "y"]
    assert tuple(ds["box"].values) == BOX_FIELDS
    assert ds["time"].values == pytest.approx(TIMES)
    sizes = {"time": N, "space": 2, "keypoints": 3, "individuals": 3}
    for name in ("position", "displacement", "part_displacement"):
        assert ds[name].dims == ("time", "space", "keypoints", "individuals")
        assert ds[name].shape == tuple(sizes[d] for d in ds[name].dims)
    for name in ("valid", "stretch_start", "articulation", "articulation_start"):
        assert ds[name].dims == ("time", "keypoints", "individuals")
    assert ds["region_box"].dims == ("time", "box", "keypoints", "individuals")
    assert ds["uncompensated_frames"].dims == ("keypoints", "individuals")
    assert ds["camera_shift"].dims == ("time", "space") and ds["camera_zoom"].dims == ("time",)
    assert ds.attrs["source_file"] == "x.mp4" and ds.attrs["ds_type"] == "poses"


def test_combinations_never_measured_are_empty(ds):
    # person 2's head, a person's "cup", the regions' hand: in the grid, never measured
    for part, who in (("head", "person2"), ("cup", "person1"), ("left_hand", "regions")):
        one = ds.sel(keypoints=part, individuals=who)
        assert bool(one["displacement"].isnull().all()) and bool(one["position"].isnull().all())
        assert not one["valid"].any() and not one["stretch_start"].any()
        assert int(one["uncompensated_frames"]) == 0


def test_displacement_valid_and_stretch_starts(ds):
    d = at(ds, HAND2, "displacement").transpose("time", "space").values
    assert d[7] == pytest.approx([3.5, -1.75])
    assert np.isnan(d[15:18]).all()
    valid = at(ds, HAND2, "valid").values
    assert valid.dtype == bool
    assert valid.sum() == N - 3 and not valid[15:18].any()
    assert np.flatnonzero(at(ds, HAND2, "stretch_start").values).tolist() == [0, 18]
    assert np.flatnonzero(at(ds, HEAD1, "stretch_start").values).tolist() == [10]
    head_valid = at(ds, HEAD1, "valid").values
    assert not head_valid[:10].any() and head_valid[10:].all()


def test_position_is_the_box_centre_at_the_stretch_start_plus_the_displacement(ds):
    p = at(ds, HAND2, "position").transpose("time", "space").values
    d = at(ds, HAND2, "displacement").transpose("time", "space").values
    # frames 0-14: the box placed at 0 (centre 220, 320); the box re-placed at 10 without a
    # break does not move the centre (the displacement carries on from the first placement)
    assert np.allclose(p[:15], d[:15] + np.array([220, 320]))
    assert np.allclose(p[18:], d[18:] + np.array([240, 330]))
    assert np.isnan(p[15:18]).all()
    head = at(ds, HEAD1, "position").transpose("time", "space").values
    assert np.allclose(
        head[10:], np.array([80, 50]) + np.column_stack([np.zeros(30), 0.01 * np.arange(10, N)])
    )
    cup = at(ds, CUP, "position").transpose("time", "space").values
    assert np.allclose(cup, [410.5 - 1, 115.5 + 1])


def test_a_stretch_without_a_box_has_no_position_but_keeps_its_displacement():
    odd = RegionSamples(HEAD1, samples=[(i, 1.0, 1.0) for i in range(10)], breaks=[0, 5])
    odd.boxes = [(0, (0, 0, 10, 10))]  # nothing placed at the second stretch's start
    ds = measurement_dataset(np.arange(10.0), [odd], np.zeros((10, 2)), np.ones(10)).to_xarray()
    p = at(ds, HEAD1, "position").transpose("time", "space").values
    assert np.allclose(p[:5], 6.0) and np.isnan(p[5:]).all()
    assert at(ds, HEAD1, "valid").values.all()  # valid means a displacement was measured


def test_boxes_articulation_and_the_camera(ds):
    box = at(ds, HAND2, "region_box").transpose("time", "box").values
    placed = np.flatnonzero(np.isfinite(box[:, 0])).tolist()
    assert placed == [0, 10, 18]
    assert box[10].tolist() == [205, 295, 40, 40]
    art = at(ds, HAND2, "articulation").values
    assert art == pytest.approx(0.1 * np.arange(N))
    assert np.flatnonzero(at(ds, HAND2, "articulation_start").values).tolist() == [0, 10, 18]
    cup_art = at(ds, CUP, "articulation").values
    assert np.isfinite(cup_art[::2]).all() and np.isnan(cup_art[1::2]).all()
    assert bool(at(ds, HEAD1, "articulation").isnull().all())
    part = at(ds, HAND2, "part_displacement").transpose("time", "space").values
    assert np.isfinite(part[5:15]).all() and np.isnan(part[:5]).all() and np.isnan(part[15:]).all()
    assert int(at(ds, HAND2, "uncompensated_frames")) == 4
    assert ds["camera_shift"].values[-1].tolist() == [1.0, 0.0]
    assert ds["camera_zoom"].values[-1] == pytest.approx(1.01)


def test_no_regions_give_an_empty_grid_with_the_camera():
    ds = measurement_dataset(np.arange(5.0), [], np.zeros((5, 2)), np.ones(5)).to_xarray()
    assert ds.sizes["keypoints"] == 0 and ds.sizes["individuals"] == 0
    assert ds.sizes["time"] == 5 and ds["camera_shift"].shape == (5, 2)


# --------------------------------------------------------------------------------------------
# reading one region back


@pytest.mark.parametrize("index", range(4))
def test_region_track_gives_back_exactly_what_went_in(motion, index):
    r = samples()[index]
    track = region_track(motion, r.key)
    assert track.key == r.key
    expected = np.full((N, 2), np.nan)
    for i, dx, dy in r.samples:
        expected[i] = dx, dy
    assert np.array_equal(track.displacement, expected, equal_nan=True)
    assert track.breaks == r.breaks
    assert track.boxes == r.boxes
    assert all(isinstance(v, int) for _, box in track.boxes for v in box)
    parts = np.full((N, 2), np.nan)
    for i, dx, dy in r.part_samples:
        parts[i] = dx, dy
    assert np.array_equal(track.part_displacement, parts, equal_nan=True)
    art = np.full((N, 1), np.nan)
    for i, v in r.articulation:
        art[i] = v
    assert np.array_equal(track.articulation, art, equal_nan=True)
    assert track.articulation_breaks == r.articulation_breaks
    assert track.uncompensated_frames == r.uncompensated_frames
    assert track.position.shape == (N, 2)
    assert track.has_parts == bool(r.part_samples)
    assert track.has_articulation == bool(r.articulation)


def test_the_measurement_reads_its_regions_from_its_dataset(motion):
    m = VideoMeasurement(
        info=None, tracks=motion, keys=[HAND2, HEAD1], shot_starts=[0], people={}, elapsed_s=0.1
    )
    assert m.n_frames == N and m.times == pytest.approx(TIMES)
    assert m.camera.shape == (N, 2) and m.camera_zoom.shape == (N,)
    assert m.region(HEAD1).breaks == [10]


@pytest.mark.parametrize(
    "key",
    [
        RegionKey.body_part(3, "head"),
        RegionKey.body_part(1, "nose"),
        RegionKey.given("plate"),
        RegionKey.body_part(2, "head"),  # in the grid, never measured
    ],
)
def test_an_unknown_region_is_a_key_error(motion, key):
    with pytest.raises(KeyError):
        region_track(motion, key)


# --------------------------------------------------------------------------------------------
# RegionKey


def test_region_key_names():
    assert RegionKey.body_part(1, "left_foot").name == "person1.left_foot"
    assert RegionKey.body_part(12, "head").name == "person12.head"
    assert RegionKey.given("cup").name == "region.cup"
    assert RegionKey.body_part(2, "head").individual == "person2"
    assert RegionKey.given("cup").individual == "regions"
    assert RegionKey.given("cup").person is None


def test_people_are_numbered_from_one():
    with pytest.raises(pydantic.ValidationError):
        RegionKey.body_part(0, "head")
    with pytest.raises(pydantic.ValidationError):
        RegionKey(owner="animal", part="tail")
    with pytest.raises(pydantic.ValidationError):
        RegionKey(owner="region", part="cup", colour="red")


def test_region_keys_are_equal_by_value_hashable_and_frozen():
    a, b = RegionKey.body_part(1, "head"), RegionKey(owner="person", person=1, part="head")
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != RegionKey.body_part(2, "head") and a != RegionKey.given("head")
    table = {a: "found"}
    assert table[b] == "found"
    assert len({a, b, RegionKey.given("head"), RegionKey.given("head")}) == 2
    with pytest.raises(pydantic.ValidationError):
        a.part = "neck"
    assert RegionKey.model_validate_json(a.model_dump_json()) == a


def test_only_a_persons_hands_are_hands():
    assert RegionKey.body_part(1, "left_hand").is_hand
    assert RegionKey.body_part(3, "right_hand").is_hand
    assert not RegionKey.body_part(1, "left_foot").is_hand
    assert not RegionKey.body_part(1, "head").is_hand
    assert not RegionKey.given("left_hand").is_hand  # a given region named like a hand
