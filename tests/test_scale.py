"""Scale-out: windows and SLAs travel to worker processes and give the same answers
there; per-partition counts and totals add up to those of the whole (pickle, Dask)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

from itilkit import SLA, Incident, InvalidValueError, ServiceWindow, State, Target
from itilkit.dataframe import (
    business_time,
    business_time_total,
    combine_counts,
    compliance_counts,
    sla_columns,
)

WINDOW = ServiceWindow.weekly(
    "Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR"
) - ServiceWindow.recurring("FREQ=WEEKLY;BYDAY=WE;BYHOUR=12", duration="PT1H", tz="Asia/Seoul")

OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
GOLD = SLA(
    "Gold",
    window=OFFICE,
    targets=[
        Target("response", "PT30M", priority="P1"),
        Target("response", "PT4H"),
        Target("resolution", "PT8H", priority="P1", window=ServiceWindow.always()),
        Target("resolution", "P2D", priority="P2"),
        Target("resolution", "3 business days", priority="P3"),
    ],
)
"""Per-priority targets, a 24x7 per-target window, a business-days target, and no
resolution target for P4 and P5 (counted as no_target)."""
AS_OF = "2026-04-20T12:00+02:00"
COUNTS = ["met", "breached", "in_progress", "no_target"]


def _tickets(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    opened = pd.Timestamp("2026-01-01", tz="Asia/Seoul") + pd.to_timedelta(
        rng.integers(0, 360 * 24 * 60, n), unit="min"
    )
    resolved = opened + pd.to_timedelta(rng.integers(0, 14 * 24 * 60, n), unit="min")
    frame = pd.DataFrame({"opened_at": opened, "resolved_at": resolved})
    frame.loc[::7, "resolved_at"] = pd.NaT  # some tickets are still open
    return frame


def ticket_rows(n: int, seed: int = 11) -> pd.DataFrame:
    """Flat ticket rows: P1-P5, 10% never answered, 20% not resolved, some answered or
    resolved after AS_OF, some resolved before they were answered."""
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2026-03-02", tz="Europe/Berlin") + pd.to_timedelta(
        rng.integers(0, 48 * 24 * 60, n), unit="min"
    )
    responded = opened + pd.to_timedelta(rng.integers(-60, 3 * 24 * 60, n), unit="min")
    resolved = responded + pd.to_timedelta(rng.integers(-120, 10 * 24 * 60, n), unit="min")
    frame = pd.DataFrame(
        {
            "number": [f"INC{i:05d}" for i in range(n)],
            "priority": rng.choice(["P1", "P2", "P3", "P4", "P5"], n),
            "opened_at": opened,
            "responded_at": responded,
            "resolved_at": resolved,
        }
    )
    frame.loc[rng.random(n) < 0.2, "resolved_at"] = pd.NaT
    frame.loc[rng.random(n) < 0.1, "responded_at"] = pd.NaT
    return frame


def split(frame: pd.DataFrame, parts: int) -> list[pd.DataFrame]:
    """``frame`` in ``parts`` consecutive pieces of nearly equal length."""
    bounds = np.linspace(0, len(frame), parts + 1).astype(int)
    return [frame.iloc[a:b] for a, b in pairwise(bounds.tolist())]


def incident_of(row: Any) -> Incident:
    """The incident a ticket row describes, built by hand: opened, answered, resolved."""
    levels = {"P1": (1, 1), "P2": (1, 2), "P3": (1, 3), "P4": (2, 3), "P5": (3, 3)}
    events = [
        (row[column].to_pydatetime(), state)
        for column, state in (("responded_at", State.IN_PROGRESS), ("resolved_at", State.RESOLVED))
        if not pd.isna(row[column])
    ]
    impact, urgency = levels[row["priority"]]
    return Incident.replay(
        row["number"],
        events,
        impact=impact,
        urgency=urgency,
        opened_at=row["opened_at"].to_pydatetime(),
        strict=False,
    )


def report_counts(frame: pd.DataFrame, sla: SLA, as_of: str) -> dict[tuple[str, str], list[int]]:
    """Each (metric, priority) cell of ``sla.compliance`` over the rows' incidents, with
    the clocks without a target counted by priority."""
    incidents = [incident_of(row) for _, row in frame.iterrows()]
    report = sla.compliance(incidents, as_of=as_of)
    out = {
        (m.value, p.name): [t.met, t.breached, t.in_progress, 0]
        for m, p, t in report.cells
        if t.met or t.breached or t.in_progress
    }
    for m in ("response", "resolution"):
        for inc in incidents:
            if sla.target_for(m, inc.priority) is None:
                out.setdefault((m, inc.priority.name), [0, 0, 0, 0])[3] += 1
    assert sum(v[3] for v in out.values()) == report.no_target
    return out


def as_cells(counts: pd.DataFrame) -> dict[tuple[str, str], list[int]]:
    """The non-zero rows of a counts frame, as report_counts gives them."""
    return {
        (r.metric, r.priority): [r.met, r.breached, r.in_progress, r.no_target]
        for r in counts.itertuples()
        if r.met or r.breached or r.in_progress or r.no_target
    }


def _business_time(frame: pd.DataFrame, window: ServiceWindow) -> pd.Series:
    """The recipe's partition function: one vectorised call per partition."""
    values = window.business_time_many(frame["opened_at"], frame["resolved_at"])
    return pd.Series(values, index=frame.index, name="business_time")


