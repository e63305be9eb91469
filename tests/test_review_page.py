"""The service review's HTML page: self-contained, well-formed, and loaded in a real browser.

The page is drawn from a small stand-in review (:class:`FakeReview`) whose
sections are real itilkit reports of the bundled founding-story data:
availability of the March 2026 outages against the Seoul SLA, compliance of
the ServiceNow sample, and the recurring overload of the March load
samples. ``ServiceReview`` satisfies the same :class:`ReviewView`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pendulum
import pytest

import itilkit
from itilkit import (
    SLA,
    AvailabilityReport,
    BiggestOutage,
    ComplianceReport,
    Outage,
    RecurringOverload,
)
from itilkit._capacity import load_grid
from itilkit._demo import _data, _sample_log, last_instant
from itilkit._ratio import format_percent, percent_text
from itilkit._review_page import period_label, review_page
from tests.browser import console_errors, dom_text, find_chromium, png_size, render

MARCH = (
    pendulum.datetime(2026, 3, 1, tz="Asia/Seoul"),
    pendulum.datetime(2026, 4, 1, tz="Asia/Seoul"),
)
SEOUL = "Asia/Seoul"


@dataclass(frozen=True)
class Action:
    kind: str
    title: str
    evidence: tuple[str, ...]
    severity: str


@dataclass(frozen=True)
class TrendRow:
    label: str
    availability: Fraction | None
    compliance: Fraction | None


def alone(outage: Outage, report: AvailabilityReport) -> Fraction:
    """The downtime one outage counts in March's agreed hours, on its own."""
    return itilkit.measure_availability(
        [outage], window=report.window, start=MARCH[0], end=MARCH[1]
    ).downtime_us


@dataclass(frozen=True)
class FakeReview:
    """The attributes :func:`review_page` reads (``ReviewView``), and nothing else."""

    service: str
    start: datetime
    end: datetime
    summary_sentences: tuple[str, ...]
    availability: AvailabilityReport | None
    compliance: ComplianceReport | None
    load: list[list[Fraction | None]]
    overloads: tuple[RecurringOverload, ...]
    overload_threshold: Fraction
    changes: tuple[object, ...] = ()
    problems: tuple[object, ...] = ()
    actions: tuple[Action, ...] = ()
    trend: tuple[TrendRow, ...] = field(default=())
    biggest_outages: tuple[BiggestOutage, ...] = ()


def _text(name: str) -> str:
    return resources.files("itilkit").joinpath("data", name).read_text("utf-8")


def availability() -> AvailabilityReport:
    sla = SLA.from_dict(tomllib.loads(_text("founding_sla.toml")))
    outages = [
        Outage(
            row["start"],
            row["end"],
            planned=row["planned"] == "True",
            impact=row["impact"],
            id=row["id"],
        )
        for row in _data("demo_outages_2026-03.csv")
    ]
    return sla.availability_report(outages, start=MARCH[0], end=MARCH[1])


def compliance() -> ComplianceReport:
    sla = SLA.from_dict(tomllib.loads(_text("demo_sla.toml")))
    log = _sample_log()
    return sla.compliance(log.incidents, as_of=last_instant(log.incidents))


def samples() -> list[tuple[str, Fraction]]:
    return [(row["at"], Fraction(row["load"])) for row in _data("demo_load_2026-03.csv")]


def sentences(avail: AvailabilityReport, overload: RecurringOverload) -> tuple[str, ...]:
    """The founding dialogue's answers, made from the computed figures."""
    assert avail.ratio is not None and avail.target is not None
    hours = overload.end.hour - overload.start.hour
    return (
        "Is IT doing well? Availability met the target; response times did not.",
        "During weekday business hours (09:00-18:00) we achieved "
        f"{format_percent(avail.ratio, 0)} availability against an SLA of "
        f"{percent_text(avail.target)}.",
        f"For {hours} hours after {overload.start:%H:%M} on weekdays the servers run at "
        f"{format_percent(overload.peak, 1)} load, so we must add capacity.",
    )


