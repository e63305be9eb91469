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

import typing as _typing

from .._lazy import lazy_namespace as _lazy_namespace

if _typing.TYPE_CHECKING:  # what the names are, for type checkers; _HOMES loads them
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

#: Where each name lives; a reader's module loads the first time one of its names is
#: looked up (see ``itilkit._lazy``): ``read_outages`` never loads the event-log reader.
#: Classes defined here are shown as ``itilkit.io.EventLog``.
_HOMES: dict[str, tuple[str, ...]] = {
    ".._incident": ("CARRIED_FIELDS", "FieldChange"),
    "._event_log": ("PRESETS", "EventLog", "EventLogSummary", "Preset", "read_event_log"),
    "._field_changes": (
        "FIELD_CHANGE_PRESETS",
        "FieldChangeLog",
        "FieldChangePreset",
        "read_field_changes",
    ),
    "._loaders": ("Outages", "read_outages", "read_samples"),
    "._snapshot": ("SNAPSHOT_PRESETS", "SnapshotPreset", "read_incidents"),
}

if not _typing.TYPE_CHECKING:  # hidden from type checkers: they would accept any name, typos too
    __getattr__, __dir__ = _lazy_namespace(globals(), _HOMES)
