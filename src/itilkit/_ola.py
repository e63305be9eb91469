"""Do the OLAs and underpinning contracts behind an SLA fit inside it?

ITIL's service level management keeps each SLA target *underpinned*: the
internal teams (operational level agreements, OLAs) and the suppliers
(underpinning contracts, UCs) that an incident passes through must together
be able to finish within the customer's target. Here the stages of a path
are sequential: stage 1 hands over to stage 2, and so on, each using up its
whole target in the worst case. The path fits when the worst case ends no
later than the SLA target.

On one window (every agreement on the SLA's window) this is a sum of
business durations. When windows differ, durations on different calendars
cannot be added; pass ``start=``, and the check walks a timeline instead:
stage 1 starts at ``start`` and is due at its window's ``add``, stage 2
starts there, and the last due instant is compared with the SLA's due
instant from ``start``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import attrs
import pendulum

from ._clock import Metric, within_text
from ._clock_rules import BusinessDays
from ._errors import InvalidValueError
from ._priority import Priority
from ._report import format_duration, html_table, iso, text_table
from ._sla import OLA, SLA, Agreement, Target, UnderpinningContract
from ._time import from_us, to_duration_us, to_timedelta, to_us

__all__ = ["FitReport", "FitStage", "check_fit"]


def _kind(agreement: Agreement) -> str:
    if isinstance(agreement, OLA):
        return "OLA"
    if isinstance(agreement, UnderpinningContract):
        return "UC"
    if isinstance(agreement, SLA):
        return "SLA"
    return type(agreement).__name__


@attrs.frozen
class FitStage:
    """One stage of a path: its agreement's target and where the path stands after it.

    ``target`` is None when the agreement has no target for the metric and
    priority (a gap in the underpinning). ``headroom`` is what is left of the
    SLA target after this stage (negative once the path overruns), in the
    SLA's business time; ``due`` is set only when the check ran on a
    timeline (``start=``).
    """

    name: str
    kind: str
    target: timedelta | BusinessDays | None
    cumulative: timedelta
    headroom: timedelta
    due: pendulum.DateTime | None = None


@attrs.frozen
class FitReport:
    """Whether a path of OLAs and UCs fits inside an SLA target, stage by stage.

    ``gaps`` lists every problem in words (a stage with no target, a window
    that differs from the SLA's without ``start=``, the overrun); ``fits`` is
    true when there is none. ``slack`` is the SLA target minus the whole
    path (negative when it overruns).
    """

    sla: str
    metric: Metric
    priority: Priority
    sla_target: timedelta | BusinessDays | None
    stages: tuple[FitStage, ...]
    slack: timedelta | None
    gaps: tuple[str, ...]

    @property
    def fits(self) -> bool:
        """True when every stage has a target and the path ends within the SLA target."""
        return not self.gaps

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def dur(value: timedelta | BusinessDays | None) -> str | None:
            return within_text(value)

        return {
            "sla": self.sla,
            "metric": self.metric.value,
            "priority": self.priority.name,
            "sla_target": dur(self.sla_target),
            "fits": self.fits,
            "slack": dur(self.slack),
            "stages": [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "target": dur(s.target),
                    "cumulative": dur(s.cumulative),
                    "headroom": dur(s.headroom),
                    "due": None if s.due is None else iso(s.due),
                }
                for s in self.stages
            ],
            "gaps": list(self.gaps),
        }

    def _rows(self) -> list[list[str]]:
        return [
            [
                s.kind,
                s.name,
                _shown(s.target),
                format_duration(s.cumulative),
                format_duration(s.headroom),
            ]
            for s in self.stages
        ]

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        target = "none" if self.sla_target is None else _shown(self.sla_target)
        verdict = "fits" if self.fits else "does not fit"
        return f"{self.sla} {self.metric.value} {self.priority.name} (target {target}): {verdict}"

    _HEADERS = ("kind", "stage", "target", "cumulative", "headroom")

    def __str__(self) -> str:
        text = text_table(self._HEADERS, self._rows(), title=self.title)
        return "\n".join([text, *(f"gap: {g}" for g in self.gaps)])

    def _repr_html_(self) -> str:
        caption = "; ".join(self.gaps) or None
        return html_table(self._HEADERS, self._rows(), title=self.title, caption=caption)


def _shown(target: timedelta | BusinessDays | None) -> str:
    if target is None:
        return "-"
    return str(target) if isinstance(target, BusinessDays) else format_duration(target)


def _stage_target(agreement: Agreement, metric: Metric, priority: Priority) -> Target | None:
    """The target a stage contributes: its own for ``metric``, else (an OLA per group)
    the target of its only custom clock."""
    found = agreement.target_for(metric, priority)
    if found is None and len(agreement.clocks) == 1:
        found = agreement.target_for(agreement.clocks[0].name, priority)
    return found


def check_fit(
    sla: Agreement,
    path: Sequence[Agreement],
    *,
    metric: Metric | str,
    priority: Priority | str | int,
    start: object = None,
) -> FitReport:
    """Check that the OLA/UC targets along ``path``, one after another, fit in the SLA target.

    Each stage counts its target in the target's own window (or its
    agreement's). An OLA per assignment group, whose only target is on its
    own clock ("time in the network team"), is a stage with that target. A
    target in business days, or windows that differ, need ``start=``: the
    check then walks a timeline from that instant.

    >>> from itilkit import ServiceWindow, Target
    >>> w = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin")
    >>> sla = SLA("Gold", window=w, targets=[Target("resolution", "PT8H")])
    >>> desk = OLA("Service desk", window=w, targets=[Target("resolution", "PT2H")])
    >>> carrier = UnderpinningContract("Carrier", window=w, targets=[Target("resolution", "PT5H")])
    >>> report = check_fit(sla, [desk, carrier], metric="resolution", priority="P2")
    >>> report.fits, report.slack
    (True, datetime.timedelta(seconds=3600))
    >>> print(report)
    Gold resolution P2 (target 8h 00m): fits
    kind  stage         target  cumulative  headroom
    ----  ------------  ------  ----------  --------
    OLA   Service desk  2h 00m  2h 00m      6h 00m
    UC    Carrier       5h 00m  7h 00m      1h 00m
    """
    if not isinstance(sla, Agreement):
        raise InvalidValueError("sla", "an SLA (or another agreement)", sla)
    m = Metric.parse(metric)
    p = Priority.parse(priority)
    sla_target = sla.target_for(m, p)
    gaps: list[str] = []
    if isinstance(path, str | bytes) or not isinstance(path, Sequence):
        raise InvalidValueError("path", "a sequence of OLAs or underpinning contracts", path)
    if not path:
        raise InvalidValueError("path", "at least one OLA or underpinning contract", path)
    for i, stage in enumerate(path):
        if not isinstance(stage, Agreement):
            raise InvalidValueError(f"path[{i}]", "an OLA or underpinning contract", stage)
    window = sla.window if sla_target is None or sla_target.window is None else sla_target.window
    start_us = None if start is None else to_us(start, "start")
    total_us = None
    if sla_target is None:
        gaps.append(f"{sla.name} has no {m.value} target for {p.name}")
    elif not isinstance(sla_target.within, BusinessDays):
        total_us = to_duration_us(sla_target.within)
    elif start_us is not None:
        total_us = window.business_time_us(
            start_us, window.add_days_us(start_us, sla_target.within.days)
        )
    else:
        gaps.append(f"{sla.name!r} counts {sla_target.within}; pass start= to compare")
    stages: list[FitStage] = []
    cumulative = 0
    cursor = start_us
    timeline_ok = start_us is not None
    for agreement in path:
        target = _stage_target(agreement, m, p)
        own = agreement.window if target is None or target.window is None else target.window
        if target is None:
            gaps.append(
                f"{_kind(agreement)} {agreement.name!r} has no {m.value} target for {p.name}"
            )
        elif start_us is None and isinstance(target.within, BusinessDays):
            gaps.append(
                f"{_kind(agreement)} {agreement.name!r} counts {target.within};"
                " pass start= to compare on a timeline"
            )
        elif own != window and start_us is None:
            gaps.append(
                f"{_kind(agreement)} {agreement.name!r} runs on another window than"
                f" {sla.name!r}; pass start= to compare on a timeline"
            )
        due = None
        if target is not None and cursor is not None:
            if isinstance(target.within, BusinessDays):
                cursor = own.add_days_us(cursor, target.within.days)
            else:
                cursor = own.add_us(cursor, to_duration_us(target.within))
            due = from_us(cursor, window.tz)
        elif cursor is not None:
            timeline_ok = False
            cursor = None
        if start_us is not None and cursor is not None:
            cumulative = window.business_time_us(start_us, cursor)
        elif target is not None and not isinstance(target.within, BusinessDays):
            cumulative += to_duration_us(target.within)
        stages.append(
            FitStage(
                name=agreement.name,
                kind=_kind(agreement),
                target=None if target is None else target.within,
                cumulative=to_timedelta(cumulative),
                headroom=to_timedelta((total_us or 0) - cumulative),
                due=due,
            )
        )
    slack = None
    if total_us is not None:
        slack = to_timedelta(total_us - cumulative)
        if cumulative > total_us and (start_us is None or timeline_ok):
            gaps.append(
                f"the path needs {format_duration(to_timedelta(cumulative))}, more than the"
                f" {format_duration(to_timedelta(total_us))}"
                f" target of {sla.name!r} by {format_duration(to_timedelta(cumulative - total_us))}"
            )
    return FitReport(
        sla=sla.name,
        metric=m,
        priority=p,
        sla_target=None if sla_target is None else sla_target.within,
        stages=tuple(stages),
        slack=slack,
        gaps=tuple(gaps),
    )
