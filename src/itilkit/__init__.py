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

__version__ = "0.1.0"

from ._errors import (
    ChronologyError,
    ConfigError,
    EventLogError,
    InvalidTransitionError,
    InvalidValueError,
    ItilkitError,
    ItilkitWarning,
    NaiveDatetimeError,
    NoOpenTimeError,
    UnknownHolidaysError,
    UnknownZoneError,
    WindowSpecError,
)
from ._window import ServiceWindow, Span

# Each domain's imports go above, each domain's public names in its list below.

_ERRORS = [
    "ChronologyError",
    "ConfigError",
    "EventLogError",
    "InvalidTransitionError",
    "InvalidValueError",
    "ItilkitError",
    "ItilkitWarning",
    "NaiveDatetimeError",
    "NoOpenTimeError",
    "UnknownHolidaysError",
    "UnknownZoneError",
    "WindowSpecError",
]
_WINDOWS = ["ServiceWindow", "Span"]

# --- incidents (issue 3) ---
_INCIDENTS: list[str] = []

# --- SLAs (issue 4) ---
_SLAS: list[str] = []

# --- availability and capacity (issue 5) ---
_AVAILABILITY: list[str] = []

# --- change enablement (issue 6) ---
_CHANGE: list[str] = []

__all__ = sorted(
    ["__version__", *_ERRORS, *_WINDOWS, *_INCIDENTS, *_SLAS, *_AVAILABILITY, *_CHANGE]
)

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "itilkit"
del _name, _obj
