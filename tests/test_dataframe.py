"""itilkit.dataframe: each column equals what the scalar API returns for that row."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from itilkit import SLA, Incident, InvalidValueError, Metric, ServiceWindow, Target
from itilkit.dataframe import business_time, sla_columns

OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
GOLD = SLA(
    "Gold",
    window=OFFICE,
    targets=[
        Target("response", "PT30M", priority="P1"),
        Target("response", "PT4H"),
        Target("resolution", "PT8H", priority="P1"),
        Target("resolution", "P2D", priority="P3"),
    ],
)
AS_OF = "2026-04-20T12:00+02:00"


def tickets(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2026-03-02", tz="Europe/Berlin") + pd.to_timedelta(
        rng.integers(0, 40 * 24 * 60, n), unit="min"
    )
    responded = opened + pd.to_timedelta(rng.integers(0, 3 * 24 * 60, n), unit="min")
    resolved = responded + pd.to_timedelta(rng.integers(0, 10 * 24 * 60, n), unit="min")
    frame = pd.DataFrame(
        {
            "number": [f"INC{i}" for i in range(n)],
            "priority": rng.choice(["P1", "P2", "P3", "P4"], n),
            "opened_at": opened,
            "responded_at": responded,
            "resolved_at": resolved,
        }
    )
    frame.loc[::5, "resolved_at"] = pd.NaT
    frame.loc[::10, "responded_at"] = pd.NaT
    return frame


def scalar_incident(row: pd.Series) -> Incident:
    levels = {
        "P1": ("high", "high"),
        "P2": ("high", "medium"),
        "P3": ("high", "low"),
        "P4": ("medium", "low"),
    }
    impact, urgency = levels[row["priority"]]
    inc = Incident.open(
        row["number"], at=row["opened_at"].to_pydatetime(), impact=impact, urgency=urgency
    )
    if not pd.isna(row["responded_at"]):
        inc = inc.start_work(at=row["responded_at"].to_pydatetime())
    if not pd.isna(row["resolved_at"]):
        if inc.state.name == "NEW":
            inc = inc.start_work(at=row["resolved_at"].to_pydatetime())
        inc = inc.resolve(at=row["resolved_at"].to_pydatetime())
    return inc


class TestSlaColumns:
    def test_columns_equal_scalar_clocks(self) -> None:
        """Every cell equals the SLA clock of an incident built by hand from the row."""
        frame = tickets(60)
        out = sla_columns(frame, GOLD, as_of=AS_OF)
        assert list(out.columns[: len(frame.columns)]) == list(frame.columns)
        for _, row in out.iterrows():
            if not pd.isna(row["resolved_at"]) and pd.isna(row["responded_at"]):
                continue  # resolved without a response row: checked in the next test
            inc = scalar_incident(row)
            for metric in ("response", "resolution"):
                target = GOLD.target_for(metric, inc.priority)
                if target is None:
                    assert row[f"{metric}_stage"] == "no target"
                    assert pd.isna(row[f"{metric}_elapsed"])
                    continue
                clock = GOLD.clock(inc, metric, as_of=AS_OF)
                assert row[f"{metric}_stage"] == clock.stage
                assert row[f"{metric}_elapsed"].to_pytimedelta() == clock.elapsed
                assert row[f"{metric}_remaining"].to_pytimedelta() == clock.remaining
                assert row[f"{metric}_breached"] == clock.breached
                assert row[f"{metric}_percent"] == clock.percent
                assert isinstance(row[f"{metric}_percent"], Fraction)
                if clock.due is None:
                    assert pd.isna(row[f"{metric}_due"])
                else:
                    assert row[f"{metric}_due"].to_pydatetime() == clock.due

    def test_resolved_without_response_answers_at_resolution(self) -> None:
        """A ticket resolved straight from NEW was responded to at its resolution."""
        frame = pd.DataFrame(
            {
                "number": ["INC1"],
                "priority": ["P1"],
                "opened_at": [pd.Timestamp("2026-03-02T09:00", tz="Europe/Berlin")],
                "responded_at": [pd.NaT],
                "resolved_at": [pd.Timestamp("2026-03-02T09:20", tz="Europe/Berlin")],
            }
        )
        out = sla_columns(frame, GOLD, as_of=AS_OF)
        assert out.loc[0, "response_stage"] == "met"
        assert out.loc[0, "response_elapsed"] == pd.Timedelta(minutes=20)
        assert out.loc[0, "response_due"] == pd.Timestamp("2026-03-02T09:30", tz="Europe/Berlin")

    def test_impact_and_urgency_columns(self) -> None:
        frame = pd.DataFrame(
            {
                "id": ["A"],
                "impact": ["1 - High"],
                "urgency": ["1 - High"],
                "opened_at": [pd.Timestamp("2026-03-06T16:45", tz="Europe/Berlin")],
            }
        )
        out = sla_columns(
            frame,
            GOLD,
            as_of="2026-03-09T08:30+01:00",
            id="id",
            responded_at=None,
            resolved_at=None,
            priority=None,
        )
        # P1 response, 30 min: 15 min on Friday, due Monday 08:15, breached from then on.
        assert out.loc[0, "response_due"] == pd.Timestamp("2026-03-09T08:15", tz="Europe/Berlin")
        assert out.loc[0, "response_stage"] == "breached"
        assert out.loc[0, "response_elapsed"] == pd.Timedelta(minutes=45)

    def test_missing_columns_and_times(self) -> None:
        with pytest.raises(
            InvalidValueError, match="'frame' must be a DataFrame with the columns 'number'"
        ):
            sla_columns(pd.DataFrame({"opened_at": []}), GOLD, as_of=AS_OF)
        frame = tickets(2)
        frame.loc[1, "opened_at"] = pd.NaT
        with pytest.raises(InvalidValueError, match=r"'opened_at\[INC1\]' must be an aware"):
            sla_columns(frame, GOLD, as_of=AS_OF)


def test_business_time_column() -> None:
    """The column equals the scalar business_time, NaT where the ticket is open."""
    frame = tickets(40)
    column = business_time(frame, OFFICE)
    for (_, row), value in zip(frame.iterrows(), column, strict=True):
        if pd.isna(row["resolved_at"]):
            assert pd.isna(value)
        else:
            expected = OFFICE.business_time(
                row["opened_at"].to_pydatetime(), row["resolved_at"].to_pydatetime()
            )
            assert value.to_pytimedelta() == expected
    assert isinstance(column.iloc[1], pd.Timedelta)
    with pytest.raises(InvalidValueError, match="'closed_at'"):
        business_time(frame, OFFICE, end="closed_at")
    assert timedelta(0) <= column.dropna().min().to_pytimedelta()


@pytest.mark.parametrize("frame", [None, [], {"opened_at": []}])
def test_not_a_frame(frame: object) -> None:
    """Anything but a DataFrame is refused by name."""
    with pytest.raises(InvalidValueError, match="'frame' must be a pandas DataFrame"):
        business_time(frame, ServiceWindow.always())  # type: ignore[arg-type]


def test_column_names_are_strings() -> None:
    """A column given as something other than a name is refused (not a digit-limit crash)."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"opened_at": [], "resolved_at": []})
    with pytest.raises(InvalidValueError, match="'column' must be a column name"):
        business_time(frame, ServiceWindow.always(), start=10**5000)  # type: ignore[arg-type]


