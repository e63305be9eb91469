"""Services and CIs: the model's questions, the exact service outages, the document form."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import itilkit
from itilkit import ConfigError, InvalidValueError, Outage, ServiceWindow
from itilkit._availability import measure_availability
from itilkit._service_model import Redundant, ServiceModel

T0 = datetime(2026, 3, 2, tzinfo=UTC)
T0_US = int(T0.timestamp()) * 1_000_000


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def out(a: int, b: int, **kw: object) -> Outage:
    return Outage(at(a), at(b), **kw)  # type: ignore[arg-type]


def spans(outages: tuple[Outage, ...]) -> list[tuple[int, int, Fraction, bool]]:
    return [
        (
            (o.start_us - T0_US) // 60_000_000,
            (o.end_us - T0_US) // 60_000_000,
            o.impact,
            o.planned,
        )
        for o in outages
    ]


ERP_DOC = {
    "cis": ["app", "db", "web1", "web2", "idp"],
    "services": {
        "ERP": {"needs": ["app", "db", {"redundant": ["web1", "web2"], "needed": 1}, "Login"]},
        "Login": {"needs": ["idp"]},
        "Wiki": {},
    },
}


@pytest.fixture(scope="module")
def erp() -> ServiceModel:
    return ServiceModel.from_dict(ERP_DOC)


class TestQuestions:
    def test_depends_on_is_transitive_through_services_and_groups(self, erp: ServiceModel) -> None:
        assert erp.depends_on("ERP") == {"app", "db", "web1", "web2", "idp"}
        assert erp.depends_on("Login") == {"idp"}
        assert erp.depends_on("Wiki") == frozenset()

    def test_impacted_by_names_every_service_that_needs_a_ci(self, erp: ServiceModel) -> None:
        assert erp.impacted_by("idp") == {"ERP", "Login"}
        assert erp.impacted_by("web2") == {"ERP"}
        assert erp.impacted_by("Login") == {"ERP"}
        assert erp.impacted_by("ERP") == frozenset()

    def test_a_ci_no_service_needs_impacts_none(self) -> None:
        assert ServiceModel(["S"], ["a", "b"], {"S": ["a"]}).impacted_by("b") == frozenset()

    def test_unknown_names_are_refused(self, erp: ServiceModel) -> None:
        with pytest.raises(InvalidValueError, match="'service' must be a service of the model"):
            erp.depends_on("app")
        with pytest.raises(InvalidValueError, match="'name' must be a CI or a service"):
            erp.impacted_by("nope")
        assert "app" in erp and "ERP" in erp and "nope" not in erp and 3 not in erp

    def test_the_model_is_a_value(self, erp: ServiceModel) -> None:
        again = ServiceModel.from_dict(json.loads(json.dumps(erp.to_dict())))
        assert again == erp and hash(again) == hash(erp)
        assert repr(erp) == "ServiceModel(3 services, 5 CIs)"

    def test_deep_chains_compile_without_recursion(self) -> None:
        n = 5000
        services = [f"S{i}" for i in range(n)]
        relations = {f"S{i}": [f"S{i + 1}"] for i in range(n - 1)} | {f"S{n - 1}": ["ci"]}
        model = ServiceModel(services, ["ci"], relations)
        assert len(model.impacted_by("ci")) == n
        assert model.depends_on("S0") == {"ci"}
        down = {"ci": [out(0, 10)]}
        assert spans(model.service_outages("S0", down)) == [(0, 10, Fraction(1), False)]


class TestErrors:
    def test_constructor_errors_name_where(self) -> None:
        with pytest.raises(
            InvalidValueError, match=r"'relations.S\[1\]' must be a CI or a service"
        ):
            ServiceModel(["S"], ["a"], {"S": ["a", "b"]})
        with pytest.raises(
            InvalidValueError,
            match=r"'relations.S\[0\]\.members\[1\]' must be a CI or a service of the model \(got 'x'\)",
        ):
            ServiceModel(["S"], ["a"], {"S": [Redundant(["a", "x"])]})
        with pytest.raises(
            InvalidValueError, match="'cis\\[0\\]' must be a name that is not also a service"
        ):
            ServiceModel(["S"], ["S"])
        with pytest.raises(InvalidValueError, match="cycle 'A -> B -> A'"):
            ServiceModel(["A", "B"], [], {"A": ["B"], "B": ["A"]})
        with pytest.raises(InvalidValueError, match="cycle 'A -> A'"):
            ServiceModel(["A"], [], {"A": ["A"]})
        with pytest.raises(
            InvalidValueError,
            match="'relations' must be a service of the model",
        ):
            ServiceModel(["A"], [], {"B": []})
        with pytest.raises(InvalidValueError, match="'services' must be an iterable of names"):
            ServiceModel("ERP", [])

    @pytest.mark.parametrize(
        ("members", "needed", "message"),
        [
            ([], 1, "'members' must be at least one name"),
            (["a", "a"], 1, "'members' must be distinct names"),
            (["a"], 0, "'needed' must be a whole number of at least 1"),
            (["a"], True, "'needed' must be a whole number"),
            (["a", "b"], 3, "'needed' must be at most the 2 members"),
            ("ab", 1, "'members' must be an iterable of names"),
            ([" "], 1, r"'members\[0\]' must be a non-empty string"),
        ],
    )
    def test_redundant_groups_are_checked(
        self, members: object, needed: object, message: str
    ) -> None:
        with pytest.raises(InvalidValueError, match=message):
            Redundant(members, needed=needed)  # type: ignore[arg-type]

    def test_document_problems_are_listed_with_paths(self) -> None:
        doc = {
            "cis": ["db", "db", 3],
            "services": {
                "A": {"needs": ["B", {"redundant": ["db", "zz"], "needed": 1}], "owner": "x"},
                "B": {"needs": ["A", {"redundant": ["db"], "needed": 2}, {"needed": 1}]},
                "C": "web",
            },
            "extra": 1,
        }
        with pytest.raises(ConfigError) as caught:
            ServiceModel.from_dict(doc)
        paths = [path for path, _ in caught.value.problems]
        assert paths == [
            "$.extra",
            "$.cis[2]",
            "$.services.A.owner",
            "$.services.B.needs[1]",
            "$.services.B.needs[2].redundant",
            "$.services.C",
        ]
        doc = {
            "cis": ["db", "db"],
            "services": {
                "A": {"needs": ["B", {"redundant": ["db", "zz"]}]},
                "B": {"needs": ["A"]},
            },
        }
        with pytest.raises(ConfigError) as caught:
            ServiceModel.from_dict(doc)
        assert caught.value.problems == (
            ("$.cis[1]", "must name each CI once (got 'db')"),
            (
                "$.services.A.needs[1].redundant[1]",
                "must name a CI or a service of the model (got 'zz')",
            ),
            ("$.services.B.needs[0]", "must not need itself (got the cycle 'A -> B -> A')"),
        )

    def test_a_document_that_is_not_a_table(self) -> None:
        with pytest.raises(ConfigError, match=r"\$: must be a table"):
            ServiceModel.from_dict([])  # type: ignore[arg-type]

    def test_files(self, tmp_path: Path) -> None:
        toml = tmp_path / "model.toml"
        toml.write_text(
            'cis = ["app", "web1", "web2"]\n'
            "[services.Shop]\n"
            'needs = ["app", { redundant = ["web1", "web2"], needed = 2 }]\n',
            encoding="utf-8",
        )
        model = ServiceModel.from_toml(toml)
        assert model.relations == (("Shop", ("app", Redundant(["web1", "web2"], needed=2))),)
        js = tmp_path / "model.json"
        js.write_text(json.dumps(model.to_dict()), encoding="utf-8")
        assert ServiceModel.from_json(js) == model
        with pytest.raises(ConfigError, match="no such file"):
            ServiceModel.from_toml(tmp_path / "missing.toml")


class TestServiceOutages:
    def test_series_is_the_union(self, erp: ServiceModel) -> None:
        down = {"app": [out(0, 30)], "db": [out(20, 60)], "idp": [out(100, 110)]}
        assert spans(erp.service_outages("ERP", down)) == [
            (0, 60, Fraction(1), False),
            (100, 110, Fraction(1), False),
        ]
        assert all(o.service == "ERP" for o in erp.service_outages("ERP", down))

    def test_redundancy_is_down_only_where_no_member_is_up(self, erp: ServiceModel) -> None:
        down = {"web1": [out(0, 60), out(120, 180)], "web2": [out(30, 150)]}
        assert spans(erp.service_outages("ERP", down)) == [
            (30, 60, Fraction(1), False),
            (120, 150, Fraction(1), False),
        ]

    def test_two_of_three(self) -> None:
        model = ServiceModel(["S"], ["a", "b", "c"], {"S": [Redundant(["a", "b", "c"], needed=2)]})
        down = {"a": [out(0, 100)], "b": [out(50, 70)], "c": [out(60, 80)]}
        assert spans(model.service_outages("S", down)) == [(50, 80, Fraction(1), False)]

    def test_partial_impact_is_the_largest_of_what_is_down(self) -> None:
        model = ServiceModel(["S"], ["a", "b"], {"S": ["a", "b"]})
        down = {"a": [out(0, 60, impact="25%")], "b": [out(30, 90, impact="50%")]}
        assert spans(model.service_outages("S", down)) == [
            (0, 30, Fraction(1, 4), False),
            (30, 90, Fraction(1, 2), False),
        ]

    def test_a_redundant_group_is_as_impaired_as_its_best_members(self) -> None:
        model = ServiceModel(["S"], ["a", "b"], {"S": [Redundant(["a", "b"])]})
        down = {"a": [out(0, 60)], "b": [out(30, 90, impact="50%")]}
        assert spans(model.service_outages("S", down)) == [(30, 60, Fraction(1, 2), False)]

    def test_planned_only_where_every_contributing_outage_is_planned(self) -> None:
        """In series a's planned 0-60 and b's unplanned 30-90, both full: b contributes
        from 30, so 0-30 planned and 30-90 unplanned."""
        model = ServiceModel(["S"], ["a", "b"], {"S": ["a", "b"]})
        down = {"a": [out(0, 60, planned=True)], "b": [out(30, 90)]}
        assert spans(model.service_outages("S", down)) == [
            (0, 30, Fraction(1), True),
            (30, 90, Fraction(1), False),
        ]
        # A 10% unplanned degradation inside full maintenance contributes nothing to it.
        down = {"a": [out(0, 60, planned=True)], "b": [out(30, 45, impact="10%")]}
        assert spans(model.service_outages("S", down)) == [(0, 60, Fraction(1), True)]
        group = ServiceModel(["S"], ["a", "b"], {"S": [Redundant(["a", "b"])]})
        down = {"a": [out(0, 60, planned=True)], "b": [out(30, 90)]}
        assert spans(group.service_outages("S", down)) == [(30, 60, Fraction(1), False)]
        down = {"a": [out(0, 60, planned=True)], "b": [out(30, 90, planned=True)]}
        assert spans(group.service_outages("S", down)) == [(30, 60, Fraction(1), True)]

    def test_one_cis_maintenance_keeps_what_happens_in_it(self) -> None:
        """One CI, planned 0-60 with an unplanned failure 30-45 inside it: all maintenance,
        as measure_availability keeps it for the CI itself; a 50% planned outage does not
        cover a full failure."""
        single = ServiceModel(["S"], ["a"], {"S": ["a"]})
        down = {"a": [out(0, 60, planned=True), out(30, 45)]}
        assert spans(single.service_outages("S", down)) == [(0, 60, Fraction(1), True)]
        down = {"a": [out(0, 60, impact="50%", planned=True), out(30, 45)]}
        assert spans(single.service_outages("S", down)) == [
            (0, 30, Fraction(1, 2), True),
            (30, 45, Fraction(1), False),
            (45, 60, Fraction(1, 2), True),
        ]

    def test_outages_carrying_ci(self, erp: ServiceModel) -> None:
        down = [out(0, 30, ci="app"), out(10, 20, ci="web1"), out(10, 20, ci="web2")]
        assert spans(erp.service_outages("ERP", down)) == [(0, 30, Fraction(1), False)]
        assert erp.service_outages("Wiki", down) == ()
        with pytest.raises(InvalidValueError, match=r"'component_outages\[0\]\.ci' must be a CI"):
            erp.service_outages("ERP", [out(0, 30)])

    def test_component_outages_are_checked(self, erp: ServiceModel) -> None:
        with pytest.raises(InvalidValueError, match="keyed by CIs of the model"):
            erp.service_outages("ERP", {"ERP": []})
        with pytest.raises(
            InvalidValueError, match=r"'component_outages.app\[0\]' must be an Outage"
        ):
            erp.service_outages("ERP", {"app": ["x"]})
        with pytest.raises(InvalidValueError, match=r"\.ci' must be None or 'app'"):
            erp.service_outages("ERP", {"app": [out(0, 1, ci="db")]})
        with pytest.raises(InvalidValueError, match="'component_outages' must be a mapping"):
            erp.service_outages("ERP", out(0, 1, ci="db"))

    def test_zone_of_the_first_outage(self, erp: ServiceModel) -> None:
        seoul = Outage("2026-03-02T09:00+09:00", "2026-03-02T10:00+09:00")
        (o,) = erp.service_outages("ERP", {"db": [seoul]})
        assert o.start.isoformat() == "2026-03-02T09:00:00+09:00"

    def test_availability_is_measured_from_the_service_outages(self, erp: ServiceModel) -> None:
        week = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")
        down = {
            "web1": [out(9 * 60, 11 * 60)],
            "web2": [out(10 * 60, 12 * 60)],
            "db": [out(16 * 60, 18 * 60)],
        }
        report = erp.availability(
            "ERP", down, window=week, start=at(0), end=at(5 * 24 * 60), target="99%"
        )
        # down 10:00-11:00 (both web servers) and 16:00-17:00 (db, to the end of hours): 2 of 40 hours
        assert report.downtime == timedelta(hours=2)
        assert report.ratio == Fraction(19, 20)
        assert report.meets() is False
        same = measure_availability(
            erp.service_outages("ERP", down), window=week, start=at(0), end=at(5 * 24 * 60)
        )
        assert same.downtime_us == report.downtime_us


class TestSchema:
    def test_the_schema_accepts_what_the_reader_accepts(self) -> None:
        schema = itilkit.schema("service_model")
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        assert list(validator.iter_errors(ERP_DOC)) == []
        assert (
            list(
                validator.iter_errors(
                    {"cis": ["a"], "services": {"S": {"needs": [{"redundant": ["a"]}]}}}
                )
            )
            == []
        )

    @pytest.mark.parametrize(
        "doc",
        [
            {"cis": ["a"], "services": {"S": {"needs": [{"needed": 1}]}}},
            {"cis": ["a"], "services": {"S": {"needs": ["a"], "owner": "x"}}},
            {"cis": ["a", "a"]},
            {"cis": [""]},
            {"cis": ["a"], "services": {"S": {"needs": [{"redundant": ["a"], "needed": 0}]}}},
            {"cis": [], "other": 1},
        ],
    )
    def test_the_schema_and_the_reader_refuse_alike(self, doc: dict[str, object]) -> None:
        validator = Draft202012Validator(itilkit.schema("service_model"))
        assert list(validator.iter_errors(doc)) != []
        with pytest.raises(ConfigError):
            ServiceModel.from_dict(doc)


# --- the proof: service_outages against a brute-force minute walk ----------------------

CIS = ("c0", "c1", "c2", "c3", "c4")
MINUTES = 240


@st.composite
def models(draw: st.DrawFn) -> ServiceModel:
    """Up to four services; service i may need CIs and services below i (no cycle)."""
    count = draw(st.integers(1, 4))
    relations: dict[str, list[object]] = {}
    for i in range(count):
        pool = [*CIS, *(f"S{j}" for j in range(i))]
        needs: list[object] = []
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                needs.append(draw(st.sampled_from(pool)))
            else:
                members = draw(
                    st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True)
                )
                needs.append(Redundant(members, needed=draw(st.integers(1, len(members)))))
        relations[f"S{i}"] = needs
    return ServiceModel(list(relations), CIS, relations)


component = st.builds(
    lambda a, n, v, p: (a, min(a + n, MINUTES), v, p),
    st.integers(0, MINUTES - 1),
    st.integers(0, 90),
    st.sampled_from([Fraction(1), Fraction(1), Fraction(1, 2), Fraction(1, 4)]),
    st.booleans(),
)


def brute_state(
    model: ServiceModel,
    name: str,
    minute: int,
    down: dict[str, list[tuple[int, int, Fraction, bool]]],
) -> tuple[Fraction, bool]:
    """(impact, planned) of a CI or service during one minute, straight from the definitions:
    the impact of a group is the ``needed``-th smallest of its members', of a series the
    largest. A CI is planned when its planned outages alone reach its impact; a group or a
    series when every part down at its impact or more is planned."""
    if name in CIS:
        covering = [(v, p) for a, b, v, p in down.get(name, []) if a <= minute < b]
        if not covering:
            return Fraction(0), True
        full = max(v for v, _ in covering)
        return full, max((v for v, p in covering if p), default=Fraction(0)) >= full
    states = []
    for need in dict(model.relations).get(name, ()):
        if isinstance(need, Redundant):
            members = [brute_state(model, m, minute, down) for m in need.members]
            full = sorted(v for v, _ in members)[need.needed - 1]
            states.append((full, all(p for v, p in members if v > 0 and v >= full)))
        else:
            states.append(brute_state(model, need, minute, down))
    impact = max((v for v, _ in states), default=Fraction(0))
    return impact, all(p for v, p in states if v > 0 and v >= impact)


@settings(max_examples=300, deadline=None)
@given(models(), st.dictionaries(st.sampled_from(CIS), st.lists(component, max_size=4)))
def test_service_outages_equal_a_minute_by_minute_walk(
    model: ServiceModel, down: dict[str, list[tuple[int, int, Fraction, bool]]]
) -> None:
    outages = {
        ci: [out(a, b, impact=v, planned=p) for a, b, v, p in items] for ci, items in down.items()
    }
    for service in model.services:
        got = spans(model.service_outages(service, outages))
        for (_, b1, v1, p1), (a2, _, v2, p2) in itertools.pairwise(got):
            assert b1 <= a2 and (b1 < a2 or (v1, p1) != (v2, p2))  # sorted, disjoint, canonical
        walked = [(Fraction(0), True)] * MINUTES
        for a, b, v, p in got:
            assert 0 <= a < b <= MINUTES
            walked[a:b] = [(v, p)] * (b - a)
        for minute in range(MINUTES):
            expected = brute_state(model, service, minute, down)
            assert walked[minute] == expected, (service, minute)


def test_each_instant_is_shown_in_the_zone_of_the_first_outage() -> None:
    """Outages written in other zones (or ending in another) still give service outages in one."""
    model = ServiceModel(["S"], ["a", "b"], {"S": ["a", "b"]})
    first = Outage("2026-03-02T09:00+09:00", "2026-03-02T01:30Z")
    second = Outage("2026-03-02T01:30Z", "2026-03-02T11:00+09:00")
    (o,) = model.service_outages("S", {"a": [first], "b": [second]})
    assert (o.start.isoformat(), o.end.isoformat()) == (
        "2026-03-02T09:00:00+09:00",
        "2026-03-02T11:00:00+09:00",
    )
