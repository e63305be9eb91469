"""SLA configuration documents: dict, TOML and JSON, exact round trips, every problem reported."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    OLA,
    SLA,
    Condition,
    ConfigError,
    InvalidValueError,
    Priority,
    ServiceWindow,
    State,
    Target,
    UnderpinningContract,
)
from itilkit._ratio import parse_ratio, percent_text

#: The document DESIGN.md shows, completed with targets.
GOLD: dict[str, Any] = {
    "name": "Gold",
    "window": {"hours": "Mon-Fri 08:00-17:00", "tz": "Europe/Berlin", "holidays": "DE"},
    "targets": [
        {"metric": "response", "priority": "P1", "within": "PT1H"},
        {"metric": "resolution", "priority": "P1", "within": "PT4H"},
        {"metric": "response", "within": "PT4H"},
        {"metric": "resolution", "within": "P2D"},
    ],
    "pause_on": ["on_hold"],
    "warn_at": ["50%", "75%"],
    "availability": "99.5%",
}

GOLD_TOML = """\
name = "Gold"
pause_on = ["on_hold"]
warn_at = ["50%", "75%"]
availability = "99.5%"

[window]
hours = "Mon-Fri 08:00-17:00"
tz = "Europe/Berlin"
holidays = "DE"

[[targets]]
metric = "response"
priority = "P1"
within = "PT1H"

[[targets]]
metric = "resolution"
priority = "P1"
within = "PT4H"

[[targets]]
metric = "response"
within = "PT4H"

