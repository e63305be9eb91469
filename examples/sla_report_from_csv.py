"""An SLA compliance report from a ticket system's CSV audit export.

Run it from anywhere; it reads the ServiceNow sample bundled with itilkit, or
the export and SLA file you name::

    python examples/sla_report_from_csv.py
    python examples/sla_report_from_csv.py export.csv gold.toml Europe/Berlin

The same report is one command away: ``itilkit report export.csv --sla gold.toml``.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import resources

from itilkit import SLA, Metric
from itilkit.io import read_event_log


def main(argv: list[str]) -> None:
    if len(argv) == 3:
        sla = SLA.from_file(argv[1])
        log = read_event_log(argv[0], tz=argv[2])
    else:
        data = resources.files("itilkit").joinpath("data")
        sla = SLA.from_dict(tomllib.loads(data.joinpath("demo_sla.toml").read_text("utf-8")))
        with data.joinpath("servicenow_event_log_sample.csv").open(encoding="utf-8") as handle:
            log = read_event_log(handle, tz="America/Sao_Paulo", dayfirst=True)

    as_of = max(max([i.opened_at, *(t.at for t in i.history)]) for i in log.incidents)
    report = sla.compliance(log.incidents, as_of=as_of)
    print(report)

    # One clock in detail: the first incident that waited on its caller.
    held = next(i for i in log.incidents if i.time_in("on_hold", as_of=as_of))
    clock = sla.clock(held, Metric.RESOLUTION, as_of=as_of)
    print()
    print(
        f"{held.id}: resolution {clock.stage}, {clock.elapsed} of business time "
        f"against {clock.target}; paused {len(clock.pauses)} time(s)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
