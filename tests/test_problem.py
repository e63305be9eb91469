"""Problem management: find_recurring against hand-worked cases and a brute-force finder,
Problem's time lost and MTTR by hand, and the bundled ServiceNow sample read with csv."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from fractions import Fraction
from importlib import resources
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import ChronologyError, Incident, InvalidValueError, ServiceWindow
from itilkit._problem import Problem, Recurrence, find_recurring, problems_of
from itilkit.io import read_event_log

T0 = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("UTC"))  # a Monday
H = timedelta(hours=1)
D = timedelta(days=1)


def make(
    id: str,
    opened: datetime,
    *,
    lost: timedelta | None = H,
    cancel: bool = False,
    **fields: str,
) -> Incident:
    """An incident opened at ``opened`` with carried ``fields``, resolved ``lost`` later
    (``None``: still open; ``cancel``: canceled an hour later)."""
    inc = Incident.open(id, at=opened, priority="P3")
    if fields:
        inc = inc.set_fields(at=opened, **fields)
    if cancel:
        return inc.cancel(at=opened + H)
    if lost is not None:
        inc = inc.resolve(at=opened + lost)
    return inc


def on_days(days: list[float], ci: str = "db", prefix: str = "INC") -> list[Incident]:
    return [make(f"{prefix}{i}", T0 + d * D, ci=ci) for i, d in enumerate(days)]


# --- find_recurring by hand --------------------------------------------------------------------


def test_bursts_that_share_an_incident_make_one_recurrence() -> None:
    # days 0-2 are a burst, and 2-9 (span 7 days, inclusive) another: they share day 2
    found = find_recurring(on_days([0, 1, 2, 8, 9]), within=7 * D)
    assert [r.ids for r in found] == [("INC0", "INC1", "INC2", "INC3", "INC4")]
    r = found[0]
    assert (r.key, r.by, r.count) == (("db",), ("ci",), 5)
    assert (r.first, r.last) == (T0, T0 + 9 * D)
    assert r.business_time_lost == 5 * H and r.unresolved == ()


def test_separate_bursts_make_separate_recurrences() -> None:
    found = find_recurring(on_days([0, 1, 2, 10, 11, 12]), within=7 * D)
    assert [r.ids for r in found] == [("INC0", "INC1", "INC2"), ("INC3", "INC4", "INC5")]


def test_within_is_inclusive_and_min_count_is_a_floor() -> None:
    exactly = on_days([0, 3, 7])
    assert [r.ids for r in find_recurring(exactly, within="P7D")] == [("INC0", "INC1", "INC2")]
    assert find_recurring(exactly, within=7 * D - timedelta(microseconds=1)) == ()
    assert find_recurring(exactly, within="P7D", min_count=4) == ()
    assert len(find_recurring(exactly, within="P3D", min_count=2)) == 1  # 0-3 and 3-7 share 3


def test_keys_are_final_values_of_every_field_in_by() -> None:
    a = make("A", T0, ci="db", category="Network")
    b = make("B", T0 + H, ci="db", category="Network")
    c = make("C", T0 + 2 * H, ci="db", category="Storage")
    d = make("D", T0 + 3 * H, ci="db")  # no category: no key by (ci, category)
    # E carried "app", then moved to "db": the final value counts
    e = make("E", T0 + 4 * H, ci="app").set_fields(at=T0 + 5 * H, ci="db")
    by_ci = find_recurring([a, b, c, d, e], within="P1D", min_count=5)
    assert [r.ids for r in by_ci] == [("A", "B", "C", "D", "E")]
    pair = find_recurring([a, b, c, d, e], by=("ci", "category"), within="P1D", min_count=2)
    assert [(r.key, r.ids, r.label) for r in pair] == [
        (("db", "Network"), ("A", "B"), "ci=db, category=Network")
    ]


def test_canceled_incidents_never_recur_and_order_is_by_opening_then_id() -> None:
    incs = [
        make("B", T0, ci="db"),
        make("A", T0, ci="db"),
        make("X", T0 + H, ci="db", cancel=True),
        make("C", T0 + 2 * H, ci="db"),
        make("Z", T0 - D, ci="app"),
        make("Y", T0 - D, ci="app"),
    ]
    found = find_recurring(incs, within="P1D", min_count=2)
    assert [r.ids for r in found] == [("Y", "Z"), ("A", "B", "C")]


def test_business_time_between_openings_and_lost() -> None:
    hours = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")
    friday = T0 + 4 * D + 7 * H  # Fri 16:00
    incs = [
        make("F", friday, ci="db", lost=66 * H),  # resolved Mon 10:00: 1 h + 1 h open time
        make("M", friday + 65 * H, ci="db", lost=2 * H),  # Mon 09:00, resolved 11:00: 2 h
        make("N", friday + 67 * H, ci="db", lost=H),  # Mon 11:00: 3 h open time after F
    ]
    assert find_recurring(incs, within="PT3H") == ()  # 67 h elapsed
    found = find_recurring(incs, within="PT3H", window=hours)
    assert [r.ids for r in found] == [("F", "M", "N")]
    assert found[0].business_time_lost == 2 * H + 2 * H + H
    assert find_recurring(incs, within="PT3H", window=hours)[0].window == hours
    assert find_recurring(incs, within=3 * H - timedelta(microseconds=1), window=hours) == ()


def test_unresolved_incidents_count_to_as_of_or_not_at_all() -> None:
    incs = [make("A", T0, ci="db"), make("B", T0 + H, ci="db", lost=None)]
    incs.append(make("C", T0 + 2 * H, ci="db"))
    [r] = find_recurring(incs, within="P1D")
    assert r.business_time_lost == 2 * H and r.unresolved == ("B",)
    assert "not restored, not counted: B" in str(r)
    [r] = find_recurring(incs, within="P1D", as_of=T0 + 5 * H)
    assert r.business_time_lost == 2 * H + 4 * H and r.unresolved == ("B",)
    # as of 10:30, C is not yet open and A was restored at 10:00, B runs 30 minutes
    assert find_recurring(incs, within="P1D", as_of=T0 + 1.5 * H) == ()
    [r] = find_recurring(incs, within="P1D", min_count=2, as_of=T0 + 1.5 * H)
    assert r.ids == ("A", "B") and r.business_time_lost == H + H / 2


def test_a_reopened_incident_is_restored_at_the_resolution_that_held() -> None:
    inc = make("A", T0, ci="db").reopen(at=T0 + 2 * H).resolve(at=T0 + 5 * H)
    incs = [inc, make("B", T0 + H, ci="db")]
    [r] = find_recurring(incs, within="P1D", min_count=2)
    assert r.business_time_lost == 5 * H + H
    [r] = find_recurring(incs, within="P1D", min_count=2, as_of=T0 + 3 * H)
    assert r.unresolved == ("A",) and r.business_time_lost == 3 * H + H


def test_renders_and_to_dict() -> None:
    [r] = find_recurring(on_days([0, 1, 2], ci="<db>"), within="P7D")
    assert isinstance(r, Recurrence)
    text = str(r)
    assert text.splitlines()[0] == (
        "Recurring ci=<db>: 3 incidents opened 2026-03-02 09:00 +00:00 to 2026-03-04 09:00 +00:00"
        " (within 168h 00m), 3h 00m elapsed time lost"
    )
    assert (
        text.splitlines()[-1]
        == "INC2      2026-03-04 09:00 +00:00  2026-03-04 10:00 +00:00  1h 00m"
    )
    assert "&lt;db&gt;" in r._repr_html_() and "<db>" not in r._repr_html_()
    assert json.loads(json.dumps(r.to_dict())) == {
        "by": ["ci"],
        "key": ["<db>"],
        "incidents": ["INC0", "INC1", "INC2"],
        "first": "2026-03-02T09:00:00+00:00",
        "last": "2026-03-04T09:00:00+00:00",
        "within": "P7D",
        "business_time": False,
        "business_time_lost": "PT3H",
        "unresolved": [],
        "as_of": None,
    }


@pytest.mark.parametrize(
    ("kwargs", "field", "value"),
    [
        ({"within": "P1D", "min_count": 1}, "min_count", 1),
        ({"within": "P1D", "min_count": True}, "min_count", True),
        ({"within": "P1D", "min_count": 2.0}, "min_count", 2.0),
        ({"within": "-PT1H"}, "within", "-PT1H"),
        ({"within": "soon"}, "within", "soon"),
        ({"within": "P1D", "by": "colour"}, "by", "colour"),
        ({"within": "P1D", "by": ()}, "by", ()),
        ({"within": "P1D", "by": ("ci", "ci")}, "by", "ci"),
        ({"within": "P1D", "by": 3}, "by", 3),
        ({"within": "P1D", "window": "Mon-Fri 09:00-17:00"}, "window", "Mon-Fri 09:00-17:00"),
        ({"within": "P1D", "as_of": "2026-03-02T09:00"}, "as_of", "2026-03-02T09:00"),
    ],
)
def test_bad_arguments_are_refused_by_name(
    kwargs: dict[str, object], field: str, value: object
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        find_recurring(on_days([0, 1]), **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field and caught.value.value == value


def test_bad_incidents_are_refused_by_name() -> None:
    with pytest.raises(InvalidValueError, match=r"'incidents\[1\]' must be an Incident"):
        find_recurring([make("A", T0), "INC2"], within="P1D")  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="'incidents' must be incidents with distinct ids"):
        find_recurring([make("A", T0), make("A", T0 + H)], within="P1D")
    with pytest.raises(InvalidValueError, match="'incidents' must be an iterable"):
        find_recurring("INC1", within="P1D")  # type: ignore[arg-type]


# --- find_recurring against a brute-force finder -----------------------------------------------


def brute_force(
    incidents: list[Incident], within_us: int, min_count: int, window: ServiceWindow | None
) -> set[tuple[str, ...]]:
    """The recurrences by definition: every run of ``min_count`` or more sorted openings whose
    span is at most ``within`` is a burst; bursts sharing an incident are joined."""
    groups: dict[str, list[Incident]] = {}
    for inc in incidents:
        if inc.state.name != "CANCELED" and "ci" in inc.attributes:
            groups.setdefault(inc.attributes["ci"], []).append(inc)
    out = set()
    for members in groups.values():
        members.sort(key=lambda inc: (inc.opened_at_us, inc.id))
        n = len(members)
        hot: list[set[int]] = []  # joined bursts, as sets of indices
        for a, b in combinations(range(n), 2):
            if b - a + 1 < min_count:
                continue
            lo, hi = members[a].opened_at_us, members[b].opened_at_us
            span = hi - lo if window is None else window.business_time_us(lo, hi)
            if span <= within_us:
                burst = set(range(a, b + 1))
                joined = [h for h in hot if h & burst]
                hot = [h for h in hot if not h & burst] + [burst.union(*joined)]
        out |= {tuple(members[i].id for i in sorted(h)) for h in hot}
    return out


@given(
    events=st.lists(
        st.tuples(st.integers(0, 20 * 24 * 60), st.sampled_from("abc"), st.booleans()),
        max_size=14,
    ),
    within_minutes=st.integers(0, 6 * 24 * 60),
    min_count=st.integers(2, 4),
    business=st.booleans(),
)
def test_find_recurring_matches_the_brute_force_finder(
    events: list[tuple[int, str, bool]], within_minutes: int, min_count: int, business: bool
) -> None:
    incs = [
        make(f"INC{i}", T0 + timedelta(minutes=m), ci=ci, cancel=(i % 5 == 4 and canceled))
        for i, (m, ci, canceled) in enumerate(events)
    ]
    window = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="Europe/Berlin") if business else None
    within_us = within_minutes * 60 * 10**6
    found = find_recurring(
        incs, within=timedelta(microseconds=within_us), min_count=min_count, window=window
    )
    assert {r.ids for r in found} == brute_force(incs, within_us, min_count, window)
    for r in found:
        assert r.count >= min_count and r.business_time_lost >= timedelta(0)
        assert r.first == r.incidents[0].opened_at and r.last == r.incidents[-1].opened_at
    firsts = [(r.incidents[0].opened_at_us, r.key) for r in found]
    assert firsts == sorted(firsts)


# --- Problem by hand ---------------------------------------------------------------------------


def linked(id: str, opened: datetime, lost: timedelta | None, problem: str = "PRB1") -> Incident:
    return make(id, opened, lost=lost, problem=problem)


PRB_INCIDENTS = [
    linked("INC1", T0, 4 * H),  # Mon 09:00-13:00
    linked("INC2", T0 + D, 2 * H),  # Tue 09:00-11:00
    linked("INC3", T0 + 3 * D, H),  # Thu 09:00-10:00, after the workaround
    linked("INC4", T0 + 4 * D, 30 * timedelta(minutes=1)),  # Fri 09:00-09:30
    linked("INC5", T0 + D, 9 * H, problem="PRB2"),  # another problem's
    make("INC6", T0 + D, lost=H),  # no problem
]


def test_problem_links_by_the_carried_field_and_measures_by_hand() -> None:
    prb = Problem(
        "PRB1",
        opened_at=T0 + 5 * H,
        known_error_at=T0 + 2 * D,
        workaround_at=T0 + 2 * D + 3 * H,
        incidents=PRB_INCIDENTS,
    )
    assert prb.ids == ("INC1", "INC2", "INC3", "INC4")
    # 4 h + 2 h + 1 h + 30 min
    assert prb.business_time_lost == 7 * H + 30 * timedelta(minutes=1)
    # before: (4 h + 2 h) / 2 = 3 h; after: (60 + 30) / 2 = 45 min
    assert prb.mttr_before_workaround_us == Fraction(3 * 3600 * 10**6)
    assert prb.mttr_after_workaround == 45 * timedelta(minutes=1)
    assert prb.unresolved == () and prb.measured == prb.ids


def test_problem_mttr_is_exact_and_rounded_only_for_display() -> None:
    incs = [
        linked("A", T0, timedelta(microseconds=1)),
        linked("B", T0 + H, timedelta(microseconds=1)),
        linked("C", T0 + 2 * H, timedelta(microseconds=2)),
    ]
    prb = Problem("PRB1", opened_at=T0, incidents=incs)
    assert prb.mttr_before_workaround_us == Fraction(4, 3)
    assert prb.mttr_before_workaround == timedelta(microseconds=1)
    assert prb.mttr_after_workaround is None and prb.mttr_after_workaround_us is None
    assert prb.to_dict()["mttr_before_workaround"] == {"rounded": "PT0.000001S", "exact_us": "4/3"}


def test_problem_link_none_business_window_and_as_of() -> None:
    hours = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")
    overnight = linked("N", T0 + 7 * H, 18 * H)  # Mon 16:00 to Tue 10:00: 1 h + 1 h open
    open_one = linked("O", T0 + D, None)  # Tue 09:00, never resolved
    canceled = make("X", T0 + D, cancel=True, problem="PRB1")
    prb = Problem(
        "PRB1",
        opened_at=T0,
        incidents=[overnight, open_one, canceled, make("Y", T0, problem="PRB9")],
        link=None,
        window=hours,
        as_of=T0 + D + 3 * H,  # Tue 12:00
    )
    assert prb.ids == ("Y", "N", "O", "X")  # by opening, then id
    assert set(prb.measured) == {"N", "O", "Y"} and prb.unresolved == ("O",)
    # N: 2 h; O: Tue 09:00-12:00, 3 h to as_of; Y: 1 h
    assert prb.business_time_lost == 2 * H + 3 * H + H
    assert prb.mttr_before_workaround == (2 * H + H) / 2
    assert "O (counted to as_of)" in str(prb)


def test_problem_refuses_bad_values_by_name() -> None:
    with pytest.raises(ChronologyError, match="'workaround_at' must be at or after"):
        Problem("PRB1", opened_at=T0, workaround_at=T0 - H)
    with pytest.raises(InvalidValueError, match="'id' must be a non-empty string"):
        Problem(" ", opened_at=T0)
    with pytest.raises(InvalidValueError, match="'link' must be None or one of"):
        Problem("PRB1", opened_at=T0, link="owner")
    with pytest.raises(InvalidValueError, match="'opened_at' must be"):
        Problem("PRB1", opened_at="2026-03-02T09:00")
    with pytest.raises(InvalidValueError, match=r"'incidents\[0\]' must be an Incident"):
        Problem("PRB1", opened_at=T0, incidents=[None])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="'field' must be one of"):
        problems_of(PRB_INCIDENTS, field="owner")


def test_problem_renders() -> None:
    prb = Problem("PRB<1>", opened_at=T0, incidents=PRB_INCIDENTS, link=None)
    text = str(prb)
    assert text.splitlines()[0] == "Problem PRB<1>"
    assert "MTTR before workaround  2h 55m" in text  # (4h+2h+1h+30m+9h+1h) / 6 = 17.5 h / 6
    assert "PRB&lt;1&gt;" in prb._repr_html_() and "<1>" not in prb._repr_html_()
    json.dumps(prb.to_dict())


def test_problems_of_opens_each_problem_at_its_first_link() -> None:
    late = make("INC7", T0 - D, lost=None).set_fields(at=T0 + 2 * H, problem="PRB1")
    found = problems_of([*PRB_INCIDENTS, late])
    assert [(p.id, p.ids) for p in found] == [
        ("PRB1", ("INC7", "INC1", "INC2", "INC3", "INC4")),
        ("PRB2", ("INC5",)),
    ]
    assert found[0].opened_at == T0 and found[1].opened_at == T0 + D
    assert found[0].unresolved == ("INC7",)


# --- the bundled ServiceNow sample, read independently with csv --------------------------------

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def sample_rows() -> dict[str, dict[str, str]]:
    """Each incident's last row (the export lists an incident's updates in order)."""
    sample = resources.files("itilkit") / "data" / "servicenow_event_log_sample.csv"
    with sample.open(encoding="utf-8", newline="") as handle:
        return {row["number"]: row for row in csv.DictReader(handle)}


def opened(row: dict[str, str]) -> int:
    at = datetime.strptime(row["opened_at"], "%d/%m/%Y %H:%M").replace(tzinfo=SAO_PAULO)
    return int(at.timestamp()) * 10**6


def expected(column: str, within: timedelta, min_count: int) -> set[tuple[str, tuple[str, ...]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for number, row in sample_rows().items():
        if row[column] != "?" and row["incident_state"] != "Canceled":
            groups.setdefault(row[column], []).append((opened(row), number))
    out = set()
    limit = within // timedelta(microseconds=1)
    for value, members in groups.items():
        members.sort()
        n = len(members)
        hot: list[set[int]] = []
        for a, b in combinations(range(n), 2):
            if b - a + 1 >= min_count and members[b][0] - members[a][0] <= limit:
                burst = set(range(a, b + 1))
                joined = [h for h in hot if h & burst]
                hot = [h for h in hot if not h & burst] + [burst.union(*joined)]
        out |= {(value, tuple(members[i][1] for i in sorted(h))) for h in hot}
    return out


@pytest.fixture(scope="module")
def sample_incidents() -> tuple[Incident, ...]:
    sample = resources.files("itilkit") / "data" / "servicenow_event_log_sample.csv"
    with sample.open(encoding="utf-8") as handle:
        log = read_event_log(handle, tz="America/Sao_Paulo", preset="servicenow", dayfirst=True)
    return log.incidents


@pytest.mark.parametrize(
    ("field", "column", "within", "min_count"),
    [
        ("category", "category", timedelta(days=7), 3),
        ("category", "category", timedelta(hours=2), 2),
        ("symptom", "u_symptom", timedelta(days=1), 3),
        ("ci", "cmdb_ci", timedelta(days=30), 2),
    ],
)
def test_sample_recurrences_match_the_csv(
    sample_incidents: tuple[Incident, ...],
    field: str,
    column: str,
    within: timedelta,
    min_count: int,
) -> None:
    found = find_recurring(sample_incidents, by=field, within=within, min_count=min_count)
    assert {(r.key[0], r.ids) for r in found} == expected(column, within, min_count)


def test_sample_recurring_categories_and_the_linked_problem(
    sample_incidents: tuple[Incident, ...],
) -> None:
    found = find_recurring(sample_incidents, by="category", within="P7D")
    assert [(r.key[0], r.count) for r in found] == [
        ("Category 55", 4),
        ("Category 20", 3),
        ("Category 9", 4),
        ("Category 53", 7),
        ("Category 45", 5),
        ("Category 24", 3),
    ]
    assert find_recurring(sample_incidents, within="P7D") == ()  # every cmdb_ci is '?'
    rows = sample_rows()
    links = {n for n, row in rows.items() if row["problem_id"] != "?"}
    [prb] = problems_of(sample_incidents)
    assert prb.id == "Problem ID  2" and set(prb.ids) == links and len(links) == 9
    # time lost: opening to the last resolution, from the csv's own resolved_at column
    lost = 0
    for number in links:
        resolved = datetime.strptime(rows[number]["resolved_at"], "%d/%m/%Y %H:%M")
        lost += int(resolved.replace(tzinfo=SAO_PAULO).timestamp()) * 10**6 - opened(rows[number])
    assert prb.business_time_lost_us == lost
    assert prb.mttr_before_workaround_us == Fraction(lost, 9)