def make_review() -> FakeReview:
    """The founding story's March 2026 as a review (the other periods of the trend invented)."""
    avail, comp, load = availability(), compliance(), samples()
    overloads = itilkit.recurring_overloads(
        load, threshold="90%", tz=SEOUL, end="2026-04-01T00:00+09:00"
    )
    assert overloads, "the bundled load data has its recurring overload"
    return FakeReview(
        service="Seoul business service",
        start=MARCH[0],
        end=MARCH[1],
        summary_sentences=sentences(avail, overloads[0]),
        availability=avail,
        compliance=comp,
        load=load_grid(load, tz=SEOUL, end="2026-04-01T00:00+09:00"),
        overloads=tuple(overloads),
        overload_threshold=Fraction(9, 10),
        changes=("CHG-2026-118: add nodes to app-cluster (Sat 22:00-04:00), successful",),
        problems=("app-cluster: 4 incidents in 14 days (INC1, INC2, INC3, INC4)",),
        actions=(
            Action(
                "capacity",
                "Add capacity to app-cluster for weekday evenings",
                (str(overloads[0]),),
                "high",
            ),
            Action(
                "compliance",
                "Answer P3 incidents within 2 h",
                ("response met 14 of 32 clocks (43.8%)",),
                "medium",
            ),
        ),
        trend=(
            TrendRow("January 2026", Fraction(995, 1000), Fraction(3, 5)),
            TrendRow("February 2026", Fraction(96, 100), Fraction(1, 2)),
            TrendRow("March 2026", avail.ratio, comp.rate),
        ),
        # Each unplanned outage measured alone in March's agreed hours, biggest first.
        biggest_outages=tuple(
            sorted(
                (
                    BiggestOutage(o, alone(o, avail))
                    for o in avail.outages
                    if not o.planned and alone(o, avail) > 0
                ),
                key=lambda b: -b.downtime_us,
            )
        ),
    )


@pytest.fixture(scope="module")
def review() -> FakeReview:
    return make_review()


@pytest.fixture(scope="module")
def page(review: FakeReview) -> str:
    return review_page(review)


def key_sentences(review: FakeReview) -> list[str]:
    """What a reader must find on the page, as the browser shows it."""
    return [
        *review.summary_sentences,
        "Service review: Seoul business service",
        "March 2026",
        "Target met",
        "Availability against the target",
        "SLA compliance",
        "Biggest outages",
        "Worst breaches",
        "Recurring overloads above 90%",
        "Mon-Fri 18:00-22:00",
        "Add capacity to app-cluster for weekday evenings",
    ]


