"""The JSON contract: field names other programs rely on, and the committed schema file."""

import json
from pathlib import Path

import numpy as np

from tremorscope import analyze_signal
from tremorscope.results import SCHEMA_VERSION, json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "analysis.schema.json"


def test_committed_schema_matches_the_model():
    assert json.loads(SCHEMA_FILE.read_text()) == json_schema()


def test_json_contract_fields():
    t = np.arange(2000) / 100.0
    x = np.sin(2 * np.pi * 6.0 * t) + 0.05 * np.random.default_rng(0).standard_normal(t.size)
    data = json.loads(analyze_signal(x, time_s=t).model_dump_json())
    assert data["schema_version"] == SCHEMA_VERSION and SCHEMA_VERSION.startswith("1.")
    assert data["tool"]["name"] == "tremorscope"
    assert data["source"]["kind"] == "signal"
    assert {"path", "duration_s", "sample_rate_hz"} <= set(data["source"])
    group = data["groups"][0]
    assert {"name", "channels", "finding"} <= set(group)
    finding = data["dominant"]
    rhythmic = finding["rhythmic"]
    for key in (
        "detected",
        "frequency_hz",
        "frequency_ci_hz",
        "amplitude",
        "amplitude_unit",
        "regularity",
        "constancy",
        "episodes",
    ):
        assert key in rhythmic
    assert abs(rhythmic["frequency_hz"] - 6.0) < 0.05
    assert {"count", "rate_per_min", "events"} <= set(finding["twitches"])
    assert "flags" in finding["quality"] and "signature" in finding
