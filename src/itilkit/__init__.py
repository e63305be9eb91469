"""itilkit: exact, fast service level management.

Service windows (agreed service hours), incidents, SLAs and OLAs,
availability and error budgets, capacity, and change approval, computed
exactly: integer microseconds for time, :class:`fractions.Fraction` for
ratios, aware instants only.

>>> import itilkit
>>> w = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
>>> w.business_time("2026-03-02T00:00+09:00", "2026-04-01T00:00+09:00")
datetime.timedelta(days=7, seconds=75600)
"""

from __future__ import annotations

import typing as _typing

# The errors are bound at import: ``except itilkit.NoOpenTimeError`` never loads a module.
from . import _errors  # noqa: F401
from ._lazy import lazy_namespace as _lazy_namespace

__version__ = "0.1.0"

if _typing.TYPE_CHECKING:  # what the names are, for type checkers; _HOMES loads them
    from ._approval import (
        DEFAULT_APPROVALS,
        ApprovalPolicy,
        ApprovalRule,
        Decision,
        IgnoredBecause,
        IgnoredVote,
        Outcome,
        RuleResult,
        RuleStatus,
        render_reasons,
    )
    from ._availability import (
        AvailabilityReport,
        CreditSchedule,
        CreditTier,
        DowntimeBreakdown,
        Outage,
        in_parallel,
        in_series,
        measure_availability,
    )
    from ._budget import (
        SRE_WORKBOOK_RULES,
        BurnRateAlert,
        BurnRateRule,
        ErrorBudget,
    )
    from ._capacity import (
        RecurringOverload,
        find_overloads,
        recurring_overloads,
    )
    from ._change import (
        CHANGE_MAIN_PATH,
        CHANGE_TRANSITIONS,
        DEFAULT_RISK_MATRIX,
        IMPACT_LABELS,
        LIKELIHOOD_LABELS,
        ChangeRequest,
        ChangeState,
        ChangeTransition,
        ChangeType,
        Risk,
        RiskMatrix,
        Vote,
    )
    from ._change_calendar import (
        ChangeCalendar,
        Conflict,
        ConflictKind,
    )
    from ._clock import (
        ClockStatus,
        Metric,
        Pause,
    )
    from ._compliance import (
        Breach,
        ComplianceReport,
        Tally,
    )
    from ._continuity import (
        RecoveryObjective,
        RecoveryReport,
        RecoveryRow,
        WorstRecovery,
        check_recovery,
    )
    from ._delivery import (
        DeliveryReport,
        Deployment,
        DurationStats,
        delivery_metrics,
    )
    from ._demo import (
        demo_review,
    )
    from ._desk import (
        Aging,
        AgingRow,
        Backlog,
        CounterCheck,
        CounterRow,
        DeskReport,
        DeskRow,
        desk_metrics,
    )
    from ._errors import (
        ChronologyError,
        ConfigError,
        EventLogError,
        InvalidTransitionError,
        InvalidValueError,
        ItilkitError,
        MissingDependencyError,
        NaiveDatetimeError,
        NoOpenTimeError,
        NoTargetError,
        NotAuthorisedError,
        UnknownHolidaysError,
        UnknownZoneError,
        WindowSpecError,
    )
    from ._finance import (
        credits,
        downtime_cost,
    )
    from ._incident import (
        CARRIED_FIELDS,
        INCIDENT_TRANSITIONS,
        Anomaly,
        FieldChange,
        HoldReason,
        Incident,
        PriorityChange,
        State,
        Transition,
    )
    from ._ola import (
        FitReport,
        FitStage,
        check_fit,
    )
    from ._plot import (
        plot_load,
    )
    from ._priority import (
        ITIL_MATRIX,
        Impact,
        Priority,
        PriorityMatrix,
        Urgency,
    )
    from ._problem import (
        Problem,
        Recurrence,
        find_recurring,
        problems_of,
    )
    from ._reconcile import (
        Reconciliation,
        ReconciliationRow,
        TimeReconciliation,
        TimeRow,
    )
    from ._review import (
        ACTION_KINDS,
        Action,
        BiggestOutage,
        BudgetFigures,
        ChangeEntry,
        RecurringIncidents,
        ReviewPeriod,
        ReviewTable,
        ServiceReview,
        TrendRow,
    )
    from ._schema import (
        schema,
    )
    from ._service_model import (
        Redundant,
        ServiceModel,
    )
    from ._sla import (
        OLA,
        SLA,
        Agreement,
        BusinessDays,
        Clock,
        Condition,
        Target,
        UnderpinningContract,
        compliance,
        select_slas,
    )
    from ._window import (
        ServiceWindow,
        Span,
    )