class _Checker(HTMLParser):
    """Well-formedness, roughly: every non-void element closed, in order."""

    VOID = frozenset(
        [
            *("area", "base", "br", "col", "embed", "hr", "img", "input"),
            *("link", "meta", "source", "track", "wbr"),
            *("path", "line", "rect"),  # SVG elements written self-closing
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def check(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


class TestThePage:
    def test_a_complete_html5_document(self, page: str) -> None:
        """Doctype, charset, a title naming the service and period, one inline style."""
        assert page.startswith("<!doctype html>")
        assert '<meta charset="utf-8">' in page
        assert "<title>Service review: Seoul business service, March 2026</title>" in page
        assert page.count("<style>") == 1

    def test_well_formed(self, page: str) -> None:
        """Every element is closed, in order."""
        checker = check(page)
        assert checker.errors == []
        assert checker.stack == []

    def test_self_contained(self, page: str) -> None:
        """No script, no external resource: nothing to fetch, nothing to run."""
        lowered = page.lower()
        assert "<script" not in lowered
        for needle in ("http", "//", "url(", "@import"):
            assert needle not in lowered, needle
        checker = check(page)
        assert not {"script", "link", "img", "iframe", "object", "embed"} & set(checker.tags)
        assert not [name for name, _ in checker.attrs if name in {"src", "href"}]
        assert not [name for name, _ in checker.attrs if name.startswith("on")]

    def test_key_sentences(self, page: str, review: FakeReview) -> None:
        """The founding dialogue and every section's heading are on the page."""
        text = dom_text(page)
        for sentence in key_sentences(review):
            assert sentence in text, sentence
        assert "we achieved 99% availability against an SLA of 97%" in text
        assert "servers run at 99.5% load" in text

    def test_sections_and_charts(self, page: str) -> None:
        """Each section is there, with its charts inline."""
        for key in ("summary", "availability", "compliance", "capacity", "changes"):
            assert f'<section id="{key}"' in page
        for key in ("problems", "actions", "trend"):
            assert f'<section id="{key}"' in page
        assert page.count("<svg") == 4  # availability, compliance, load, trend
        assert page.count('class="cell marked"') == 5 * 4  # Mon-Fri 18:00-22:00
        assert page.count('class="target"') == 1

    def test_print_rules(self, page: str) -> None:
        """A4, colours kept, sections on their own pages, figures not split."""
        assert "@media print" in page
        assert "size: A4" in page
        assert "print-color-adjust: exact" in page
        assert "break-before: page" in page
        assert "break-inside: avoid" in page

    def test_figures_right_aligned(self, page: str) -> None:
        """Figure columns of the tables are right-aligned."""
        assert "td.num { text-align: right" in page.replace("th.num, ", "")
        assert '<td class="num">3m 24s</td>' in page  # OUT-3's share of agreed hours
        assert re.search(r'<td class="num">\d+(\.\d+)?% \(\d+/\d+\)</td>', page)

    def test_exact_figures_no_floats(self, page: str) -> None:
        """Figures are written by the ratio kernel, never as float reprs."""
        text = dom_text(page)
        assert not re.search(r"\d\.\d{5,}", text)
        assert "MTRS" in text and "MTBF" in text and "MTBSI" in text

    def test_hostile_text_is_escaped(self, review: FakeReview) -> None:
        """A service or finding with markup is shown as text, not run."""
        hostile = '<script>alert("x")</script>'
        fake = FakeReview(
            **{
                **review.__dict__,
                "service": hostile,
                "changes": (hostile,),
                "summary_sentences": (hostile,),
            }
        )
        page = review_page(fake)
        assert "<script" not in page.lower()
        assert hostile in dom_text(page)

    def test_empty_review(self) -> None:
        """A review with nothing measured still makes a whole page, saying so."""
        empty = FakeReview(
            service="Idle",
            start=pendulum.datetime(2026, 1, 1),
            end=pendulum.datetime(2026, 4, 1),
            summary_sentences=(),
            availability=None,
            compliance=None,
            load=[],
            overloads=(),
            overload_threshold=Fraction(9, 10),
        )
        page = review_page(empty)
        text = dom_text(page)
        assert "2026-Q1 (January to March 2026)" in text
        assert "No availability was measured." in text
        assert "No load samples were given." in text
        assert "No action is needed." in text
        assert check(page).errors == []

    def test_trend_without_decided_clocks(self, review: FakeReview) -> None:
        """No compliance figure in any period: the trend is a table, with no empty chart."""
        rows = tuple(TrendRow(r.label, r.availability, None) for r in review.trend)
        page = review_page(FakeReview(**{**review.__dict__, "trend": rows}))
        assert "SLA compliance by period" not in page
        assert "No SLA clock was decided in these periods." in dom_text(page)
        assert page.count("<svg") == 3


class TestTheServiceReview:
    """``ServiceReview.to_html()`` renders through this page (when the review exists)."""

    def test_the_real_review_renders(self) -> None:
        review_module = pytest.importorskip("itilkit._review")
        sla = SLA.from_dict(tomllib.loads(_text("founding_sla.toml")))
        outages = availability().outages
        review = review_module.ServiceReview.build(
            "Seoul business service", period="2026-03", sla=sla, outages=outages, samples=samples()
        )
        page = review.to_html()
        assert page == review_page(review)
        assert "<script" not in page.lower() and "http" not in page and "url(" not in page
        assert check(page).errors == []
        text = dom_text(page)
        for sentence in review.summary_sentences:
            assert sentence in text, sentence
        assert page.count('class="cell marked"') == 5 * 4  # Mon-Fri 18:00-22:00


class TestPeriodLabel:
    @pytest.mark.parametrize(
        ("start", "end", "label"),
        [
            ("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00", "March 2026"),
            ("2026-12-01T00:00+09:00", "2027-01-01T00:00+09:00", "December 2026"),
            ("2026-10-01T00:00Z", "2027-01-01T00:00Z", "2026-Q4 (October to December 2026)"),
            ("2026-02-01T00:00Z", "2026-05-01T00:00Z", "2026-02-01 to 2026-04-30"),
            ("2026-03-02T09:00Z", "2026-03-02T18:00Z", "2026-03-02 to 2026-03-02"),
        ],
    )
    def test_labels(self, start: str, end: str, label: str) -> None:
        assert period_label(pendulum.parse(start), pendulum.parse(end)) == label  # type: ignore[arg-type]


class TestTheBrowserChecker:
    """The console check can fail: a page that throws is caught."""

    def test_a_throwing_page_is_reported(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.html"
        bad.write_text(
            "<!doctype html><title>bad</title><p>x</p>"
            "<script>console.error('boom'); undefinedFunction();</script>",
            encoding="utf-8",
        )
        rendered = render(bad, tmp_path, window_size=(400, 300))
        assert any("undefinedFunction" in line for line in rendered.console_errors)
        assert any("boom" in line for line in rendered.console_errors)

    def test_system_noise_is_not_a_page_error(self) -> None:
        log = (
            "[1:2:1202/1.0:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n"
            "[1:2:1202/1.0:WARNING:sandbox/policy/linux/sandbox_linux.cc:405] threads\n"
            '[1:2:1202/1.0:INFO:CONSOLE(3)] "Uncaught TypeError", source: file:///p.html (3)\n'
        )
        assert console_errors(log, "file:///p.html") == (
            '[1:2:1202/1.0:INFO:CONSOLE(3)] "Uncaught TypeError", source: file:///p.html (3)',
        )


class TestInTheBrowser:
    """The page in Debian's chromium: loads cleanly, reads right, and is photographed."""

    def test_loads_reads_and_screenshots(
        self, page: str, review: FakeReview, tmp_path: Path
    ) -> None:
        path = tmp_path / "review.html"
        path.write_text(page, encoding="utf-8")
        rendered = render(path, tmp_path, window_size=(1280, 2000))
        assert rendered.console_errors == ()
        text = rendered.text
        for sentence in key_sentences(review):
            assert sentence in text, sentence
        assert "<script" not in rendered.dom.lower()
        assert rendered.dom.count("<svg") == 4
        assert rendered.screenshot.parent == tmp_path
        assert rendered.screenshot.stat().st_size > 20_000
        assert png_size(rendered.screenshot) == (1280, 2000)


def test_the_browser_is_found_where_debian_puts_it() -> None:
    """When chromium is installed, the helper finds it (the CI image installs it)."""
    found = find_chromium()
    if found is None:
        pytest.skip("Debian's chromium is not installed (apt install chromium)")
    assert Path(found).name == "chromium"


class TestReviewFindings:
    """What an independent review found in the page and the verdict; values by hand."""

    def sla(self) -> SLA:
        return SLA(
            "S",
            window=itilkit.ServiceWindow.always(tz="UTC"),
            targets=[itilkit.Target("resolution", "PT8H")],
            availability="90%",
        )

    def test_biggest_outages_are_the_periods_own(self) -> None:
        """March 2026 on 24x7: FEB-ONLY lies outside; STRADDLE (28 Feb 20:00 - 1 Mar
        02:00) counts its 2 h inside March; MAR counts 1 h."""
        outages = [
            Outage("2026-02-28T20:00Z", "2026-03-01T02:00Z", id="STRADDLE"),
            Outage("2026-02-10T00:00Z", "2026-02-10T10:00Z", id="FEB-ONLY"),
            Outage("2026-03-10T00:00Z", "2026-03-10T01:00Z", id="MAR"),
        ]
        review = itilkit.ServiceReview.build(
            "shop", period="2026-03", sla=self.sla(), outages=outages, previous=1
        )
        page = review.to_html()
        assert "FEB-ONLY" not in page
        table = page[page.index("Biggest outages") :]
        assert table.index("STRADDLE") < table.index("MAR")
        assert "2h 00m" in table and "1h 00m" in table

    def test_capacity_advice_says_how_long(self) -> None:
        """Load at 99% on weekdays 18:30-22:00 (every 10 minutes, else 50%): 3h 30m."""
        samples = []
        for day in range(2, 28):
            if datetime(2026, 3, day).weekday() >= 5:
                continue
            for minute in range(0, 24 * 60, 10):
                high = 18 * 60 + 30 <= minute < 22 * 60
                at = f"2026-03-{day:02d}T{minute // 60:02d}:{minute % 60:02d}Z"
                samples.append((at, Fraction(99, 100) if high else Fraction(1, 2)))
        review = itilkit.ServiceReview.build(
            "shop", period="2026-03", sla=self.sla(), samples=samples, previous=0
        )
        assert [p.spec for p in review.overloads] == ["Mon-Fri 18:30-22:00"]
        assert "For 3h 30m from 18:30" in review.to_html()

    def test_a_credit_and_a_budget_are_not_more_missed_targets(self) -> None:
        """Weekdays 09-17 UTC (22 x 8 = 176 h in March), 4 h down: 172/176 = 97.727%
        against 99%: one target missed; the credit owed and the budget follow from it."""
        window = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")
        sla = SLA("S", window=window, targets=[itilkit.Target("resolution", "PT8H")],
                  availability="99%")  # fmt: skip
        review = itilkit.ServiceReview.build(
            "shop",
            period="2026-03",
            sla=sla,
            outages=[Outage("2026-03-10T09:00Z", "2026-03-10T13:00Z")],
            credit_schedule=itilkit.CreditSchedule.of({"99%": "10%"}),
            previous=0,
        )
        assert review.availability.ratio == Fraction(172, 176)
        assert review.summary_sentences[0].startswith("Is IT doing well? Not entirely: 1 target")

    def test_nothing_measured_is_not_every_target_met(self) -> None:
        window = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")
        sla = SLA("S", window=window, targets=[itilkit.Target("resolution", "PT8H")],
                  availability="99%")  # fmt: skip
        review = itilkit.ServiceReview.build(
            "shop", period=("2026-03-07T00:00Z", "2026-03-09T00:00Z"), sla=sla, previous=0
        )
        assert review.summary_sentences[0].startswith("Is IT doing well? Nothing was measured")

    def test_a_recovery_objective_of_another_service_is_refused(self) -> None:
        with pytest.raises(itilkit.InvalidValueError, match="objectives for the service reviewed"):
            itilkit.ServiceReview.build(
                "shop",
                period="2026-03",
                sla=self.sla(),
                recovery=itilkit.RecoveryObjective("db", rto="PT1H", rpo="PT1H"),
            )
