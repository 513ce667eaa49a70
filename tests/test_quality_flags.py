"""The quality flags' vocabulary: every flag has words, its settings come from the config."""

from __future__ import annotations

from tremorscope.config import AnalysisConfig, RunConfig, VideoConfig
from tremorscope.results import Quality, QualityFlag, json_schema


def test_every_flag_has_a_phrase_and_a_sentence_with_its_settings_filled():
    for flag in QualityFlag:
        assert flag.short and flag.sentence.endswith(".")
        assert "{" not in flag.explain()


def test_a_flags_sentence_reads_the_settings_the_analysis_ran_with():
    run = RunConfig(analysis=AnalysisConfig(max_gap_s=0.5), video=VideoConfig(min_rhythm_px=0.2))
    assert "up to 0.5 s" in QualityFlag.GAPS_BRIDGED.explain(run.settings())
    assert "0.2 px" in QualityFlag.BELOW_MEASUREMENT_FLOOR.explain(run.settings())
    assert "up to 0.25 s" in QualityFlag.GAPS_BRIDGED.explain()  # the defaults


def test_flags_are_their_names_in_json_and_read_back_as_flags():
    quality = Quality()
    quality.add(QualityFlag.WEAK_RHYTHM, "why")
    assert quality.model_dump(mode="json")["flags"] == ["weak_rhythm"]
    back = Quality.model_validate_json(quality.model_dump_json())
    assert back.has(QualityFlag.WEAK_RHYTHM) and back.messages == ["why"]


def test_the_schema_documents_every_flag():
    described = json_schema()["$defs"]["QualityFlag"]["description"]
    assert all(f"- {flag.value}: {flag.short}." in described for flag in QualityFlag)