__all__ = [
    "__version__",
    # errors
    "ChronologyError",
    "ConfigError",
    "EventLogError",
    "InvalidTransitionError",
    "InvalidValueError",
    "ItilkitError",
    "MissingDependencyError",
    "NaiveDatetimeError",
    "NoOpenTimeError",
    "NoTargetError",
    "NotAuthorisedError",
    "UnknownHolidaysError",
    "UnknownZoneError",
    "WindowSpecError",
    # service windows
    "ServiceWindow",
    "Span",
    # incidents
    "Anomaly",
    "CARRIED_FIELDS",
    "FieldChange",
    "INCIDENT_TRANSITIONS",
    "ITIL_MATRIX",
    "HoldReason",
    "Impact",
    "Incident",
    "Priority",
    "PriorityChange",
    "PriorityMatrix",
    "State",
    "Transition",
    "Urgency",
    # service desk
    "Aging",
    "AgingRow",
    "Backlog",
    "CounterCheck",
    "CounterRow",
    "desk_metrics",
    "DeskReport",
    "DeskRow",
    # services and configuration items
    "Redundant",
    "ServiceModel",
    # problems
    "find_recurring",
    "Problem",
    "problems_of",
    "Recurrence",
    # the service review
    "ACTION_KINDS",
    "Action",
    "BiggestOutage",
    "BudgetFigures",
    "ChangeEntry",
    "demo_review",
    "RecurringIncidents",
    "ReviewPeriod",
    "ReviewTable",
    "ServiceReview",
    "TrendRow",
    # release and change delivery
    "delivery_metrics",
    "DeliveryReport",
    "Deployment",
    "DurationStats",
    # continuity and finance
    "check_recovery",
    "credits",
    "downtime_cost",
    "RecoveryObjective",
    "RecoveryReport",
    "RecoveryRow",
    "WorstRecovery",
    # SLAs and OLAs
    "Agreement",
    "Breach",
    "BusinessDays",
    "check_fit",
    "Clock",
    "compliance",
    "ClockStatus",
    "ComplianceReport",
    "Condition",
    "FitReport",
    "FitStage",
    "Metric",
    "OLA",
    "Pause",
    "Reconciliation",
    "ReconciliationRow",
    "TimeReconciliation",
    "TimeRow",
    "schema",
    "select_slas",
    "SLA",
    "Tally",
    "Target",
    "UnderpinningContract",
    # availability, error budgets and capacity
    "AvailabilityReport",
    "BurnRateAlert",
    "BurnRateRule",
    "CreditSchedule",
    "CreditTier",
    "DowntimeBreakdown",
    "ErrorBudget",
    "find_overloads",
    "in_parallel",
    "in_series",
    "measure_availability",
    "Outage",
    "plot_load",
    "recurring_overloads",
    "RecurringOverload",
    "SRE_WORKBOOK_RULES",
    # change enablement
    "ApprovalPolicy",
    "ApprovalRule",
    "CHANGE_MAIN_PATH",
    "CHANGE_TRANSITIONS",
    "DEFAULT_APPROVALS",
    "DEFAULT_RISK_MATRIX",
    "IgnoredBecause",
    "IgnoredVote",
    "IMPACT_LABELS",
    "LIKELIHOOD_LABELS",
    "render_reasons",
    "RuleResult",
    "RuleStatus",
    "ChangeCalendar",
    "ChangeRequest",
    "ChangeState",
    "ChangeTransition",
    "ChangeType",
    "Conflict",
    "ConflictKind",
    "Decision",
    "Outcome",
    "Risk",
    "RiskMatrix",
    "Vote",
]