def _scalar(frame: pd.DataFrame) -> list[timedelta | None]:
    return [
        None if pd.isna(b) else WINDOW.business_time(a.to_pydatetime(), b.to_pydatetime())
        for a, b in zip(frame["opened_at"], frame["resolved_at"], strict=True)
    ]


def _as_list(series: pd.Series) -> list[timedelta | None]:
    return [None if pd.isna(v) else v.to_pytimedelta() for v in series]


class TestComplianceCounts:
    def test_equals_the_compliance_report_of_the_rows(self) -> None:
        """Each count is the report's: sla.compliance over the incidents the rows describe."""
        frame = ticket_rows(600)
        counts = compliance_counts(frame, GOLD, as_of=AS_OF)
        assert as_cells(counts) == report_counts(frame, GOLD, AS_OF)
        assert counts[COUNTS].to_numpy().sum() == 2 * len(frame)  # every clock counted once

    def test_one_row_per_metric_and_priority(self) -> None:
        """Every partition gives the same rows, zeros included, as int64 counts."""
        counts = compliance_counts(ticket_rows(3), GOLD, as_of=AS_OF, metrics=["resolution"])
        assert counts["metric"].tolist() == ["resolution"] * 5
        assert counts["priority"].tolist() == ["P1", "P2", "P3", "P4", "P5"]
        assert [str(counts[c].dtype) for c in COUNTS] == ["int64"] * 4
        empty = compliance_counts(ticket_rows(0), GOLD, as_of=AS_OF)
        assert len(empty) == 10
        assert (empty[COUNTS] == 0).all().all()

    @pytest.mark.parametrize("parts", [1, 2, 7, 40])
    def test_parts_add_up_to_the_whole(self, parts: int) -> None:
        """Counts of partitions, combined, equal the counts of the whole frame."""
        frame = ticket_rows(400)
        whole = compliance_counts(frame, GOLD, as_of=AS_OF)
        pieces = [compliance_counts(p, GOLD, as_of=AS_OF) for p in split(frame, parts)]
        pd.testing.assert_frame_equal(combine_counts(pieces), whole)

    def test_text_timestamps_count_the_same(self) -> None:
        """ISO strings (a CSV read without parse_dates) take the row-by-row path, same counts."""
        frame = ticket_rows(120)
        text = frame.copy()
        for column in ("opened_at", "responded_at", "resolved_at"):
            text[column] = [None if pd.isna(v) else v.isoformat() for v in frame[column]]
        pd.testing.assert_frame_equal(
            compliance_counts(text, GOLD, as_of=AS_OF), compliance_counts(frame, GOLD, as_of=AS_OF)
        )

    def test_the_stages_of_sla_columns_counted(self) -> None:
        """The counts are sla_columns' stages per metric and priority ('running': in progress)."""
        frame = ticket_rows(300)
        clocks = sla_columns(frame, GOLD, as_of=AS_OF)
        counts = compliance_counts(frame, GOLD, as_of=AS_OF)
        names = {"met": "met", "breached": "breached", "running": "in_progress"}
        names["no target"] = "no_target"
        for metric in ("response", "resolution"):
            tally = clocks.groupby(["priority", f"{metric}_stage"]).size()
            for (priority, stage), n in tally.items():
                row = counts[(counts.metric == metric) & (counts.priority == priority)]
                assert row[names[stage]].item() == n

    def test_impact_and_urgency_columns(self) -> None:
        """Without a priority column the ITIL matrix gives each row its priority."""
        frame = ticket_rows(200)
        levels = {
            "P1": (1, "high"),
            "P2": (1, "medium"),
            "P3": (2, "medium"),
            "P4": (3, "medium"),
            "P5": (3, "low"),
        }
        by_levels = frame.drop(columns="priority").assign(
            impact=[levels[p][0] for p in frame["priority"]],
            urgency=[levels[p][1] for p in frame["priority"]],
        )
        pd.testing.assert_frame_equal(
            compliance_counts(by_levels, GOLD, as_of=AS_OF, priority=None),
            compliance_counts(frame, GOLD, as_of=AS_OF),
        )

    def test_errors_are_those_of_sla_columns(self) -> None:
        """A ticket opened after as_of is named, as sla_columns names it; so is a bad frame."""
        frame = ticket_rows(5)
        with pytest.raises(InvalidValueError, match="'as_of' must be at or after the opening"):
            compliance_counts(frame, GOLD, as_of="2026-03-01T00:00Z")
        with pytest.raises(InvalidValueError, match="the columns 'priority'"):
            compliance_counts(frame.drop(columns="priority"), GOLD, as_of=AS_OF)
        with pytest.raises(InvalidValueError, match="'priority' must be P1 to P5"):
            compliance_counts(frame.assign(priority="urgent"), GOLD, as_of=AS_OF)
        with pytest.raises(InvalidValueError, match="'sla' must be an SLA"):
            compliance_counts(frame, "Gold", as_of=AS_OF)  # type: ignore[arg-type]


