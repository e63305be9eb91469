"""Fuzz ``ServiceModel`` (its constructor, documents and questions) and ``Redundant``.

The oracle is tests/test_fuzz.py's (:func:`~tests.test_fuzz.run`): a call returns
and its result renders, or it raises an ``ItilkitError``, or a ``TypeError``
while some argument has a type its parameter does not take; within the time
bound. Hostile values are mixed into every parameter: names, needs, groups,
documents, component outages and the period of an availability report.
Beside the oracle, every service outage returned is checked against what any
answer obeys: sorted, disjoint, inside the span of the component outages,
and naming its service. ``ChangeCalendar(model=...)`` (any ``ModelLike``) and its
``ConflictKind.RELATED`` conflicts are fuzzed through the same models.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from itilkit import ChangeCalendar, ChangeRequest, ItilkitError, Outage, ServiceWindow
from itilkit._service_model import Redundant, ServiceModel

from .test_fuzz import FUZZ, HOSTILE, INSTANT_TYPES, RAISED, A, every, instant_values, p, run

NAMES = ["app", "db", "web1", "web2", "ERP", "CRM", " db ", "", "\x00", "<b>"]
CIS = ["app", "db", "web1", "web2"]
SERVICES = ["ERP", "CRM"]
BASE = datetime(2026, 3, 2, tzinfo=UTC)

name_values = st.sampled_from(NAMES)
group_values = st.builds(
    lambda members, needed: _built(lambda: Redundant(members, needed=needed)),
    st.lists(name_values, min_size=1, max_size=3),
    st.integers(0, 4),
).filter(lambda g: g is not None)
need_values = st.one_of(name_values, group_values)
relation_values = st.dictionaries(
    st.sampled_from([*SERVICES, "nope"]), st.lists(need_values, max_size=4), max_size=3
)
doc_need = st.one_of(
    name_values,
    st.fixed_dictionaries(
        {"redundant": st.lists(name_values, max_size=3)},
        optional={"needed": st.integers(-1, 4) | HOSTILE},
    ),
    HOSTILE,
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "cis": st.lists(name_values, max_size=5) | HOSTILE,
        "services": st.dictionaries(
            st.sampled_from(SERVICES),
            st.fixed_dictionaries({}, optional={"needs": st.lists(doc_need, max_size=4)})
            | HOSTILE,
            max_size=3,
        )
        | HOSTILE,
        "extra": HOSTILE,
    },
)


def _built(thunk: Any) -> Any:
    """What ``thunk`` builds, or None when the library refuses the drawn values."""
    try:
        return thunk()
    except ItilkitError:
        return None


@st.composite
def good_models(draw: st.DrawFn) -> ServiceModel:
    """A valid model: CRM needs CIs, ERP needs CIs, groups and maybe CRM."""
    pool = st.sampled_from(CIS)
    crm = draw(st.lists(pool, max_size=2))
    erp: list[Any] = draw(st.lists(pool, max_size=2))
    members = draw(st.lists(st.sampled_from([*CIS, "CRM"]), min_size=1, max_size=3, unique=True))
    erp.append(Redundant(members, needed=draw(st.integers(1, len(members)))))
    return ServiceModel(SERVICES, CIS, {"ERP": erp, "CRM": crm})


@st.composite
def component_outages(draw: st.DrawFn) -> Outage:
    start = draw(st.integers(0, 2000))
    return Outage(
        BASE + timedelta(minutes=start),
        BASE + timedelta(minutes=start + draw(st.integers(0, 600))),
        impact=draw(st.sampled_from([Fraction(1), Fraction(1, 2)])),
        planned=draw(st.booleans()),
        ci=draw(st.sampled_from([*CIS, None])),
    )


outage_maps = st.dictionaries(st.sampled_from(CIS), st.lists(component_outages(), max_size=4))
outage_lists = st.lists(component_outages(), max_size=6)


@FUZZ
@given(
    members=p(st.lists(name_values, max_size=4), every(str)),
    needed=p(st.integers(-1, 5), int),
)
def test_redundant(members: A, needed: A) -> None:
    group = run(Redundant, members, needed=needed)
    if group is not RAISED:
        assert 1 <= group.needed <= len(group.members)
        run(group.to_dict)


@FUZZ
@given(
    services=p(st.lists(name_values, max_size=3), every(str)),
    cis=p(st.lists(name_values, max_size=5), every(str)),
    relations=p(relation_values, dict),
)
def test_service_model(services: A, cis: A, relations: A) -> None:
    model = run(ServiceModel, services, cis, relations)
    if model is RAISED:
        return
    for service in model.services:
        assert model.depends_on(service) <= set(model.cis)
    for ci in model.cis:
        assert model.impacted_by(ci) <= set(model.services)
    assert run(ServiceModel.from_dict, model.to_dict()) == model


@FUZZ
@given(document=p(documents, dict))
def test_from_dict(document: A) -> None:
    model = run(ServiceModel.from_dict, document)
    if model is not RAISED:
        assert ServiceModel.from_dict(model.to_dict()) == model


@FUZZ
@given(
    model=good_models(),
    service=p(st.sampled_from([*SERVICES, "app", "nope"]), str),
    ci=p(name_values, str),
    outages=p(
        st.one_of(outage_maps, outage_lists), lambda v: isinstance(v, dict) or every(Outage)(v)
    ),
)
def test_questions_and_service_outages(model: ServiceModel, service: A, ci: A, outages: A) -> None:
    run(model.depends_on, service)
    run(model.impacted_by, ci)
    found = run(model.service_outages, service, outages)
    if found is RAISED:
        return
    for o in found:
        assert o.service == service.value and o.end_us > o.start_us
    for a, b in itertools.pairwise(found):
        assert a.end_us <= b.start_us


@FUZZ
@given(
    model=good_models(),
    outages=outage_maps,
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    window=p(st.just(ServiceWindow.always()), ServiceWindow),
)
def test_availability(model: ServiceModel, outages: Any, start: A, end: A, window: A) -> None:
    report = run(model.availability, "ERP", outages, window=window, start=start, end=end)
    if report is not RAISED:
        assert report.downtime_us >= 0


@FUZZ
@given(
    model=p(good_models(), ServiceModel),
    mine=st.lists(st.sampled_from([*CIS, "x"]), min_size=1, max_size=2),
    theirs=st.lists(st.sampled_from([*CIS, "x"]), min_size=1, max_size=2),
    shift=st.integers(-180, 180),
)
def test_change_calendar_with_a_model(
    model: A, mine: list[str], theirs: list[str], shift: int
) -> None:
    calendar = run(ChangeCalendar, model=model)
    if calendar is RAISED:
        return
    start = BASE + timedelta(hours=1)
    a = ChangeRequest.new(
        "CHG1",
        type="normal",
        requested_at=BASE,
        start=start,
        end=start + timedelta(hours=2),
        items=mine,
    )
    b_start = start + timedelta(minutes=shift)
    b = ChangeRequest.new(
        "CHG2",
        type="normal",
        requested_at=BASE,
        start=b_start,
        end=b_start + timedelta(hours=1),
        items=theirs,
    )
    conflicts = run(calendar.conflicts, a, [b])
    if conflicts is RAISED:
        return
    for conflict in conflicts:
        if conflict.kind.name == "RELATED":
            assert not set(mine) & set(theirs) and conflict.services
            assert conflict.services <= set(model.value.services)
    run(calendar.next_slot, "PT1H", after=BASE, items=mine, others=[b])
