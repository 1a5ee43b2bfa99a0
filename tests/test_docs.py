"""The documentation states the model the code runs."""

from pathlib import Path

from sim.params import embed_parameter_table

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def test_parameter_table_in_docs_matches_the_schema():
    text = MODEL_DOC.read_text()
    assert embed_parameter_table(text) == text, "docs/model.md is stale: run `python -m sim.params docs/model.md`"


def test_docs_have_no_unfilled_placeholders():
    text = MODEL_DOC.read_text()
    for placeholder in ("PARAMETER_TABLE", "FACTS_SUMMARY", "REGION_SUMMARY"):
        assert placeholder not in text
