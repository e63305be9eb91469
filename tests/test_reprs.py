"""What Jupyter shows of an incident, an error budget, a change calendar and a decision.

Each ``_repr_html_`` is parsed back with :mod:`html.parser`: only the table
tags of ``itilkit._report.html_table`` may appear, every tag closes in order,
and the text read back is the data put in, hostile strings included. Expected
figures are worked out by hand in the comments.
"""

from __future__ import annotations

from html.parser import HTMLParser
from importlib import resources

import pytest

from itilkit import (
    ApprovalPolicy,
    ChangeCalendar,
    ChangeRequest,
    Decision,
    ErrorBudget,
    Incident,
    ServiceWindow,
)
from itilkit._approval import render_reasons
from itilkit._report import format_duration

HOSTILE = "<script>alert('x')</script> & <img src=x onerror=alert(1)>"
ALLOWED = {"div", "strong", "table", "thead", "tbody", "tr", "th", "td", "p"}

Table = tuple[list[str], list[list[str]], str | None]


class Page(HTMLParser):
    """The tables of a repr, read back; fails on any tag ``html_table`` does not write."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tables: dict[str, Table] = {}
        self.title = ""
        self.text: list[str] = []
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.caption: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        assert attrs == ([("class", "itilkit")] if tag == "div" else []), (tag, attrs)
        self.open.append(tag)
        if tag == "div":
            self.title, self.headers, self.rows, self.caption = "", [], [], None
        elif tag == "tr" and "tbody" in self.open:
            self.rows.append([])
        elif tag in {"th", "td", "strong", "p"}:
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()
        cell = "".join(self.text)
        if tag == "th":
            self.headers.append(cell)
        elif tag == "td":
            self.rows[-1].append(cell)
        elif tag == "strong":
            self.title = cell
        elif tag == "p":
            self.caption = cell
        elif tag == "div":
            assert self.title not in self.tables, f"two tables titled {self.title!r}"
            self.tables[self.title] = (self.headers, self.rows, self.caption)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError("a comment")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError("a declaration")

    def handle_pi(self, data: str) -> None:
        raise AssertionError("a processing instruction")


def parse(markup: str) -> dict[str, Table]:
    """The repr's tables by title; checks the markup is well formed and harmless."""
    assert "<script" not in markup and "<img" not in markup
    assert "javascript:" not in markup.lower()
    page = Page()
    page.feed(markup)
    page.close()
    assert page.open == [], f"unclosed: {page.open}"
    return page.tables


def pairs(table: Table) -> dict[str, str]:
    headers, rows, _ = table
    assert len(headers) == 2 and all(len(row) == 2 for row in rows)
    return {row[0]: row[1] for row in rows}


# ------------------------------------------------------------------ Incident


def worked_incident(id: str = "INC1") -> Incident:
    # Opened 09:00 Seoul time at impact 3 / urgency 3: ITIL's matrix gives P5 (Planning).
    inc = Incident.open(id, at="2026-03-02T09:00+09:00", impact=3, urgency=3)
    inc = inc.set_fields(at="2026-03-02T09:00+09:00", group=HOSTILE, assignee="김민준")
    inc = inc.start_work(at="2026-03-02T09:20+09:00")
    # 09:30: raised to impact 1 / urgency 1, P1 (Critical).
    inc = inc.reprioritize(at="2026-03-02T09:30+09:00", impact=1, urgency=1)
    inc = inc.hold(at="2026-03-02T10:00+09:00", reason="awaiting_vendor")
    inc = inc.resume(at="2026-03-02T11:00+09:00")
    return inc.resolve(at="2026-03-02T12:00+09:00")


def test_incident_shows_where_it_stands() -> None:
    tables = parse(worked_incident()._repr_html_())
    assert pairs(tables["Incident INC1"]) == {
        "state": "RESOLVED",
        "priority": "P1 (Critical)",
        "impact": "1 - High",
        "urgency": "1 - High",
        "opened": "2026-03-02T09:00:00+09:00",
        "resolved": "2026-03-02T12:00:00+09:00",
    }


def test_incident_history_merges_moves_and_reprioritizations_in_time_order() -> None:
    headers, rows, _ = parse(worked_incident()._repr_html_())["History"]
    assert headers == ["at", "event", "detail"]
    assert rows == [
        [
            "2026-03-02T09:00:00+09:00",
            "opened",
            "NEW, P5 (Planning); impact 3 - Low, urgency 3 - Low",
        ],
        ["2026-03-02T09:20:00+09:00", "NEW -> IN_PROGRESS", ""],
        ["2026-03-02T09:30:00+09:00", "priority P5 -> P1", "impact 1 - High, urgency 1 - High"],
        ["2026-03-02T10:00:00+09:00", "IN_PROGRESS -> ON_HOLD", "AWAITING_VENDOR"],
        ["2026-03-02T11:00:00+09:00", "ON_HOLD -> IN_PROGRESS", ""],
        ["2026-03-02T12:00:00+09:00", "IN_PROGRESS -> RESOLVED", ""],
    ]