def test_sla_columns_needs_an_id_and_an_opening() -> None:
    """The id and opened_at columns cannot be switched off; the SLA must be an agreement."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"number": [], "opened_at": [], "priority": []})
    sla = SLA("S", window=ServiceWindow.always(), targets=[Target("response", "PT1H")])
    with pytest.raises(InvalidValueError, match="'column' must be a column name"):
        sla_columns(frame, sla, as_of="2026-03-03T00:00Z", opened_at=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="'sla' must be an SLA, OLA or underpinning"):
        sla_columns(frame, "Gold", as_of="2026-03-03T00:00Z")  # type: ignore[arg-type]


def test_iso_strings_from_a_plain_read_csv() -> None:
    """Timestamps left as ISO strings (read_csv without parse_dates) are read, not crashed on."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "number": ["A"],
            "opened_at": ["2026-03-02T09:00Z"],
            "responded_at": ["2026-03-02T09:30Z"],  # 30 minutes: within the 1 h target
            "resolved_at": [None],
            "priority": ["P3"],
        }
    )
    sla = SLA("S", window=ServiceWindow.always(), targets=[Target("response", "PT1H")])
    out = sla_columns(frame, sla, as_of="2026-03-03T00:00Z")
    assert out["response_stage"].tolist() == ["met"]
    assert out["response_elapsed"].tolist() == [pd.Timedelta(minutes=30)]


