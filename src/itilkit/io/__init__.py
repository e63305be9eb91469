"""Importers: turn what ticket systems export into itilkit values.

:func:`read_event_log` reads an audit export (one row per update of a ticket,
as ServiceNow and process-mining tools write it) into replayed
:class:`~itilkit.Incident`\\ s (with their carried fields, each change a
:class:`FieldChange`) and the :class:`~itilkit.Anomaly`\\ s found on the way,
returned together as an :class:`EventLog` that accounts for every row.

>>> from itilkit.io import read_event_log
>>> callable(read_event_log)
True
"""

from __future__ import annotations

from .._incident import CARRIED_FIELDS, FieldChange
from ._event_log import PRESETS, EventLog, EventLogSummary, Preset, read_event_log
from ._field_changes import (
    FIELD_CHANGE_PRESETS,
    FieldChangeLog,
    FieldChangePreset,
    read_field_changes,
)
from ._loaders import Outages, read_outages, read_samples
from ._snapshot import SNAPSHOT_PRESETS, SnapshotPreset, read_incidents

__all__ = [
    "CARRIED_FIELDS",
    "FIELD_CHANGE_PRESETS",
    "PRESETS",
    "SNAPSHOT_PRESETS",
    "EventLog",
    "EventLogSummary",
    "FieldChange",
    "FieldChangeLog",
    "FieldChangePreset",
    "Outages",
    "Preset",
    "SnapshotPreset",
    "read_event_log",
    "read_field_changes",
    "read_incidents",
    "read_outages",
    "read_samples",
]

for _name in ("EventLog", "EventLogSummary", "Outages", "Preset", "SnapshotPreset"):
    globals()[_name].__module__ = "itilkit.io"
for _name in ("FieldChangeLog", "FieldChangePreset"):
    globals()[_name].__module__ = "itilkit.io"
del _name
