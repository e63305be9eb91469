"""Every example script and the notebook run, from another working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# What each script must print, worked out independently (see each script's docstring
# and the guides): a fragment of its output per script.
EXPECTED = {
    "quick_start.py": [
        "Agreed service time in March 2026: 189 h",
        "due 2026-03-03 12:00:00+09:00",
        "'1 day' as 24 business hours: 2026-03-05 14:00:00+09:00",
        "'1 day' as the next working day: 2026-03-03 17:00:00+09:00",
    ],
    "sla_report_from_csv.py": ["SLA Standard service desk: compliance", "32 incidents"],
    "availability_and_error_budget.py": [
        "availability         99%",
        "Meets 97%: True, margin 2 points",
    ],
    "change_calendar.py": [
        "conflict: FREEZE",
        "conflict: LEAD_TIME",
        "rescheduled to 2027-01-10 02:00:00+01:00",
        "CHG1100: APPROVED",
    ],
}


def test_every_script_is_checked() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_script(name: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for fragment in EXPECTED[name]:
        assert fragment in result.stdout, fragment


def test_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each code cell of the founding-story notebook runs in order, in one namespace."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(os.environ, "MPLBACKEND", "Agg")
    notebook = nbformat.read(EXAMPLES / "founding_story.ipynb", as_version=4)
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code_cells) >= 6
    for cell in code_cells:
        exec(compile(cell.source, "<notebook cell>", "exec"), namespace)
    report = namespace["availability"]
    assert str(report.ratio) == "99/100"  # type: ignore[attr-defined]
    patterns = namespace["patterns"]
    assert [p.spec for p in patterns] == ["Mon-Fri 18:00-22:00"]  # type: ignore[attr-defined]
    # The story ends with the review, and shows at least three figures on the way.
    review = namespace["review"]
    assert review.summary_sentences[0].startswith("Is IT doing well? Yes")  # type: ignore[attr-defined]
    assert "<svg" in review._repr_html_()  # type: ignore[attr-defined]
    sources = "\n".join(cell.source for cell in code_cells)
    assert sources.count("plot") >= 3