def test_a_column_named_twice() -> None:
    """A frame naming a used column twice is refused, not read from the wrong one."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[1, 2, 3]], columns=["opened_at", "opened_at", "resolved_at"])
    with pytest.raises(InvalidValueError, match="naming each column it uses once"):
        business_time(frame, ServiceWindow.always())


def awkward_tickets(n: int, seed: int) -> pd.DataFrame:
    """Tickets with what exports hold: responses before the opening, resolutions before the
    response, times after as_of, odd microseconds, missing stamps, every priority."""
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2026-03-20", tz="Europe/Berlin") + pd.to_timedelta(
        rng.integers(0, 30 * 24 * 60, n), unit="min"
    )
    responded = opened + pd.to_timedelta(rng.integers(-120, 3 * 24 * 60, n), unit="min")
    resolved = opened + pd.to_timedelta(rng.integers(-60, 12 * 24 * 60, n), unit="min")
    frame = pd.DataFrame(
        {
            "number": [f"INC{i}" for i in range(n)],
            "priority": rng.choice(["P1", "P2", "P3", "P4", "P5", "1 - Critical"], n),
            "opened_at": opened,
            "responded_at": responded + pd.to_timedelta(rng.integers(0, 999, n), unit="us"),
            "resolved_at": resolved,
        }
    )
    frame.loc[rng.random(n) < 0.2, "responded_at"] = pd.NaT
    frame.loc[rng.random(n) < 0.3, "resolved_at"] = pd.NaT
    return frame.set_index(pd.Index(rng.permutation(n) * 3))  # an index of its own


AGREEMENTS = {
    "office": GOLD,
    "mixed": SLA(
        "Mixed",
        window=OFFICE,
        targets=[
            Target("response", "PT15M", priority="P1", window=ServiceWindow.always(tz="UTC")),
            Target("response", "PT2H"),
            Target("resolution", "PT4H", priority="P1", window=ServiceWindow.always(tz="UTC")),
            Target("resolution", "2 business days", priority="P2"),
            Target("resolution", "PT40H"),
        ],
    ),
    "always": SLA(
        "Always",
        window=ServiceWindow.always(tz="Asia/Tokyo"),
        targets=[Target("response", "PT1H"), Target("resolution", "P1D")],
    ),
}


@pytest.mark.parametrize("name", sorted(AGREEMENTS))
@pytest.mark.parametrize("seed", [1, 2])
def test_engine_path_equals_row_by_row(name: str, seed: int) -> None:
    """The vectorised engine path gives the very frame the row-by-row reference gives."""
    from itilkit.dataframe import _row_by_row

    sla = AGREEMENTS[name]
    frame = awkward_tickets(300, seed)
    as_of = "2026-04-20T12:00+02:00"
    fast = sla_columns(frame, sla, as_of=as_of)
    columns = {
        "id": "number",
        "opened_at": "opened_at",
        "responded_at": "responded_at",
        "resolved_at": "resolved_at",
        "priority": "priority",
        "impact": None,
        "urgency": None,
    }
    chosen = [Metric.RESPONSE, Metric.RESOLUTION]
    slow = _row_by_row(frame, sla, as_of, columns, chosen)
    pd.testing.assert_frame_equal(fast, slow)
    stages = set(fast["response_stage"]) | set(fast["resolution_stage"])
    assert {"met", "breached"} <= stages
    if name == "office":
        assert {"running", "no target"} <= stages


def test_engine_path_on_impact_and_urgency() -> None:
    from itilkit.dataframe import _row_by_row

    frame = awkward_tickets(200, 5).drop(columns="priority")
    rng = np.random.default_rng(5)
    frame["impact"] = rng.choice(["1 - High", "2 - Medium", "3 - Low"], len(frame))
    frame["urgency"] = rng.choice(["high", "medium", "low"], len(frame))
    as_of = "2026-04-20T12:00+02:00"
    fast = sla_columns(frame, GOLD, as_of=as_of, priority=None, metrics=["resolution"])
    columns = {
        "id": "number",
        "opened_at": "opened_at",
        "responded_at": "responded_at",
        "resolved_at": "resolved_at",
        "priority": None,
        "impact": "impact",
        "urgency": "urgency",
    }
    slow = _row_by_row(frame, GOLD, as_of, columns, [Metric.RESOLUTION])
    pd.testing.assert_frame_equal(fast, slow)


def test_what_the_engine_path_leaves_to_the_rows() -> None:
    """Timestamps as ISO strings give the same clocks (through the row-by-row path);
    errors still name the ticket."""
    frame = tickets(30)
    as_text = frame.copy()
    for column in ("opened_at", "responded_at", "resolved_at"):
        as_text[column] = [None if pd.isna(v) else v.isoformat() for v in frame[column]]
    fast = sla_columns(frame, GOLD, as_of=AS_OF)
    rows = sla_columns(as_text, GOLD, as_of=AS_OF)
    for column in fast.columns[len(frame.columns) :]:
        assert fast[column].tolist() == rows[column].tolist(), column
    late = tickets(3)
    late.loc[2, "opened_at"] = pd.Timestamp("2026-05-01", tz="UTC")
    with pytest.raises(InvalidValueError, match="'as_of' must be at or after the opening of INC2"):
        sla_columns(late, GOLD, as_of=AS_OF)


def test_hand_worked_business_hours() -> None:
    """Mon-Fri 08:00-17:00 Berlin. INC1 (P1) opened Fri 6 March 16:30, never answered:
    as of Mon 9 March 09:00, response ran 30 min Friday + 60 min Monday = 1h30 of 30 min,
    due Fri 17:00 (30 min in), breached from Monday 08:00 (the next open instant)."""
    frame = pd.DataFrame(
        {
            "number": ["INC1"],
            "priority": ["P1"],
            "opened_at": [pd.Timestamp("2026-03-06T16:30", tz="Europe/Berlin")],
            "responded_at": pd.Series([pd.NaT], dtype="datetime64[us, Europe/Berlin]"),
            "resolved_at": pd.Series([pd.NaT], dtype="datetime64[us, Europe/Berlin]"),
        }
    )
    out = sla_columns(frame, GOLD, as_of="2026-03-09T09:00+01:00", metrics=["response"])
    row = out.iloc[0]
    assert row["response_stage"] == "breached" and row["response_breached"] is True
    assert row["response_elapsed"] == pd.Timedelta(minutes=90)
    assert row["response_remaining"] == pd.Timedelta(minutes=-60)
    assert row["response_due"] == pd.Timestamp("2026-03-06T17:00", tz="Europe/Berlin")
    assert row["response_breached_at"] == pd.Timestamp("2026-03-09T08:00", tz="Europe/Berlin")
    assert row["response_percent"] == Fraction(300)