def test_incident_escapes_its_id_and_carried_fields() -> None:
    inc = worked_incident(id=HOSTILE)
    markup = inc._repr_html_()
    tables = parse(markup)
    assert f"Incident {HOSTILE}" in tables  # read back exactly as put in
    assert pairs(tables["Carried fields"]) == {"assignee": "김민준", "group": HOSTILE}
    assert "&lt;script&gt;" in markup and "&amp;" in markup


def test_incident_on_hold_shows_the_reason_and_no_resolution() -> None:
    inc = Incident.open("INC2", at="2026-03-02T09:00Z", priority="2 - High")
    inc = inc.hold(at="2026-03-02T09:05Z", reason="awaiting_caller")
    tables = parse(inc._repr_html_())
    summary = pairs(tables["Incident INC2"])
    assert summary["state"] == "ON_HOLD (AWAITING_CALLER)"
    assert summary["priority"] == "P2 (High)"
    assert summary["impact"] == summary["urgency"] == "not recorded"
    assert "resolved" not in summary and "Carried fields" not in tables
    assert "Anomalies" not in tables


def test_incident_keeps_the_recorded_order_of_a_clock_that_ran_backwards() -> None:
    events = [
        ("2026-03-02T09:00+00:00", "new"),
        ("2026-03-02T09:30+00:00", "in_progress"),
        ("2026-03-02T09:10+00:00", "resolved"),
    ]
    inc = Incident.replay("INC9", events, impact=2, urgency=2, strict=False)
    tables = parse(inc._repr_html_())
    moves = [row[1] for row in tables["History"][1]]
    assert moves == ["opened", "NEW -> IN_PROGRESS", "IN_PROGRESS -> RESOLVED"]
    headers, rows, _ = tables["Anomalies"]
    assert headers == ["at", "anomaly", "message"]
    assert [row[:2] for row in rows] == [["2026-03-02T09:10:00+00:00", "clock_backwards"]]


# ------------------------------------------------------------------ ErrorBudget


def test_error_budget_figures_by_hand() -> None:
    hours = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
    budget = ErrorBudget(
        "99%", start="2026-03-01T00:00+09:00", end="2026-04-01T00:00+09:00", window=hours
    )
    tables = parse(budget._repr_html_())
    figures = pairs(tables["Error budget"])
    # March 2026 starts on a Sunday: 31 days less 5 Sundays and 4 Saturdays = 22
    # weekdays of 9 hours = 198 hours agreed; 1% of it is 1.98 h = 1h 58m 48s.
    assert figures["objective"] == "99%"
    assert figures["period"] == "2026-03-01T00:00:00+09:00 to 2026-04-01T00:00:00+09:00"
    assert figures["agreed service time"] == "198h 00m"
    assert figures["allowed downtime"] == "1h 58m 48s" == format_duration(budget.allowed)
    assert figures["service window"] == repr(hours)
    assert "allowed downtime  1h 58m 48s" in str(budget)  # the same figure as str()
    caption = tables["Error budget"][2]
    assert caption is not None and "budget.spent(outages)" in caption
    # Thresholds over a 744-hour period: 2% x 744 / 1 = 14.88, 5% x 744 / 6 = 6.2,
    # 10% x 744 / 72 = 1.0333...
    headers, rows, _ = tables["Burn-rate alerts (SRE Workbook)"]
    assert headers[0] == "severity"
    assert [row[:4] for row in rows] == [
        ["page", "2%", "1h 00m", "5m"],
        ["page", "5%", "6h 00m", "30m"],
        ["ticket", "10%", "72h 00m", "6h 00m"],
    ]
    assert rows[0][4] == "14.88x" and rows[1][4] == "6.2x"
    assert rows[2][4].startswith("1.03") and rows[2][4].endswith("x")


def test_error_budget_over_thirty_days_has_the_familiar_thresholds() -> None:
    budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
    tables = parse(budget._repr_html_())
    # 0.1% of 720 hours = 43.2 minutes.
    assert pairs(tables["Error budget"])["allowed downtime"] == "43m 12s"
    thresholds = [row[4] for row in tables["Burn-rate alerts (SRE Workbook)"][1]]
    assert thresholds == ["14.4x", "6x", "1x"]


# ------------------------------------------------------------------ ChangeCalendar


def test_change_calendar_lists_its_rules() -> None:
    freeze = ServiceWindow.from_spans(
        [("2026-12-21T00:00+01:00", "2027-01-04T00:00+01:00")], tz="Europe/Berlin"
    )
    sundays = ServiceWindow.recurring(
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz="Europe/Berlin"
    )
    office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
    calendar = ChangeCalendar(
        freeze=freeze,
        maintenance=sundays,
        lead_time={"normal": "P2D", "emergency": "PT4H"},
        business_window=office,
    )
    markup = calendar._repr_html_()
    assert "&#x27;" in markup  # the windows' quotes are escaped
    tables = parse(markup)
    headers, _, caption = tables["Change calendar"]
    assert headers == ["rule", "value"]
    assert pairs(tables["Change calendar"]) == {
        "freeze": repr(freeze),
        "maintenance": repr(sundays),
        "lead time, STANDARD": "none",
        "lead time, NORMAL": "48h 00m",  # P2D
        "lead time, EMERGENCY": "4h 00m",
        "lead time counted in": repr(office),
    }
    assert caption is not None and "calendar.conflicts(change, others)" in caption