[[targets]]
metric = "resolution"
within = "P2D"
"""


def expected_gold() -> SLA:
    return SLA(
        "Gold",
        window=ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE"),
        targets=[
            Target("response", timedelta(hours=1), priority=Priority.P1),
            Target("resolution", timedelta(hours=4), priority=Priority.P1),
            Target("response", timedelta(hours=4)),
            Target("resolution", timedelta(days=2)),
        ],
        pause_on=frozenset({State.ON_HOLD}),
        warn_at=(Fraction(1, 2), Fraction(3, 4)),
        availability=Fraction(199, 200),
    )


class TestFromDict:
    def test_design_document(self) -> None:
        """The DESIGN.md document builds the agreement it describes, field by field."""
        assert SLA.from_dict(GOLD) == expected_gold()

    def test_round_trip_exact(self) -> None:
        """Writing gives back the very document that was read."""
        assert SLA.from_dict(GOLD).to_dict() == GOLD
        assert SLA.from_dict(expected_gold().to_dict()) == expected_gold()

    def test_optional_keys(self) -> None:
        """Only name, window and targets are required; defaults fill the rest."""
        sla = SLA.from_dict(
            {
                "name": "S",
                "window": {"tz": "UTC"},
                "targets": [{"metric": "response", "within": "PT1H"}],
            }
        )
        assert sla.window == ServiceWindow.always(tz="UTC")
        assert (sla.pause_on, sla.warn_at, sla.availability) == (
            frozenset({State.ON_HOLD}),
            (Fraction(1, 2), Fraction(3, 4)),
            None,
        )

    @pytest.mark.parametrize(
        ("window", "expected"),
        [
            ({"hours": "24x7", "tz": "Asia/Seoul"}, ServiceWindow.always(tz="Asia/Seoul")),
            ({"tz": "Asia/Seoul"}, ServiceWindow.always(tz="Asia/Seoul")),
            (
                {"hours": "Mon-Fri 09:00-18:00", "tz": "Asia/Seoul", "holidays": "KR"},
                ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR"),
            ),
            (
                {"hours": "Mon-Fri 09:00-18:00", "tz": "UTC", "holidays": ["2026-12-25"]},
                ServiceWindow.weekly(
                    "Mon-Fri 09:00-18:00", tz="UTC", holidays=[date(2026, 12, 25)]
                ),
            ),
            (
                {
                    "hours": "Mon-Fri 09:00-18:00",
                    "tz": "UTC",
                    "overrides": {"2026-12-24": "09:00-12:00"},
                },
                ServiceWindow.weekly(
                    "Mon-Fri 09:00-18:00", tz="UTC", overrides={"2026-12-24": "09:00-12:00"}
                ),
            ),
            (
                {"hours": "24x7", "tz": "UTC", "holidays": ["2026-12-25"]},
                ServiceWindow.weekly(
                    "Mon-Sun 00:00-24:00", tz="UTC", holidays=[date(2026, 12, 25)]
                ),
            ),
        ],
    )
    def test_windows(self, window: dict[str, Any], expected: ServiceWindow) -> None:
        """The window table builds weekly hours, or 24x7 when hours are '24x7' or absent."""
        assert ServiceWindow.from_dict(window) == expected

    def test_extras_round_trip(self) -> None:
        """on_priority_change and applies_to are written only when set, and read back."""
        doc = {
            **GOLD,
            "on_priority_change": "restart",
            "applies_to": {
                "priority": ["P1", "P2"],
                "service": ["Email"],
                "category": ["Network"],
            },
        }
        sla = SLA.from_dict(doc)
        assert sla.on_priority_change == "restart"
        assert sla.applies_to == Condition(
            priority=["P1", "P2"], service="Email", category="Network"
        )
        assert sla.to_dict() == doc
        assert "on_priority_change" not in SLA.from_dict(GOLD).to_dict()

    def test_single_string_in_applies_to(self) -> None:
        """A condition field may be one string instead of a list."""
        sla = SLA.from_dict({**GOLD, "applies_to": {"service": "Email"}})
        assert sla.applies_to == Condition(service="Email")

    def test_exact_fraction_ratios(self) -> None:
        """A ratio no decimal holds is written and read as an exact fraction."""
        sla = SLA.from_dict({**GOLD, "warn_at": ["1/3", "2/3"]})
        assert sla.warn_at == (Fraction(1, 3), Fraction(2, 3))
        assert sla.to_dict()["warn_at"] == ["1/3", "2/3"]

    def test_overrides_round_trip(self) -> None:
        """Per-date overrides are written back as the ranges of each date (or 'closed')."""
        window = {
            "hours": "Mon-Fri 09:00-17:00",
            "tz": "UTC",
            "overrides": {"2026-12-24": "09:00-12:00", "2026-12-31": "closed"},
        }
        assert SLA.from_dict({**GOLD, "window": window}).to_dict()["window"] == window

    def test_kinds(self) -> None:
        """OLA and UnderpinningContract read the same schema into their own type."""
        assert type(OLA.from_dict(GOLD)) is OLA
        assert type(UnderpinningContract.from_dict(GOLD)) is UnderpinningContract


class TestProblems:
    def test_every_problem_with_its_path(self) -> None:
        """One ConfigError lists every problem of the document, each at its path."""
        doc = {
            "name": "",
            "window": {"hours": "Mon-Fry 08:00-17:00", "tz": "Mars/Olympus", "when": 1},
            "targets": [
                {"metric": "response", "priority": "P1", "within": "PT1H"},
                "fast",
                {"metric": "response", "priority": "P1", "within": "PT2H"},
                {"metric": "restore", "within": "soon", "priority": "P7", "note": "x"},
                {"within": 5},
            ],
            "pause_on": ["on_hold", "asleep"],
            "warn_at": ["50%", 75, "0%"],
            "availability": "120%",
            "on_priority_change": "reset",
            "applies_to": {"priority": ["P0"], "service": [3], "team": "a"},
            "colour": "gold",
        }
        with pytest.raises(ConfigError) as info:
            SLA.from_dict(doc)
        paths = [path for path, _ in info.value.problems]
        assert paths == [
            "$.colour",
            "$.name",
            "$.window.when",
            "$.window.tz",
            "$.window.hours",
            "$.targets[1]",
            "$.targets[2]",
            "$.targets[3].note",
            "$.targets[3].metric",
            "$.targets[3].within",
            "$.targets[3].priority",
            "$.targets[4].metric",
            "$.targets[4].within",
            "$.pause_on[1]",
            "$.warn_at[1]",
            "$.warn_at[2]",
            "$.availability",
            "$.on_priority_change",
            "$.applies_to.team",
            "$.applies_to.priority[0]",
            "$.applies_to.service[0]",
        ]
        messages = dict(info.value.problems)
        assert messages["$.targets[3].within"].startswith("must be an ISO 8601 duration")
        assert messages["$.targets[3].within"].endswith("(got 'soon')")
        assert messages["$.targets[2]"] == (
            "must be the only response target for P1 (got a second one; the first is $.targets[0])"
        )
        assert messages["$.targets[4].metric"] == "is required"
        assert messages["$.window.tz"].endswith("(got 'Mars/Olympus')")
        assert messages["$.availability"] == "must be a percentage from 0% to 100% (got '120%')"
        assert isinstance(info.value, ValueError)
        assert str(info.value).startswith("21 problems in the configuration:\n  $.colour: ")

    @pytest.mark.parametrize(
        ("doc", "problems"),
        [
            ("Gold", [("$", "must be a table (mapping) (got 'Gold')")]),
            (
                {},
                [
                    ("$.name", "is required"),
                    ("$.window", "is required"),
                    ("$.targets", "is required"),
                ],
            ),
            (
                {**GOLD, "targets": []},
                [("$.targets", "must hold at least one target (got [])")],
            ),
            ({**GOLD, "targets": "PT1H"}, [("$.targets", "must be an array (got 'PT1H')")]),
            (
                {**GOLD, "window": "Mon-Fri"},
                [("$.window", "must be a table (mapping) (got 'Mon-Fri')")],
            ),
            ({**GOLD, "window": {"hours": "24x7"}}, [("$.window.tz", "is required")]),
            (
                {
                    **GOLD,
                    "window": {"hours": "Mon-Fri 09:00-17:00", "tz": "UTC", "holidays": "XX"},
                },
                [
                    (
                        "$.window.holidays",
                        "must be a country code such as 'KR' or 'US-CA', a HolidayBase or dates (got 'XX')",
                    )
                ],
            ),
            (
                {**GOLD, "window": {"tz": "UTC", "overrides": {"2026-02-30": "closed"}}},
                [
                    (
                        "$.window.overrides.2026-02-30",
                        "must be a date or an ISO date string such as '2026-12-24' (got '2026-02-30')",
                    )
                ],
            ),
            (
                {**GOLD, "pause_on": "on_hold"},
                [("$.pause_on", "must be an array (got 'on_hold')")],
            ),
            (
                {**GOLD, "pause_on": ["new"]},
                [("$.pause_on[0]", "must be a state other than NEW and IN_PROGRESS (got 'new')")],
            ),
            ({**GOLD, "warn_at": "50%"}, [("$.warn_at", "must be an array (got '50%')")]),
            (
                {**GOLD, "warn_at": ["1/0"]},
                [
                    (
                        "$.warn_at[0]",
                        "must be a ratio from 0 to 1 (such as '0.97' or 0.97)"
                        " or a percentage with '%' ('97%') (got '1/0')",
                    )
                ],
            ),
            (
                {**GOLD, "warn_at": ["3/2"]},
                [("$.warn_at[0]", "must be a ratio from 0 to 1 (got '3/2')")],
            ),
            (
                {**GOLD, "warn_at": [75]},
                [
                    (
                        "$.warn_at[0]",
                        "must be a ratio from 0 to 1 or a percentage with '%'"
                        " (did you mean '75%'?) (got 75)",
                    )
                ],
            ),
            (
                {**GOLD, "targets": [{"metric": "response", "within": 3600}]},
                [
                    (
                        "$.targets[0].within",
                        "must be an ISO 8601 duration such as 'PT4H' or '3 business days'"
                        " (got 3600)",
                    )
                ],
            ),
            (
                {**GOLD, "targets": [{"metric": "response", "within": "PT0S"}]},
                [("$.targets[0].within", "must be a positive duration (got 'PT0S')")],
            ),
            (
                {**GOLD, "targets": [{"metric": "response", "within": "PT1H"}] * 2},
                [
                    (
                        "$.targets[1]",
                        "must be the only response target for every priority"
                        " (got a second one; the first is $.targets[0])",
                    )
                ],
            ),
            (
                {**GOLD, "applies_to": ["P1"]},
                [("$.applies_to", "must be a table (mapping) (got ['P1'])")],
            ),
            (
                {**GOLD, "applies_to": {"service": 3}},
                [("$.applies_to.service", "must be an array (got 3)")],
            ),
        ],
    )
    def test_table(self, doc: object, problems: list[tuple[str, str]]) -> None:
        """Each kind of mistake is reported at its path, in the one message grammar."""
        with pytest.raises(ConfigError) as info:
            SLA.from_dict(doc)  # type: ignore[arg-type]
        assert list(info.value.problems) == problems

    def test_window_alone(self) -> None:
        """Reading a window table alone raises its own ConfigError."""
        with pytest.raises(ConfigError, match=r"\$\.hours: must be"):
            ServiceWindow.from_dict({"hours": "Mon-Fri 25:00-26:00", "tz": "UTC"})


class TestFiles:
    def test_toml(self, tmp_path: Path) -> None:
        """A TOML file in the schema reads as the same agreement as the dict."""
        path = tmp_path / "gold.toml"
        path.write_text(GOLD_TOML, encoding="utf-8")
        assert SLA.from_toml(path) == expected_gold()
        assert SLA.from_file(str(path)) == expected_gold()

    def test_json(self, tmp_path: Path) -> None:
        """A JSON file of to_dict() reads back equal (from_json and from_file)."""
        path = tmp_path / "gold.json"
        path.write_text(json.dumps(expected_gold().to_dict()), encoding="utf-8")
        assert SLA.from_json(path) == expected_gold()
        assert SLA.from_file(path) == expected_gold()

    def test_toml_dates(self, tmp_path: Path) -> None:
        """TOML's own dates work as holidays and override keys."""
        path = tmp_path / "s.toml"
        path.write_text(
            'name = "S"\n[window]\nhours = "Mon-Fri 09:00-17:00"\ntz = "UTC"\n'
            'holidays = [2026-12-25]\n[[targets]]\nmetric = "response"\nwithin = "PT1H"\n',
            encoding="utf-8",
        )
        assert SLA.from_toml(path).to_dict()["window"]["holidays"] == ["2026-12-25"]

    def test_syntax_errors(self, tmp_path: Path) -> None:
        """A file that is not TOML or JSON is a ConfigError at '$'."""
        bad = tmp_path / "bad.toml"
        bad.write_text("name = ", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\$: must be valid TOML"):
            SLA.from_toml(bad)
        bad_json = tmp_path / "bad.json"
        bad_json.write_text("{", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\$: must be valid JSON"):
            SLA.from_file(bad_json)

    @pytest.mark.parametrize(
        ("name", "content", "problem"),
        [
            ("nothing.toml", None, "no such file"),
            ("folder.toml", "DIR", "a folder"),
            ("latin1.toml", b'name = "Caf\xe9"\n', "is not UTF-8"),
            ("twice.json", b'{"name": "A", "name": "B"}', "must name each key once"),
            ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested at most"),
            ("deep.toml", b"a = " + b"[" * 100_000 + b"]" * 100_000, "nested at most"),
            ("bad.toml", b"name = ", "must be valid TOML"),
            ("bad.json", b"{", "must be valid JSON"),
            ("huge.json", b'{"name": ' + b"9" * 5000 + b"}", "must be valid JSON"),
            ("huge.toml", b"name = " + b"9" * 5000, "must be valid TOML"),
        ],
    )
    def test_unreadable_files(
        self, tmp_path: Path, name: str, content: bytes | str | None, problem: str
    ) -> None:
        """Whatever is wrong with the file, one ConfigError names it, never OSError or recursion."""
        path = tmp_path / name
        if content == "DIR":
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        with pytest.raises(ConfigError, match=problem) as info:
            SLA.from_file(path)
        assert isinstance(info.value, ValueError)
        assert info.value.problems[0][0] == "$"


class TestWindowToDict:
    def test_unwritable_windows(self) -> None:
        """Windows with no configuration form are refused by name."""
        spans = ServiceWindow.from_spans([("2026-03-02T09:00Z", "2026-03-02T10:00Z")], tz="UTC")
        with pytest.raises(InvalidValueError, match=r"'window' must be a weekly or 24x7 window"):
            spans.to_dict()
        moved = ServiceWindow.always(tz="UTC").in_zone("Asia/Seoul")
        with pytest.raises(InvalidValueError, match=r"'window' must be a weekly or 24x7 window"):
            moved.to_dict()

    def test_holiday_base_refused(self) -> None:
        """A HolidayBase calendar has no text form to write."""
        import holidays

        window = ServiceWindow.weekly(
            "Mon-Fri 09:00-17:00", tz="UTC", holidays=holidays.country_holidays("FR")
        )
        with pytest.raises(InvalidValueError, match=r"holidays given as a country code or dates"):
            window.to_dict()


class TestRatios:
    @pytest.mark.parametrize(
        ("text", "ratio"),
        [
            ("50%", Fraction(1, 2)),
            ("99.95%", Fraction(1999, 2000)),
            ("0.9995", Fraction(1999, 2000)),
            ("2/3", Fraction(2, 3)),
            ("0/1", Fraction(0)),
        ],
    )
    def test_read(self, text: str, ratio: Fraction) -> None:
        """Percentages and exact fractions are read exactly."""
        assert parse_ratio(text, "warn_at") == ratio

    @pytest.mark.parametrize(
        ("ratio", "text"),
        [
            (Fraction(1, 2), "50%"),
            (Fraction(1999, 2000), "99.95%"),
            (Fraction(1, 3), "1/3"),
            (Fraction(1), "100%"),
        ],
    )
    def test_write(self, ratio: Fraction, text: str) -> None:
        """A ratio is written as a percentage when a finite decimal holds it."""
        assert percent_text(ratio) == text


# -- round trips (Hypothesis) ------------------------------------------------------------


@st.composite
def agreements(draw: st.DrawFn) -> SLA:
    """SLAs with random targets, pauses, warnings, availability and rules."""
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["response", "resolution"]), st.sampled_from([None, *Priority])
            ),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    targets = [
        Target(m, timedelta(seconds=draw(st.integers(1, 30 * 86_400))), priority=p)
        for m, p in keys
    ]
    window = draw(
        st.sampled_from(
            [
                ServiceWindow.always(tz="Asia/Seoul"),
                ServiceWindow.weekly("Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00", tz="UTC"),
                ServiceWindow.weekly("Sun-Thu 22:00-06:00", tz="America/New_York", holidays="US"),
            ]
        )
    )
    ratios = st.fractions(min_value=Fraction(1, 400), max_value=1, max_denominator=400)
    return SLA(
        draw(st.text(min_size=1, max_size=10).filter(str.strip)),
        window=window,
        targets=targets,
        pause_on=draw(st.sets(st.sampled_from([State.ON_HOLD, State.RESOLVED, State.CANCELED]))),
        warn_at=draw(st.lists(ratios, max_size=3)),
        availability=draw(st.none() | ratios),
        on_priority_change=draw(st.sampled_from(["keep", "restart"])),
        applies_to=draw(
            st.none()
            | st.builds(
                Condition,
                priority=st.sets(st.sampled_from(list(Priority))),
                service=st.sets(st.sampled_from(["Email", "ERP"])),
            )
        ),
    )


