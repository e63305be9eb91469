"""Windows travel to worker processes and give the same answers there (pickle, Dask)."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd

from itilkit import ServiceWindow

WINDOW = ServiceWindow.weekly(
    "Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR"
) - ServiceWindow.recurring("FREQ=WEEKLY;BYDAY=WE;BYHOUR=12", duration="PT1H", tz="Asia/Seoul")


def _tickets(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    opened = pd.Timestamp("2026-01-01", tz="Asia/Seoul") + pd.to_timedelta(
        rng.integers(0, 360 * 24 * 60, n), unit="min"
    )
    resolved = opened + pd.to_timedelta(rng.integers(0, 14 * 24 * 60, n), unit="min")
    frame = pd.DataFrame({"opened_at": opened, "resolved_at": resolved})
    frame.loc[::7, "resolved_at"] = pd.NaT  # some tickets are still open
    return frame


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


def test_window_in_worker_processes() -> None:
    """A window pickled to worker processes computes what it computes here."""
    frame = _tickets(200)
    chunks = [frame.iloc[i : i + 50] for i in range(0, 200, 50)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(_business_time, chunks, [WINDOW] * len(chunks)))
    assert _as_list(pd.concat(parts)) == _scalar(frame)
    assert pickle.loads(pickle.dumps(WINDOW)) == WINDOW


def test_dask_recipe_on_a_local_cluster() -> None:
    """The documented Dask recipe: map_partitions on a local cluster of worker processes."""
    frame = _tickets(400)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        tickets = dd.from_pandas(frame, npartitions=4)
        result = tickets.map_partitions(
            _business_time, WINDOW, meta=("business_time", "timedelta64[us]")
        ).compute()
    assert _as_list(result.sort_index()) == _scalar(frame)


def test_dask_sla_columns() -> None:
    """sla_columns per partition under Dask equals the whole-frame call."""
    from itilkit import SLA, Target
    from itilkit.dataframe import sla_columns

    sla = SLA("Std", window=WINDOW, targets=[Target("resolution", "P1D")])
    frame = _tickets(120).assign(number=[f"T{i}" for i in range(120)], priority="P3")
    frame["responded_at"] = frame["opened_at"]
    expected = sla_columns(frame, sla, as_of="2027-01-01T00:00Z", metrics=["resolution"])
    ddf = dd.from_pandas(frame, npartitions=3)
    result = ddf.map_partitions(
        sla_columns, sla, as_of="2027-01-01T00:00Z", metrics=["resolution"], meta=expected.iloc[:0]
    ).compute(scheduler="processes")
    added = [c for c in expected.columns if c.startswith("resolution_")]
    assert len(added) == 7
    pd.testing.assert_frame_equal(result.sort_index()[added], expected[added])