def test_an_empty_change_calendar() -> None:
    figures = pairs(parse(ChangeCalendar()._repr_html_())["Change calendar"])
    assert figures["freeze"] == "none"
    assert figures["maintenance"] == "none: changes may run at any time"
    assert figures["lead time counted in"] == "elapsed time (24x7)"
    assert {figures[f"lead time, {k}"] for k in ("STANDARD", "NORMAL", "EMERGENCY")} == {"none"}


# ------------------------------------------------------------------ Decision


def hostile_decision() -> tuple[Decision, str]:
    cab = ["ann", "<b>bo</b>", "cy"]
    policy = ApprovalPolicy.default(change_managers=["alice"], cab=cab, ecab=["erin"])
    cid = "CHG<script>1</script>"
    cr = ChangeRequest.new(
        cid,
        type="normal",
        risk="high",
        requested_at="2026-03-02T09:00Z",
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
    )
    cr = cr.approve("alice", role="change_manager", at="2026-03-03T09:00Z")
    cr = cr.reject("<b>bo</b>", role="cab", at="2026-03-03T10:00Z", reason=HOSTILE)
    cr = cr.approve("mallory", role="cab", at="2026-03-03T11:00Z")  # not a member
    return policy.decide(cr), cid


def test_decision_shows_outcome_rules_and_reasons() -> None:
    decision, cid = hostile_decision()
    markup = decision._repr_html_()
    tables = parse(markup)
    # A strict majority of 3 is 2; alice meets the change manager rule, the CAB has
    # one rejection, two silent members, so 2 approvals may still come: PENDING.
    title = f"{cid}: PENDING"
    assert pairs(tables[title]) == {
        "change": cid,
        "type": "NORMAL",
        "risk": "HIGH",
        "outcome": "PENDING",
    }
    headers, rows, _ = tables["Rules"]
    assert headers == ["role", "status", "needed", "approved", "rejected", "not voted"]
    assert rows == [
        ["change_manager", "MET", "1 of 1", "alice", "", ""],
        ["cab", "PENDING", "2 of 3", "", f"<b>bo</b>: {HOSTILE}", "ann, cy"],
    ]
    reasons = [row[0] for row in tables["Reasons"][1]]
    assert reasons == list(render_reasons(decision))
    assert reasons[-1].startswith("not counted: mallory's approve as cab")
    assert "&lt;b&gt;bo&lt;/b&gt;" in markup


def test_a_pre_authorised_decision_has_no_rules_table() -> None:
    policy = ApprovalPolicy.default(change_managers=["alice"], cab=["ann"], ecab=["erin"])
    cr = ChangeRequest.new(
        "CHG7",
        type="standard",
        requested_at="2026-03-02T09:00Z",
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
    )
    tables = parse(policy.decide(cr)._repr_html_())
    assert "Rules" not in tables
    assert pairs(tables["CHG7: APPROVED"])["outcome"] == "APPROVED"
    assert [row[0] for row in tables["Reasons"][1]] == [
        "pre-authorised: a STANDARD change of LOW risk needs no approval"
    ]


@pytest.mark.parametrize("make", ["incident", "budget", "calendar", "decision"])
def test_every_repr_is_a_run_of_itilkit_divs(make: str) -> None:
    if make == "incident":
        markup = worked_incident(HOSTILE)._repr_html_()
    elif make == "budget":
        markup = ErrorBudget(
            "99.5%", start="2026-03-01T00:00Z", end="2026-04-01T00:00Z"
        )._repr_html_()
    elif make == "calendar":
        markup = ChangeCalendar(lead_time="PT1H")._repr_html_()
    else:
        markup = hostile_decision()[0]._repr_html_()
    assert markup.startswith('<div class="itilkit">') and markup.endswith("</div>")
    assert parse(markup)


def test_event_log_repr_html_counts_every_row() -> None:
    """The bundled sample: 198 rows, 32 incidents (the data README says so), the first 20
    listed and the other 12 counted; hostile text in a field is escaped."""
    from itilkit.io import read_event_log

    text = resources.files("itilkit").joinpath("data", "servicenow_event_log_sample.csv")
    with text.open(encoding="utf-8") as handle:
        log = read_event_log(handle, tz="America/Sao_Paulo", dayfirst=True)
    page = log._repr_html_()
    assert "<td>198</td>" in page.replace(' class="num"', "") or ">198<" in page
    assert "and 12 more" in page
    assert page.count("<tr>") >= 20
    from itilkit import Incident
    from itilkit.io import EventLog

    inc = Incident.open("INC<b>1", at="2026-03-02T09:00Z", priority="P3")
    hostile = EventLog((inc.set_fields(at="2026-03-02T09:00Z", group="<i>Desk</i>"),), (), 1)
    page = hostile._repr_html_()
    assert "INC&lt;b&gt;1" in page and "group=&lt;i&gt;Desk&lt;/i&gt;" in page
    assert "<b>" not in page and "<i>" not in page
