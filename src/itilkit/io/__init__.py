"""Importers: turn what ticket systems export into itilkit values.

:func:`read_event_log` reads an audit export (one row per update of a ticket,
as ServiceNow and process-mining tools write it) into replayed
:class:`~itilkit.Incident`\\ s and the :class:`~itilkit.Anomaly`\\ s found on
the way, returned together as an :class:`EventLog`.

>>> from itilkit.io import read_event_log
>>> callable(read_event_log)
True
"""

from __future__ import annotations

from ._event_log import PRESETS, EventLog, Preset, read_event_log
from ._loaders import Outages, read_outages, read_samples

__all__ = [
    "PRESETS",
    "EventLog",
    "Outages",
    "Preset",
    "read_event_log",
    "read_outages",
    "read_samples",
]

for _name in ("EventLog", "Outages", "Preset"):
    globals()[_name].__module__ = "itilkit.io"
del _name
