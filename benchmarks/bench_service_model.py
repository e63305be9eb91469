"""Service model speed: compiling a model, impacted_by, and service outages for a year.

Run from the repository root (after ``pip install -e ".[test]"``)::

    python benchmarks/bench_service_model.py            # the figures in docs/performance.md
    python benchmarks/bench_service_model.py --quick    # a smaller run

The model has 10,000 CIs and 1,000 services, shaped like a real estate:
800 application services, each needing ten CIs of its own in series, a
redundant pair of web servers (one of two needed) and two of 400 shared
infrastructure CIs (databases, network); and 200 business services, each
needing four application services and one shared CI. A year (2026) of
100,000 component outages falls on random CIs: five minutes to four hours
long, one in ten planned, one in five partial. The contract asks for
``impacted_by`` under 1 ms and a year of service outages under 2 s.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from itilkit import Outage
from itilkit._service_model import Redundant, ServiceModel


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Best of three runs, in seconds."""
    best = float("inf")
    result = None
    for _ in range(3):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def build(apps: int, businesses: int, shared: int, rng: random.Random) -> dict[str, Any]:
    cis = [f"infra{i}" for i in range(shared)]
    relations: dict[str, list[Any]] = {}
    for a in range(apps):
        own = [f"app{a}.ci{j}" for j in range(10)]
        web = [f"app{a}.web{j}" for j in range(2)]
        cis += own + web
        infra = rng.sample(range(shared), 2)
        relations[f"App{a}"] = [*own, Redundant(web), *(f"infra{i}" for i in infra)]
    for b in range(businesses):
        needs = [f"App{a}" for a in rng.sample(range(apps), 4)]
        relations[f"Biz{b}"] = [*needs, f"infra{rng.randrange(shared)}"]
    return {"services": list(relations), "cis": cis, "relations": relations}


def outages(cis: list[str], count: int, rng: random.Random) -> list[Outage]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(count):
        start = base + timedelta(minutes=rng.randrange(365 * 24 * 60))
        partial = rng.random() < 0.2
        out.append(
            Outage(
                start,
                start + timedelta(minutes=rng.randint(5, 240)),
                impact=Fraction(1, 2) if partial else Fraction(1),
                planned=rng.random() < 0.1,
                ci=rng.choice(cis),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    rng = random.Random(2026)
    shape = build(800 // scale, 200 // scale, 400 // scale, rng)
    seconds, model = timed(lambda: ServiceModel(**shape))
    print(f"{model!r}: compiled in {seconds * 1000:.0f} ms")

    cis = list(model.cis)
    calls = len(cis)
    seconds, _ = timed(lambda: [model.impacted_by(ci) for ci in cis])
    print(f"impacted_by: {seconds / calls * 1e6:.2f} us per call ({calls:,} CIs)")
    seconds, _ = timed(lambda: [model.depends_on(s) for s in model.services])
    print(f"depends_on: {seconds / len(model.services) * 1e6:.2f} us per call")

    year = outages(cis, 100_000 // scale, rng)
    by_ci: dict[str, list[Outage]] = {}
    for o in year:
        by_ci.setdefault(o.ci or "", []).append(o)
    print(f"{len(year):,} component outages in 2026")

    biz = [s for s in model.services if s.startswith("Biz")]
    seconds, result = timed(lambda: model.service_outages(biz[0], by_ci))
    print(f"service_outages, one business service (mapping): {seconds * 1000:.1f} ms")
    seconds, result = timed(lambda: model.service_outages(biz[0], year))
    print(f"service_outages, one business service (outages with ci=): {seconds * 1000:.1f} ms")
    seconds, result = timed(lambda: {s: model.service_outages(s, by_ci) for s in model.services})
    total = sum(len(v) for v in result.values())
    print(
        f"service_outages, all {len(model.services):,} services (mapping): "
        f"{seconds:.2f} s, {total:,} service outages"
    )


if __name__ == "__main__":
    main()