#: Where each public name lives. A module is imported the first time one of its
#: names is looked up (PEP 562; see ``_lazy``), so ``import itilkit`` costs only the
#: errors, and a script that needs service windows never pays for the service review.
#: The ``if TYPE_CHECKING`` block above says the same for type checkers; a test keeps
#: the two, and ``__all__``, in step.
_HOMES: dict[str, tuple[str, ...]] = {
    "._approval": (
        "DEFAULT_APPROVALS",
        "ApprovalPolicy",
        "ApprovalRule",
        "Decision",
        "IgnoredBecause",
        "IgnoredVote",
        "Outcome",
        "RuleResult",
        "RuleStatus",
        "render_reasons",
    ),
    "._availability": (
        "AvailabilityReport",
        "CreditSchedule",
        "CreditTier",
        "DowntimeBreakdown",
        "Outage",
        "in_parallel",
        "in_series",
        "measure_availability",
    ),
    "._budget": (
        "SRE_WORKBOOK_RULES",
        "BurnRateAlert",
        "BurnRateRule",
        "ErrorBudget",
    ),
    "._capacity": (
        "RecurringOverload",
        "find_overloads",
        "recurring_overloads",
    ),
    "._change": (
        "CHANGE_MAIN_PATH",
        "CHANGE_TRANSITIONS",
        "DEFAULT_RISK_MATRIX",
        "IMPACT_LABELS",
        "LIKELIHOOD_LABELS",
        "ChangeRequest",
        "ChangeState",
        "ChangeTransition",
        "ChangeType",
        "Risk",
        "RiskMatrix",
        "Vote",
    ),
    "._change_calendar": (
        "ChangeCalendar",
        "Conflict",
        "ConflictKind",
    ),
    "._clock": (
        "ClockStatus",
        "Metric",
        "Pause",
    ),
    "._compliance": (
        "Breach",
        "ComplianceReport",
        "Tally",
    ),
    "._continuity": (
        "RecoveryObjective",
        "RecoveryReport",
        "RecoveryRow",
        "WorstRecovery",
        "check_recovery",
    ),
    "._delivery": (
        "DeliveryReport",
        "Deployment",
        "DurationStats",
        "delivery_metrics",
    ),
    "._demo": ("demo_review",),
    "._desk": (
        "Aging",
        "AgingRow",
        "Backlog",
        "CounterCheck",
        "CounterRow",
        "DeskReport",
        "DeskRow",
        "desk_metrics",
    ),
    "._errors": (
        "ChronologyError",
        "ConfigError",
        "EventLogError",
        "InvalidTransitionError",
        "InvalidValueError",
        "ItilkitError",
        "MissingDependencyError",
        "NaiveDatetimeError",
        "NoOpenTimeError",
        "NoTargetError",
        "NotAuthorisedError",
        "UnknownHolidaysError",
        "UnknownZoneError",
        "WindowSpecError",
    ),
    "._finance": (
        "credits",
        "downtime_cost",
    ),
    "._incident": (
        "CARRIED_FIELDS",
        "INCIDENT_TRANSITIONS",
        "Anomaly",
        "FieldChange",
        "HoldReason",
        "Incident",
        "PriorityChange",
        "State",
        "Transition",
    ),
    "._ola": (
        "FitReport",
        "FitStage",
        "check_fit",
    ),
    "._plot": ("plot_load",),
    "._priority": (
        "ITIL_MATRIX",
        "Impact",
        "Priority",
        "PriorityMatrix",
        "Urgency",
    ),
    "._problem": (
        "Problem",
        "Recurrence",
        "find_recurring",
        "problems_of",
    ),
    "._reconcile": (
        "Reconciliation",
        "ReconciliationRow",
        "TimeReconciliation",
        "TimeRow",
    ),
    "._review": (
        "ACTION_KINDS",
        "Action",
        "BiggestOutage",
        "BudgetFigures",
        "ChangeEntry",
        "RecurringIncidents",
        "ReviewPeriod",
        "ReviewTable",
        "ServiceReview",
        "TrendRow",
    ),
    "._schema": ("schema",),
    "._service_model": (
        "Redundant",
        "ServiceModel",
    ),
    "._sla": (
        "OLA",
        "SLA",
        "Agreement",
        "BusinessDays",
        "Clock",
        "Condition",
        "Target",
        "UnderpinningContract",
        "compliance",
        "select_slas",
    ),
    "._window": (
        "ServiceWindow",
        "Span",
    ),
}


if not _typing.TYPE_CHECKING:  # hidden from type checkers: they would accept any name, typos too
    __getattr__, __dir__ = _lazy_namespace(globals(), _HOMES)