class TestBusinessTimeTotal:
    def test_equals_the_sum_of_business_time(self) -> None:
        """The total is the exact sum of business_time over the rows with both ends."""
        frame = _tickets(500)
        total = business_time_total(frame, WINDOW)
        each = business_time(frame, WINDOW)
        assert total.to_dict("records") == [
            {
                "rows": 500,
                "intervals": int(each.notna().sum()),
                "business_time_us": sum(
                    v // timedelta(microseconds=1) for v in _scalar(frame) if v
                ),
            }
        ]

    def test_parts_add_up_to_the_whole(self) -> None:
        frame = _tickets(300)
        pieces = [business_time_total(p, WINDOW) for p in split(frame, 9)]
        pd.testing.assert_frame_equal(combine_counts(pieces), business_time_total(frame, WINDOW))

    def test_negative_business_time_sums_exactly(self) -> None:
        """An end before its start counts negative, as business_time_many gives it."""
        start = pd.Series(pd.to_datetime(["2026-03-05T00:00:00.000001"]).tz_localize("UTC"))
        end = pd.Series(pd.to_datetime(["2026-03-04T00:00"]).tz_localize("UTC"))
        frame = pd.DataFrame({"opened_at": start, "resolved_at": end})
        out = business_time_total(frame, ServiceWindow.always(tz="UTC"))
        assert out["business_time_us"].item() == -86_400_000_001


class TestCombineCounts:
    def test_sums_beyond_an_int64_stay_exact(self) -> None:
        """Totals too large for an int64 are kept as Python ints, never wrapped around."""
        big = pd.DataFrame({"rows": [1], "business_time_us": [2**62]})
        out = combine_counts([big, big, big])
        assert out["business_time_us"].item() == 3 * 2**62
        assert out["business_time_us"].dtype == object
        again = combine_counts([out, big])
        assert again["business_time_us"].item() == 4 * 2**62

    def test_one_concatenated_frame(self) -> None:
        """The partitions' rows together (Dask's compute(), PySpark's toPandas()) combine too."""
        a = pd.DataFrame({"metric": ["response", "resolution"], "met": [1, 2]})
        out = combine_counts(pd.concat([a, a, a], ignore_index=True))
        assert out.to_dict("list") == {"metric": ["response", "resolution"], "met": [3, 6]}
        assert len(combine_counts(a.iloc[:0])) == 0

    @pytest.mark.parametrize(
        ("parts", "message"),
        [
            ([], "'parts' must be at least one frame"),
            (None, "'parts' must be a pandas DataFrame or frames"),
            (3, "'parts' must be a pandas DataFrame or frames"),
            ("frames.parquet", "'parts' must be a pandas DataFrame or frames"),
            ([pd.DataFrame({"a": [1]}), "x"], r"'parts\[1\]' must be a pandas DataFrame"),
            (
                [pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]})],
                r"'parts\[1\]' must be a frame with the columns \['a'\]",
            ),
        ],
    )
    def test_refused(self, parts: list[Any], message: str) -> None:
        with pytest.raises(InvalidValueError, match=message):
            combine_counts(parts)


