"""Services and configuration items: what a service needs, and when it was down.

A :class:`ServiceModel` names the configuration items (CIs) and the services
of an organisation, and what each service **needs**: CIs and other services
in series (each one must be up), and :class:`Redundant` groups (``needed``
of the group's members must be up). From that model it answers

* :meth:`ServiceModel.depends_on`: every CI a service needs, transitively;
* :meth:`ServiceModel.impacted_by`: every service that needs a CI (a dict
  lookup: the model is compiled once, in topological order, with a reverse
  index from each CI to the services that need it);
* :meth:`ServiceModel.service_outages`: when the service was down, computed
  from the outage **intervals** of its components, exactly, by a sweep over
  their endpoints (integer microseconds). A series of needs is down where
  any of them is down; a redundant group is down where fewer than
  ``needed`` members are up (coverage counting). No independence formula is
  involved: two web servers down in the same hour take the service down for
  that hour, which :func:`~itilkit.in_parallel` cannot know.

Partial outages (``impact`` below 1) propagate: a series is as impaired as
its worst need, and a redundant group as the ``needed``-th least impaired
member (the best ``needed`` members carry the load, so the worst of them
bounds the group; with full outages only, this is exactly "fewer than
``needed`` members up"). A service outage is **planned** only where every
outage contributing to it is planned (every part down at the service's impact
or more); within one CI, its maintenance keeps what happens in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from fractions import Fraction
from functools import partial
from operator import itemgetter
from os import PathLike
from typing import Any, Self

import attrs

from ._availability import AvailabilityReport, Outage, measure_availability
from ._document import Problems, load_document
from ._errors import InvalidValueError, show
from ._ratio import RatioLike
from ._time import Zone, from_us
from ._window import ServiceWindow

__all__ = ["MODEL_KEYS", "Redundant", "ServiceModel"]

#: The keys of a service model document, and of one service's table.
MODEL_KEYS = ("cis", "services")
SERVICE_KEYS = ("needs",)
GROUP_KEYS = ("redundant", "needed")

_ZERO = Fraction(0)

# A timeline is a list of (start_us, end_us, level, planned) segments: sorted, disjoint,
# without empty segments, and with no two touching segments of the same (level, planned).
# A level is the rank (1, 2, ...) of an impact among the impacts of one computation: the
# sweep orders and counts small ints, never hashes Fractions.
Segment = tuple[int, int, int, bool]


def _name(value: object, field: str) -> str:
    """A CI or service name: a non-blank string, stripped (as change items are)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, "a non-empty string", value)
    return value.strip()