class TestRoundTrip:
    @settings(max_examples=100, deadline=None)
    @given(sla=agreements())
    def test_dict(self, sla: SLA) -> None:
        """from_dict(to_dict(x)) == x, and the document is stable."""
        doc = sla.to_dict()
        again = SLA.from_dict(doc)
        assert again == sla
        assert again.to_dict() == doc

    @settings(max_examples=50, deadline=None)
    @given(sla=agreements())
    def test_json(self, sla: SLA) -> None:
        """The document survives JSON text unchanged."""
        doc = sla.to_dict()
        assert SLA.from_dict(json.loads(json.dumps(doc))) == sla


class TestFormatsByMethod:
    def test_from_json_and_from_toml_ignore_the_suffix(self, tmp_path: Path) -> None:
        """from_json reads JSON and from_toml TOML whatever the file is called; from_file goes by suffix."""
        doc = {**GOLD}
        json_named_toml = tmp_path / "gold.toml"
        json_named_toml.write_text(json.dumps(doc), encoding="utf-8")
        assert SLA.from_json(json_named_toml) == SLA.from_dict(doc)
        with pytest.raises(ConfigError, match="must be valid TOML"):
            SLA.from_file(json_named_toml)
        with pytest.raises(ConfigError, match="must be valid TOML"):
            SLA.from_toml(json_named_toml)

    def test_oversized_file(self, tmp_path: Path) -> None:
        """A file far larger than any configuration is refused without being read whole."""
        big = tmp_path / "big.toml"
        big.write_bytes(b"#" * (16 * 1024 * 1024 + 10))
        with pytest.raises(ConfigError, match="at most 16777216 bytes"):
            SLA.from_file(big)