# -- worker processes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """A local cluster of two worker processes, one thread each (as the guide runs it)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def write_partitions(frame: pd.DataFrame, folder: Path, parts: int) -> list[str]:
    """``frame`` as Parquet files, one per partition, as a log too large for one machine
    is kept."""
    folder.mkdir()
    paths = []
    for i, part in enumerate(split(frame, parts)):
        path = folder / f"part-{i:03d}.parquet"
        part.to_parquet(path, index=False)
        paths.append(str(path))
    return paths


def _counts_of_file(path: str, sla: SLA, as_of: str) -> pd.DataFrame:
    return compliance_counts(pd.read_parquet(path), sla, as_of=as_of)


def test_window_in_worker_processes() -> None:
    """A window pickled to worker processes computes what it computes here."""
    frame = _tickets(200)
    chunks = [frame.iloc[i : i + 50] for i in range(0, 200, 50)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(_business_time, chunks, [WINDOW] * len(chunks)))
    assert _as_list(pd.concat(parts)) == _scalar(frame)
    assert pickle.loads(pickle.dumps(WINDOW)) == WINDOW
    assert pickle.loads(pickle.dumps(GOLD)) == GOLD


class TestOnALocalCluster:
    def test_business_time_per_partition(self, client: distributed.Client) -> None:
        """map_partitions of business_time_many on worker processes equals the scalar call."""
        frame = _tickets(400)
        tickets = dd.from_pandas(frame, npartitions=4)
        result = tickets.map_partitions(
            _business_time, WINDOW, meta=("business_time", "timedelta64[us]")
        ).compute()
        assert _as_list(result.sort_index()) == _scalar(frame)

    def test_sla_columns_per_partition(self, client: distributed.Client) -> None:
        """sla_columns per partition under Dask equals the whole-frame call."""
        sla = SLA("Std", window=WINDOW, targets=[Target("resolution", "P1D")])
        frame = _tickets(120).assign(number=[f"T{i}" for i in range(120)], priority="P3")
        frame["responded_at"] = frame["opened_at"]
        expected = sla_columns(frame, sla, as_of="2027-01-01T00:00Z", metrics=["resolution"])
        ddf = dd.from_pandas(frame, npartitions=3)
        result = ddf.map_partitions(
            sla_columns,
            sla,
            as_of="2027-01-01T00:00Z",
            metrics=["resolution"],
            meta=expected.iloc[:0],
        ).compute()
        added = [c for c in expected.columns if c.startswith("resolution_")]
        assert len(added) == 7
        pd.testing.assert_frame_equal(result.sort_index()[added], expected[added])

    def test_compliance_of_parquet_partitions(
        self, client: distributed.Client, tmp_path: Path
    ) -> None:
        """The guide's recipe: each worker reads its Parquet partition and counts it; the
        few rows per partition, combined on the client, equal the one-process call."""
        frame = ticket_rows(2000)
        write_partitions(frame, tmp_path / "tickets", 5)
        tickets = dd.read_parquet(str(tmp_path / "tickets"))
        assert tickets.npartitions == 5
        meta = compliance_counts(tickets._meta, GOLD, as_of=AS_OF).iloc[:0]
        counts = tickets.map_partitions(compliance_counts, GOLD, as_of=AS_OF, meta=meta)
        result = combine_counts(counts.compute())
        pd.testing.assert_frame_equal(result, compliance_counts(frame, GOLD, as_of=AS_OF))
        assert as_cells(result) == report_counts(frame, GOLD, AS_OF)

    def test_compliance_of_files_mapped_to_workers(
        self, client: distributed.Client, tmp_path: Path
    ) -> None:
        """The same without dask.dataframe: client.map over the file paths."""
        frame = ticket_rows(900)
        paths = write_partitions(frame, tmp_path / "tickets", 3)
        futures = client.map(_counts_of_file, paths, sla=GOLD, as_of=AS_OF)
        result = combine_counts(client.gather(futures))
        pd.testing.assert_frame_equal(result, compliance_counts(frame, GOLD, as_of=AS_OF))

    def test_business_time_of_parquet_partitions(
        self, client: distributed.Client, tmp_path: Path
    ) -> None:
        """A sum and a count per partition, exact, equal to the one-process total."""
        frame = _tickets(3000)
        write_partitions(frame, tmp_path / "intervals", 6)
        intervals = dd.read_parquet(str(tmp_path / "intervals"))
        meta = business_time_total(intervals._meta, WINDOW).iloc[:0]
        totals = intervals.map_partitions(business_time_total, WINDOW, meta=meta)
        result = combine_counts(totals.compute())
        pd.testing.assert_frame_equal(result, business_time_total(frame, WINDOW))
