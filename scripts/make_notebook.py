"""Write examples/founding_story.ipynb (the notebook is generated so that it stays reviewable).

Run from the repository root::

    python scripts/make_notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat

CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        """# The founding story of service level management

*"IT is doing fine."* *"The server died twice last month."* Both sides are
sincere, and they will argue forever, because nobody measures service the
same way. Service level management ends the argument in three steps:
**measure** service levels quantitatively, **evaluate** them against agreed
targets, and **improve** where they fall short.

This notebook tells the story with itilkit, on data bundled with the library.""",
    ),
    (
        "code",
        """import csv
import io
import tomllib
from datetime import timedelta
from fractions import Fraction
from importlib import resources

from itilkit import SLA, Outage, ServiceWindow, demo_review, plot_load, recurring_overloads
from itilkit.io import read_event_log

data = resources.files("itilkit").joinpath("data")""",
    ),
    (
        "markdown",
        """## 1. Agree what "available" means

The service desk in Seoul is agreed to be open on weekdays, 09:00-18:00,
closed on Korean public holidays. That is the *agreed service time*.""",
    ),
    (
        "code",
        """desk = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
agreed = desk.business_time("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00")
print(f"March 2026: {agreed / timedelta(hours=1):g} hours of agreed service time")
desk""",
    ),
    (
        "markdown",
        """## 2. Measure incidents against the SLA

A real ServiceNow audit export (CC BY 4.0, the UCI "Incident management
process enriched event log") is read into incidents and measured against the
service desk's SLA.""",
    ),
    (
        "code",
        """sla = SLA.from_dict(tomllib.loads(data.joinpath("demo_sla.toml").read_text("utf-8")))
with data.joinpath("servicenow_event_log_sample.csv").open(encoding="utf-8") as handle:
    log = read_event_log(handle, tz="America/Sao_Paulo", dayfirst=True)
as_of = max(max([i.opened_at, *(t.at for t in i.history)]) for i in log.incidents)
report = sla.compliance(log.incidents, as_of=as_of)
report""",
    ),
    ("code", """report.rate, report.to_dict()["compliance"]["rate"]"""),
    (
        "markdown",
        """## 3. Availability against the target

The outages of March, as monitoring recorded them. Only downtime inside the
agreed service time counts; planned maintenance counts on neither side.""",
    ),
    (
        "code",
        """founding = SLA.from_dict(tomllib.loads(data.joinpath("founding_sla.toml").read_text("utf-8")))
rows = csv.DictReader(io.StringIO(data.joinpath("demo_outages_2026-03.csv").read_text("utf-8")))
outages = [Outage(r["start"], r["end"], planned=r["planned"] == "True", id=r["id"]) for r in rows]
availability = founding.availability_report(
    outages, start="2026-03-01T00:00+09:00", end="2026-04-01T00:00+09:00"
)
availability""",
    ),
    (
        "code",
        """# The objective comes from the SLA document, not from a literal here.
print(
    f"availability {availability.ratio} = {float(availability.ratio):.2%};",
    f"meets {availability.target}: {availability.meets()}, by {availability.margin()} points",
)""",
    ),
    ("code", """availability.plot()  # plot 1: March against the SLA's 97%"""),
    (
        "markdown",
        """## 4. Capacity: the recurring overload

Load samples every ten minutes. Periods above 95% that come back on the same
weekdays are the ones to plan capacity for.""",
    ),
    (
        "code",
        """rows = csv.DictReader(io.StringIO(data.joinpath("demo_load_2026-03.csv").read_text("utf-8")))
samples = [(r["at"], Fraction(r["load"])) for r in rows]
patterns = recurring_overloads(
    samples, threshold="95%", tz="Asia/Seoul", end="2026-04-01T00:00+09:00"
)
[(p.spec, p.occurrences, float(p.peak)) for p in patterns]""",
    ),
    (
        "code",
        """plot_load(samples, tz="Asia/Seoul", threshold="95%", end="2026-04-01T00:00+09:00")
# plot 2: load by weekday and hour, the overload outlined""",
    ),
    (
        "code",
        """worst = max(report.breaches, key=lambda b: b.late_by)
incident = next(i for i in log.incidents if i.id == worst.incident_id)
sla.clock(incident, worst.metric, as_of=as_of).plot(window=sla.window)
# plot 3: the most overdue clock of the sample, its pauses and the service hours""",
    ),
    (
        "markdown",
        """## 5. The conversation, with numbers both sides agree on

*"During weekday business hours (09:00-18:00) we achieved 99% availability
against an SLA of 97%."* *"For four hours after 18:00 on weekdays the servers
run at 99% load, so we must add capacity."*

## 6. The service review: the same conversation as a document

`ServiceReview` puts every number above in front of the customer: the
summary, availability against the SLA, compliance, capacity, changes and the
actions. In Jupyter it renders as the page `itilkit review --demo --format
html` writes.""",
    ),
    (
        "code",
        """review = demo_review()
print("\\n".join(review.summary_sentences))""",
    ),
    ("code", """review  # the HTML page, inline"""),
]


def main() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell(text)
        if kind == "markdown"
        else nbformat.v4.new_code_cell(text)
        for kind, text in CELLS
    ]
    path = Path(__file__).resolve().parent.parent / "examples" / "founding_story.ipynb"
    nbformat.write(notebook, path)


if __name__ == "__main__":
    main()
