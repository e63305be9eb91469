"""PySpark: the per-partition functions of itilkit.dataframe under ``mapInPandas`` on a
local session give what the direct call gives (the scale-out guide's recipe)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip(
    "pyspark", reason="the Spark recipe needs pyspark (pip install pyspark; about 460 MB)"
)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "the Spark recipe needs a Java runtime (java on PATH or JAVA_HOME)",
        allow_module_level=True,
    )

from pyspark.sql import SparkSession

from itilkit.dataframe import (
    business_time_total,
    combine_counts,
    compliance_counts,
)

from .test_scale import (
    AS_OF,
    GOLD,
    WINDOW,
    _tickets,
    as_cells,
    report_counts,
    ticket_rows,
    write_partitions,
)

pytestmark = [
    # pyspark 4.3 says so on every pandas 3 conversion; the conversions used here work.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    # pyspark 4.3's toPandas passes pandas 3 a deprecated copy= keyword.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

COUNTS_SCHEMA = (
    "metric string, priority string, met long, breached long, in_progress long, no_target long"
)
TOTAL_SCHEMA = "rows long, intervals long, business_time_us long"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """A quiet local session on two cores; timestamps reach pandas as naive UTC."""
    session = (
        SparkSession.builder.master("local[2]")
        .appName("itilkit-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # The Python workers' copy of pyspark's pandas 3 notice (the tests filter the driver's).
        .config("spark.executorEnv.PYTHONWARNINGS", "ignore::FutureWarning")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def per_batch(
    function: Callable[..., pd.DataFrame], columns: tuple[str, ...], *args: Any, **kwargs: Any
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function mapInPandas runs: each Arrow batch's timestamps made aware again (Spark
    hands them over naive, in the session's zone, UTC here), then ``function`` of it."""

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            for column in columns:
                batch[column] = batch[column].dt.tz_localize("UTC")
            yield function(batch, *args, **kwargs)

    return run


def test_compliance_counts_in_map_in_pandas(spark: SparkSession, tmp_path: Path) -> None:
    """Counts per Arrow batch on Spark's Python workers, combined on the driver, equal the
    direct call and the compliance report of the same tickets."""
    frame = ticket_rows(1500)
    write_partitions(frame, tmp_path / "tickets", 3)
    tickets = spark.read.parquet(str(tmp_path / "tickets"))
    stamps = ("opened_at", "responded_at", "resolved_at")
    counts = tickets.mapInPandas(
        per_batch(compliance_counts, stamps, GOLD, as_of=AS_OF), COUNTS_SCHEMA
    )
    result = combine_counts(counts.toPandas())
    expected = compliance_counts(frame, GOLD, as_of=AS_OF)
    pd.testing.assert_frame_equal(result, expected)
    assert as_cells(result) == report_counts(frame, GOLD, AS_OF)


def test_business_time_total_in_map_in_pandas(spark: SparkSession, tmp_path: Path) -> None:
    """A count and an exact sum per batch, combined on the driver, equal the direct call."""
    frame = _tickets(2000)
    write_partitions(frame, tmp_path / "intervals", 2)
    intervals = spark.read.parquet(str(tmp_path / "intervals"))
    totals = intervals.mapInPandas(
        per_batch(business_time_total, ("opened_at", "resolved_at"), WINDOW), TOTAL_SCHEMA
    )
    result = combine_counts(totals.toPandas())
    pd.testing.assert_frame_equal(result, business_time_total(frame, WINDOW))