def _names(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidValueError(field, "an iterable of names", value)
    return tuple(_name(item, f"{field}[{i}]") for i, item in enumerate(value))


def _needed(value: object, field: str = "needed") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(field, "a whole number of at least 1", value)
    return value


@attrs.frozen(init=False)
class Redundant:
    """A redundant group: ``needed`` of its ``members`` (CIs or services) must be up.

    >>> Redundant(["web1", "web2"])
    Redundant(members=('web1', 'web2'), needed=1)
    >>> Redundant(["web1", "web2"], needed=3)
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'needed' must be at most the 2 members (got 3)
    """

    members: tuple[str, ...]
    needed: int

    def __init__(self, members: Iterable[str], *, needed: int = 1) -> None:
        names = _names(members, "members")
        if not names:
            raise InvalidValueError("members", "at least one name", members)
        if len(set(names)) != len(names):
            raise InvalidValueError("members", "distinct names", names)
        count = _needed(needed)
        if count > len(names):
            raise InvalidValueError("needed", f"at most the {len(names)} members", needed)
        self.__attrs_init__(names, count)

    def to_dict(self) -> dict[str, Any]:
        """The group as its document form: ``{"redundant": [...], "needed": k}``."""
        return {"redundant": list(self.members), "needed": self.needed}


Need = str | Redundant


def _need(value: object, field: str) -> Need:
    if isinstance(value, Redundant):
        return value
    if isinstance(value, str):
        return _name(value, field)
    raise InvalidValueError(field, "a name or a Redundant group", value)


# --- the timeline sweep ------------------------------------------------------------------


def _level(counts: dict[int, int], zeros: int, needed: int) -> int:
    """The ``needed``-th smallest impact level when ``zeros`` parts are up (0: enough are)."""
    if zeros >= needed:
        return 0
    rank = needed - zeros  # 1-based, among the parts that are down
    for level in sorted(counts):
        rank -= counts[level]
        if rank <= 0:
            return level
    return 0  # pragma: no cover - the counts hold every part that is down


def _combine(
    events: list[tuple[int, int, int, bool]], n: int, needed: int, *, one_ci: bool = False
) -> list[Segment]:
    """The timeline of ``needed`` of ``n`` parts, from their (time, +1/-1, impact, planned) events.

    At any instant, ``n - active`` parts are up (impact 0); the combined impact
    is the ``needed``-th smallest part impact (0 while enough parts are up).
    It is planned only where every part that contributes to it (every part
    down at that impact or more) is planned: a 10% degradation during a full
    planned outage adds nothing, a full failure of another CI during it makes
    it unplanned. The outages of one CI (``one_ci``) are one thing under
    maintenance: planned where its planned outages alone reach the impact, as
    :func:`~itilkit.measure_availability` keeps a CI's maintenance out of its
    agreed time with whatever else happens in it.
    """
    events.sort(key=itemgetter(0))
    out: list[Segment] = []
    counts: dict[int, int] = {}
    planned_counts: dict[int, int] = {}
    unplanned_counts: dict[int, int] = {}
    active = 0
    i, total = 0, len(events)
    while i < total:
        t = events[i][0]
        while i < total and events[i][0] == t:
            _, step, v, planned = events[i]
            for table in (counts, planned_counts if planned else unplanned_counts):
                left = table.get(v, 0) + step
                if left:
                    table[v] = left
                else:
                    del table[v]
            active += step
            i += 1
        if i == total:
            break
        impact = _level(counts, n - active, needed)
        if impact == 0:
            continue
        nxt = events[i][0]
        if one_ci:
            is_planned = max(planned_counts, default=0) >= impact
        else:
            is_planned = not any(level >= impact for level in unplanned_counts)
        if out and out[-1][1] == t and out[-1][2] == impact and out[-1][3] == is_planned:
            out[-1] = (out[-1][0], nxt, impact, is_planned)
        else:
            out.append((t, nxt, impact, is_planned))
    return out


def _events(timelines: Iterable[list[Segment]]) -> list[tuple[int, int, int, bool]]:
    events: list[tuple[int, int, int, bool]] = []
    for timeline in timelines:
        for s, e, v, planned in timeline:
            events.append((s, 1, v, planned))
            events.append((e, -1, v, planned))
    return events


# --- the model ---------------------------------------------------------------------------


@attrs.frozen(init=False, repr=False)
class ServiceModel:
    """Services, the configuration items (CIs) they run on, and what each service needs.

    ``services`` and ``cis`` are the names (distinct; no name is both);
    ``relations`` maps a service to its needs, each a CI or service name
    (in series: it must be up) or a :class:`Redundant` group. A service
    without relations needs nothing. A need that names no CI or service, a
    service that needs itself through others (a cycle): an
    :class:`~itilkit.InvalidValueError` naming where.

    >>> model = ServiceModel(
    ...     ["ERP", "Login"], ["app", "db", "web1", "web2", "idp"],
    ...     {"ERP": ["app", "db", Redundant(["web1", "web2"]), "Login"], "Login": ["idp"]})
    >>> sorted(model.depends_on("ERP"))
    ['app', 'db', 'idp', 'web1', 'web2']
    >>> sorted(model.impacted_by("idp"))
    ['ERP', 'Login']
    >>> down = {"web1": [Outage("2026-03-02T10:00Z", "2026-03-02T12:00Z")],
    ...         "web2": [Outage("2026-03-02T11:00Z", "2026-03-02T13:00Z")]}
    >>> [(o.start.isoformat(), o.end.isoformat()) for o in model.service_outages("ERP", down)]
    [('2026-03-02T11:00:00+00:00', '2026-03-02T12:00:00+00:00')]
    """

    services: tuple[str, ...]
    cis: tuple[str, ...]
    relations: tuple[tuple[str, tuple[Need, ...]], ...]
    _order: tuple[str, ...] = attrs.field(eq=False, hash=False)
    _depends: dict[str, frozenset[str]] = attrs.field(eq=False, hash=False)
    _impacted: dict[str, frozenset[str]] = attrs.field(eq=False, hash=False)
    _ci_set: frozenset[str] = attrs.field(eq=False, hash=False)
    _needs: dict[str, tuple[Need, ...]] = attrs.field(eq=False, hash=False)
    _ci_index: dict[str, int] = attrs.field(eq=False, hash=False)

    def __init__(
        self,
        services: Iterable[str],
        cis: Iterable[str],
        relations: Mapping[str, Iterable[Need]] | None = None,
    ) -> None:
        service_names = _names(services, "services")
        ci_names = _names(cis, "cis")
        if relations is None:
            relations = {}
        if not isinstance(relations, Mapping):
            raise InvalidValueError("relations", "a mapping from service to its needs", relations)
        needs: dict[str, tuple[Need, ...]] = {}
        for key, value in relations.items():
            service = _name(key, "relations")
            field = f"relations.{service}"
            if service in needs:
                raise InvalidValueError("relations", "each service once", service)
            if isinstance(value, str | bytes | Mapping | Redundant) or not isinstance(
                value, Iterable
            ):
                raise InvalidValueError(field, "an iterable of needs", value)
            needs[service] = tuple(_need(v, f"{field}[{i}]") for i, v in enumerate(value))
        problems = _check(service_names, ci_names, needs)
        if problems:
            field, _, verb, value = problems[0]
            raise InvalidValueError(field, _NOUNS[verb], value)
        self._build(service_names, ci_names, needs)

    def _build(
        self, services: tuple[str, ...], cis: tuple[str, ...], needs: dict[str, tuple[Need, ...]]
    ) -> None:
        order = _topological(services, needs)
        ci_set = frozenset(cis)
        depends: dict[str, frozenset[str]] = {}
        for service in order:  # every service after the services it needs
            found: set[str] = set()
            for need in needs.get(service, ()):
                for name in need.members if isinstance(need, Redundant) else (need,):
                    if name in ci_set:
                        found.add(name)
                    else:
                        found |= depends[name]
            depends[service] = frozenset(found)
        users: dict[str, set[str]] = {}
        for service in order:
            for ci in depends[service]:
                users.setdefault(ci, set()).add(service)
        uses: dict[str, set[str]] = {}  # service -> the services that need it, transitively
        for service in reversed(order):
            for need in needs.get(service, ()):
                for name in need.members if isinstance(need, Redundant) else (need,):
                    if name not in ci_set:
                        bucket = uses.setdefault(name, set())
                        bucket.add(service)
                        bucket |= uses.get(service, set())
        impacted = {name: frozenset(found) for name, found in users.items()}
        impacted.update((name, frozenset(found)) for name, found in uses.items())
        canonical = tuple((s, needs[s]) for s in services if needs.get(s))
        self.__attrs_init__(
            services,
            cis,
            canonical,
            order,
            depends,
            impacted,
            ci_set,
            dict(canonical),
            {ci: i for i, ci in enumerate(cis)},
        )

    # -- documents ----------------------------------------------------------------

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Self:
        """A model from its document; one :class:`~itilkit.ConfigError` lists every problem.

        ``{"cis": [names], "services": {name: {"needs": [need, ...]}}}``, each
        need a CI or service name or ``{"redundant": [names], "needed": k}``
        (``needed`` defaults to 1).

        >>> ServiceModel.from_dict({"cis": ["db"], "services": {
        ...     "ERP": {"needs": ["db", "CRM"]}, "CRM": {"needs": ["ERP", "dbb"]}}})
        Traceback (most recent call last):
        ...
        itilkit.ConfigError: 2 problems in the configuration:
          $.services.CRM.needs[1]: must name a CI or a service of the model (got 'dbb')
          $.services.CRM.needs[0]: must not need itself (got the cycle 'ERP -> CRM -> ERP')
        """
        problems = Problems()
        doc = problems.mapping("$", document)
        if doc is None:
            problems.raise_if_any()
        assert doc is not None
        problems.unknown("$", doc, MODEL_KEYS)
        cis: tuple[str, ...] = ()
        listed = problems.array("$.cis", doc.get("cis", []))
        if listed is not None:
            read = [
                problems.check(f"$.cis[{i}]", partial(_name, v, "ci"))
                for i, v in enumerate(listed)
            ]
            cis = tuple(name for name in read if name is not None)
        needs: dict[str, tuple[Need, ...]] = {}
        table = problems.mapping("$.services", doc.get("services", {}))
        services: list[str] = []
        for key, entry in (table or {}).items():
            path = f"$.services.{key}"
            service = problems.check(path, partial(_name, key, "service"))
            if service is None:
                continue
            if service in services:
                problems.add(path, f"must name each service once (got {show(service)} twice)")
                continue
            services.append(service)
            spec = problems.mapping(path, entry)
            if spec is None:
                continue
            problems.unknown(path, spec, SERVICE_KEYS)
            items = problems.array(f"{path}.needs", spec.get("needs", []))
            read_needs = [
                _read_need(v, f"{path}.needs[{i}]", problems) for i, v in enumerate(items or [])
            ]
            needs[service] = tuple(n for n in read_needs if n is not None)
        problems.raise_if_any()
        found = _check(tuple(services), cis, needs)
        for _, path, verb, value in found:
            shown = value if verb == _CYCLE else show(value)
            problems.add(path, f"must {verb} (got {shown})")
        problems.raise_if_any()
        model = cls.__new__(cls)
        model._build(tuple(services), cis, needs)
        return model

    @classmethod
    def from_toml(cls, path: str | PathLike[str]) -> Self:
        """Read a TOML file in the :meth:`from_dict` form (top-level ``cis`` and ``services``)."""
        return cls.from_dict(load_document(path, "toml"))

    @classmethod
    def from_json(cls, path: str | PathLike[str]) -> Self:
        """Read a JSON file in the :meth:`from_dict` form."""
        return cls.from_dict(load_document(path, "json"))

    def to_dict(self) -> dict[str, Any]:
        """The model as its document: ``ServiceModel.from_dict(m.to_dict()) == m``."""
        needs = dict(self.relations)
        return {
            "cis": list(self.cis),
            "services": {
                s: {
                    "needs": [
                        n.to_dict() if isinstance(n, Redundant) else n for n in needs.get(s, ())
                    ]
                }
                for s in self.services
            },
        }

    def __repr__(self) -> str:
        return f"ServiceModel({len(self.services)} services, {len(self.cis)} CIs)"

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a CI or a service of the model."""
        return isinstance(name, str) and (name in self._ci_set or name in self._depends)

    # -- questions ----------------------------------------------------------------

    def depends_on(self, service: str) -> frozenset[str]:
        """Every CI ``service`` needs, directly or through the services it needs."""
        return self._depends[self._service(service, "service")]

    def impacted_by(self, name: str) -> frozenset[str]:
        """Every service that needs ``name`` (a CI, or a service), directly or through others.

        A CI no service needs impacts none; a name the model does not know is
        an :class:`~itilkit.InvalidValueError`.
        """
        if not isinstance(name, str) or name not in self:
            raise InvalidValueError("name", "a CI or a service of the model", name)
        return self._impacted.get(name, frozenset())

    def _service(self, value: object, field: str) -> str:
        if not isinstance(value, str) or value not in self._depends:
            raise InvalidValueError(field, "a service of the model", value)
        return value

    def service_outages(
        self, service: str, component_outages: Mapping[str, Iterable[Outage]] | Iterable[Outage]
    ) -> tuple[Outage, ...]:
        """When ``service`` was down (or degraded), from its components' outages, exactly.

        ``component_outages`` maps a CI name to its outages, or is an
        iterable of outages each carrying ``ci=``. Only the outages of CIs
        the service needs are read (the keys of a mapping must all be CIs of
        the model). The outages returned are sorted, disjoint and carry
        ``service=``; each has one impact and one planned flag, so a change
        of either starts a new outage. They are shown in the zone of the
        first outage read (the model's CI order, then the outages' order).
        """
        name = self._service(service, "service")
        by_ci, impacts, tz, known = self._read(component_outages, self._depends[name])
        if tz is None:
            return ()
        out = []
        for s, e, level, planned in self._timeline(name, by_ci):
            outage = Outage.__new__(Outage)  # checked values: the constructor's checks skipped
            outage.__attrs_init__(
                known.get(s) or from_us(s, tz),
                known.get(e) or from_us(e, tz),
                impacts[level - 1],
                planned,
                None,
                service=name,
                ci=None,
                start_us=s,
                end_us=e,
            )
            out.append(outage)
        return tuple(out)

    def availability(
        self,
        service: str,
        component_outages: Mapping[str, Iterable[Outage]] | Iterable[Outage],
        *,
        window: ServiceWindow,
        start: datetime | str,
        end: datetime | str,
        target: RatioLike | None = None,
    ) -> AvailabilityReport:
        """The service's availability over ``[start, end)``: :func:`~itilkit.measure_availability`
        of its :meth:`service_outages`."""
        return measure_availability(
            self.service_outages(service, component_outages),
            window=window,
            start=start,
            end=end,
            target=target,
        )

    # -- the sweep ----------------------------------------------------------------

    def _read(
        self, given: object, wanted: frozenset[str]
    ) -> tuple[dict[str, list[Segment]], list[Fraction], Zone | None, dict[int, Any]]:
        """Each wanted CI's timeline (overlapping outages: the larger impact, planned if all are),
        the impacts by level, the zone of the first outage read, and the instants of the
        outages read in that zone (by microsecond: a service outage reuses them)."""
        grouped: dict[str, list[Outage]] = {}
        order = sorted(wanted, key=self._ci_index.__getitem__)
        if isinstance(given, Mapping):
            if given.keys() - self._ci_set:
                for key in given:
                    if not isinstance(key, str) or key not in self._ci_set:
                        raise InvalidValueError(
                            "component_outages", "keyed by CIs of the model", key
                        )
            for key in order:
                if key in given:
                    value = given[key]
                    field = f"component_outages.{key}"
                    if isinstance(value, Outage | str | bytes | Mapping) or not isinstance(
                        value, Iterable
                    ):
                        raise InvalidValueError(field, "an iterable of Outage", value)
                    items = list(value)
                    for i, o in enumerate(items):
                        if not isinstance(o, Outage):
                            raise InvalidValueError(f"{field}[{i}]", "an Outage", o)
                        if o.ci is not None and o.ci != key:
                            raise InvalidValueError(f"{field}[{i}].ci", f"None or {key!r}", o.ci)
                    grouped[key] = items
        else:
            if isinstance(given, Outage | str | bytes) or not isinstance(given, Iterable):
                raise InvalidValueError(
                    "component_outages", "a mapping of CI to outages, or outages with ci=", given
                )
            for i, o in enumerate(given):
                if not isinstance(o, Outage):
                    raise InvalidValueError(f"component_outages[{i}]", "an Outage", o)
                if o.ci is None or o.ci not in self._ci_set:
                    raise InvalidValueError(
                        f"component_outages[{i}].ci", "a CI of the model", o.ci
                    )
                if o.ci in wanted:
                    grouped.setdefault(o.ci, []).append(o)
        tz: Zone | None = None
        pairs = {
            (o.impact.numerator, o.impact.denominator)
            for outages in grouped.values()
            for o in outages
        }
        impacts = sorted(Fraction(a, b) for a, b in pairs)
        rank = {(v.numerator, v.denominator): i for i, v in enumerate(impacts, 1)}
        known: dict[int, Any] = {}
        out: dict[str, list[Segment]] = {}
        for key in order:
            outages = grouped.get(key)
            if not outages:
                continue
            if tz is None:
                tz = outages[0].start.tzinfo
            events = []
            n = 0
            for o in outages:
                if o.end_us > o.start_us:
                    n += 1
                    if o.start.tzinfo is tz:
                        known[o.start_us] = o.start
                    if o.end.tzinfo is tz:
                        known[o.end_us] = o.end
                    level = rank[o.impact.numerator, o.impact.denominator]
                    events.append((o.start_us, 1, level, o.planned))
                    events.append((o.end_us, -1, level, o.planned))
            out[key] = _combine(events, n, n, one_ci=True)
        return out, impacts, tz, known

    def _timeline(self, service: str, by_ci: dict[str, list[Segment]]) -> list[Segment]:
        """The timeline of a service: the services it needs first, in topological order."""
        below = {service}
        stack = [service]
        while stack:  # the services ``service`` needs, transitively (walked without recursion)
            for need in self._needs.get(stack.pop(), ()):
                for name in _service_needs(need):
                    if name not in self._ci_set and name not in below:
                        below.add(name)
                        stack.append(name)
        done: dict[str, list[Segment]] = {}

        def of(name: str) -> list[Segment]:
            return by_ci.get(name, []) if name in self._ci_set else done[name]

        for name in self._order:
            if name not in below:
                continue
            parts: list[list[Segment]] = []
            for need in self._needs.get(name, ()):
                if isinstance(need, Redundant):
                    members = [of(m) for m in need.members]
                    parts.append(_combine(_events(members), len(members), need.needed))
                else:
                    parts.append(of(need))
            done[name] = _combine(_events(parts), len(parts), len(parts)) if parts else []
        return done[service]


def _read_need(value: object, path: str, problems: Problems) -> Need | None:
    """One need of a service document: a name, or ``{"redundant": [...], "needed": k}``."""
    if isinstance(value, str):
        return problems.check(path, lambda: _name(value, "need"))
    group = problems.mapping(path, value)
    if group is None:
        return None
    problems.unknown(path, group, GROUP_KEYS)
    if "redundant" not in group:
        problems.add(f"{path}.redundant", "is required")
        return None
    members = problems.array(f"{path}.redundant", group["redundant"])
    if members is None:
        return None
    names = [
        problems.check(f"{path}.redundant[{i}]", partial(_name, v, "member"))
        for i, v in enumerate(members)
    ]
    needed = problems.check(f"{path}.needed", lambda: _needed(group.get("needed", 1)))
    if None in names or needed is None:
        return None
    return problems.check(path, lambda: Redundant(names, needed=needed))  # type: ignore[arg-type]


_CYCLE = "not need itself"
#: What each rule of :func:`_check` asks, as the constructor's errors say it.
_NOUNS = {
    "name each service once": "a name given once",
    "name each CI once": "a name given once",
    "not also name a service": "a name that is not also a service",
    "name a service of the model": "a service of the model",
    "name a CI or a service of the model": "a CI or a service of the model",
    _CYCLE: "a need that does not close a cycle of services",
}


def _check(
    services: tuple[str, ...], cis: tuple[str, ...], needs: dict[str, tuple[Need, ...]]
) -> list[tuple[str, str, str, str]]:
    """What only the whole model can check: (constructor field, document path, rule, value).

    The value is the name at fault, or for a cycle the cycle's text.
    """
    found: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for i, name in enumerate(services):
        if name in seen:
            found.append((f"services[{i}]", f"$.services.{name}", "name each service once", name))
        seen.add(name)
    service_set = frozenset(services)
    seen = set()
    for i, name in enumerate(cis):
        if name in seen:
            found.append((f"cis[{i}]", f"$.cis[{i}]", "name each CI once", name))
        elif name in service_set:
            found.append((f"cis[{i}]", f"$.cis[{i}]", "not also name a service", name))
        seen.add(name)
    known = service_set | seen
    for service, items in needs.items():
        if service not in service_set:
            found.append(
                (
                    "relations",
                    f"$.services.{service}",
                    "name a service of the model",
                    service,
                )
            )
            continue
        for i, need in enumerate(items):
            field, path = f"relations.{service}[{i}]", f"$.services.{service}.needs[{i}]"
            if isinstance(need, Redundant):
                for j, member in enumerate(need.members):
                    if member not in known:
                        found.append(
                            (
                                f"{field}.members[{j}]",
                                f"{path}.redundant[{j}]",
                                "name a CI or a service of the model",
                                member,
                            )
                        )
            elif need not in known:
                found.append((field, path, "name a CI or a service of the model", need))
    found.extend(_cycles(services, needs))
    return found


def _service_needs(need: Need) -> tuple[str, ...]:
    return need.members if isinstance(need, Redundant) else (need,)


def _cycles(
    services: tuple[str, ...], needs: dict[str, tuple[Need, ...]]
) -> list[tuple[str, str, str, str]]:
    """Each cycle of services once, at the need that closes it (walked without recursion)."""
    service_set = frozenset(services)
    state: dict[str, int] = {}  # 1: on the walk, 2: done
    found: list[tuple[str, str, str, str]] = []
    for root in services:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, list[tuple[int, str]]]] = [(root, _edges(root, needs, service_set))]
        while stack:
            node, todo = stack[-1]
            if not todo:
                state[node] = 2
                stack.pop()
                continue
            i, nxt = todo.pop(0)
            if state.get(nxt) == 1:
                names = [s for s, _ in stack]
                cycle = [*names[names.index(nxt) :], nxt]
                found.append(
                    (
                        f"relations.{node}[{i}]",
                        f"$.services.{node}.needs[{i}]",
                        _CYCLE,
                        f"the cycle {' -> '.join(cycle)!r}",
                    )
                )
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, _edges(nxt, needs, service_set)))
    return found


def _edges(
    service: str, needs: dict[str, tuple[Need, ...]], services: frozenset[str]
) -> list[tuple[int, str]]:
    return [
        (i, name)
        for i, need in enumerate(needs.get(service, ()))
        for name in _service_needs(need)
        if name in services
    ]


def _topological(services: tuple[str, ...], needs: dict[str, tuple[Need, ...]]) -> tuple[str, ...]:
    """The services, each after every service it needs (the model has no cycle)."""
    service_set = frozenset(services)
    order: list[str] = []
    done: set[str] = set()
    for root in services:
        if root in done:
            continue
        stack = [(root, iter(_edges(root, needs, service_set)))]
        done.add(root)
        while stack:
            node, edges = stack[-1]
            for _, nxt in edges:
                if nxt not in done:
                    done.add(nxt)
                    stack.append((nxt, iter(_edges(nxt, needs, service_set))))
                    break
            else:
                order.append(node)
                stack.pop()
    return tuple(order)
