"""The documentation states the model the code runs."""

import re
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


REPO = MODEL_DOC.parent.parent
# Files the project writes (each by one command), where every number README quotes must be found.
GENERATED = {
    "docs/results.md": "servsim-report --results-page",
    "docs/model.md": "python -m sim.params docs/model.md (its parameter table)",
    "docs/facts.md": "servsim-facts --out docs/facts.md",
}

def _prose(markdown: str) -> str:
    """Markdown without fenced code blocks, inline code and link targets: the text a reader reads as claims."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def test_every_number_in_readme_comes_from_a_generated_file():
    """README quotes no number by hand: each is found in a file a command writes (GENERATED), so rerunning the
    command and this test shows when README has gone stale."""
    generated = {name: (REPO / name).read_text() for name in GENERATED}
    numbers = re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?(?: pp|%)?", _prose((REPO / "README.md").read_text()))
    assert numbers, "no number found: the pattern is broken"
    missing = [n for n in numbers if not any(n in text for text in generated.values())]
    assert not missing, f"README quotes numbers no generated file holds: {missing} (files: {GENERATED})"


def test_results_page_is_the_committed_reports():
    from experiments.report import RESULTS_PAGE, results_page

    assert RESULTS_PAGE.read_text() == results_page(), "docs/results.md is stale: run `servsim-report --results-page`"


def test_readme_is_a_short_guide_whose_links_resolve():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    assert "\n## Glossary\n" in readme  # the terminal summary points here
    for page in ("docs/guide.md", "docs/results.md", "docs/architecture.md", "docs/experiments.md", "docs/benchmarks.md"):
        assert f"]({page})" in readme, page
    for folder, text in [(REPO, readme), *[(REPO / "docs", p.read_text()) for p in (REPO / "docs").glob("*.md")]]:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if not target.startswith("http"):
                assert (folder / target).exists(), f"broken link to {target} in {folder}"
