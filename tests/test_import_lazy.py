"""``import itilkit`` loads only what it must; every public name still resolves.

Each check that looks at ``sys.modules`` runs in a fresh interpreter: this test
process has long since loaded everything. No timing here (see
``benchmarks/bench_import.py``).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import itilkit
import itilkit.io

PACKAGE = Path(itilkit.__file__).parent

#: Modules a bare ``import itilkit`` must not load: the optional extras, the holiday
#: calendars, and every domain module and edge.
HEAVY = (
    "numpy",
    "pandas",
    "matplotlib",
    "yaml",
    "holidays",
    "pendulum",
    "dateutil.rrule",
    "itilkit._window",
    "itilkit._incident",
    "itilkit._sla",
    "itilkit._compliance",
    "itilkit._availability",
    "itilkit._approval",
    "itilkit._change",
    "itilkit._desk",
    "itilkit._review",
    "itilkit._demo",
    "itilkit.io",
)


def fresh(code: str) -> object:
    """Run ``code`` in a new interpreter; it prints one JSON value, returned here."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE.parent), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


LOADED = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def test_import_loads_only_the_errors() -> None:
    loaded = fresh(f"import itilkit; {LOADED}")
    assert isinstance(loaded, list)
    assert [m for m in loaded if m.startswith("itilkit")] == [
        "itilkit",
        "itilkit._errors",
        "itilkit._lazy",
    ]
    assert [m for m in HEAVY if m in loaded] == []


def test_errors_need_no_lookup() -> None:
    """The errors are bound at import, so an ``except`` clause loads nothing."""
    out = fresh(
        "import itilkit, json, sys; "
        "print(json.dumps([vars(itilkit).get('NoOpenTimeError') is not None, "
        "itilkit.NoOpenTimeError.__module__, len([m for m in sys.modules if "
        "m.startswith('itilkit')])]))"
    )
    assert out == [True, "itilkit", 3]


def test_a_window_loads_the_engine_only() -> None:
    """A window without holidays needs neither ``holidays`` nor any domain module."""
    loaded = fresh(
        "import itilkit; "
        "w = itilkit.ServiceWindow.weekly('Mon-Fri 09:00-18:00', tz='Asia/Seoul'); "
        "w.business_time('2026-03-02T00:00+09:00', '2026-04-01T00:00+09:00'); " + LOADED
    )
    assert isinstance(loaded, list)
    assert "itilkit._window" in loaded
    unexpected = {"numpy", "pandas", "holidays", "itilkit._incident", "itilkit._sla", "itilkit.io"}
    assert unexpected.isdisjoint(loaded)


def test_a_country_calendar_loads_no_financial_market() -> None:
    """``holidays="KR"`` imports the country it names (``holidays`` itself imports its
    other countries with it); itilkit never lists the markets, which imports them all."""
    loaded = fresh(
        "import itilkit; "
        "w = itilkit.ServiceWindow.weekly('Mon-Fri 09:00-18:00', tz='Asia/Seoul', holidays='KR'); "
        "w.business_time('2026-03-02T00:00+09:00', '2026-04-01T00:00+09:00'); " + LOADED
    )
    assert isinstance(loaded, list)
    assert "holidays.countries.south_korea" in loaded
    assert [m for m in loaded if m.startswith("holidays.financial.")] == []


def test_a_market_code_still_reads_as_a_market() -> None:
    a = itilkit.ServiceWindow.weekly("Mon-Fri 09:30-16:00", tz="America/New_York", holidays="NYSE")
    # Good Friday closes the exchange; it is no federal holiday.
    assert a.business_time("2026-04-03T00:00-04:00", "2026-04-04T00:00-04:00").total_seconds() == 0
    with pytest.raises(itilkit.UnknownHolidaysError):
        itilkit.ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC", holidays="XXXX")


def test_the_importers_load_on_first_use() -> None:
    """``import itilkit.io`` loads no reader; ``read_outages`` loads not the event-log reader."""
    loaded = fresh(f"import itilkit.io; {LOADED}")
    assert isinstance(loaded, list)
    assert [m for m in loaded if m.startswith("itilkit.io.")] == []
    loaded = fresh(f"from itilkit.io import read_outages; {LOADED}")
    assert isinstance(loaded, list)
    assert "itilkit.io._loaders" in loaded
    assert "itilkit.io._event_log" not in loaded
    assert "itilkit._review" not in loaded


def test_the_facades_load_no_optional_extra() -> None:
    """``itilkit.export``, ``itilkit.dataframe`` and the command load numpy, pandas, YAML,
    matplotlib and the holiday calendars only when a call needs them."""
    loaded = fresh(f"import itilkit.export, itilkit.dataframe, itilkit.cli; {LOADED}")
    assert isinstance(loaded, list)
    optional = ["numpy", "pandas", "yaml", "matplotlib", "holidays", "itilkit.io._event_log"]
    assert [m for m in optional if m in loaded] == []


def test_the_command_loads_what_it_runs() -> None:
    """``itilkit --version`` loads no domain module."""
    loaded = fresh(
        "import contextlib, io, itilkit.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    itilkit.cli.main(['--version'])\n" + LOADED
    )
    assert isinstance(loaded, list)
    assert [m for m in loaded if m.startswith("itilkit.")] == [
        "itilkit._errors",
        "itilkit._lazy",
        "itilkit.cli",
    ]


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    out = fresh(
        "import itilkit, json; "
        "listed = set(dir(itilkit)); "
        "missing = [n for n in itilkit.__all__ if n not in listed]; "
        "found = [n for n in itilkit.__all__ if getattr(itilkit, n, None) is None]; "
        "print(json.dumps([missing, found]))"
    )
    assert out == [[], []]


def test_star_import_gives_the_same_objects() -> None:
    out = fresh(
        "from itilkit import *; import itilkit, json; "
        "print(json.dumps([n for n in itilkit.__all__ if globals()[n] is not getattr(itilkit, n)]))"
    )
    assert out == []


def test_dir_lists_every_public_name() -> None:
    assert set(itilkit.__all__) <= set(dir(itilkit))
    assert set(itilkit.io.__all__) <= set(dir(itilkit.io))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'ServiceWindows'"):
        itilkit.ServiceWindows  # noqa: B018
    assert not hasattr(itilkit.io, "read_events")


def test_classes_claim_the_package_whatever_loads_them() -> None:
    """A domain class loaded through an importer is shown as ``itilkit.Incident``, and
    a pickle names the package, not the private module."""
    out = fresh(
        "from itilkit.io import read_event_log; import sys, json, pickle; "
        "incident = sys.modules['itilkit._incident']; "
        "import itilkit; data = pickle.dumps(itilkit.Impact.HIGH); "
        "print(json.dumps([incident.Incident.__module__, incident.State.__module__, "
        "sys.modules['itilkit.io._event_log'].EventLog.__module__, "
        "b'itilkit._priority' in data, "
        "pickle.loads(data) is itilkit.Impact.HIGH]))"
    )
    assert out == ["itilkit", "itilkit", "itilkit.io", False, True]


def test_first_lookups_on_many_threads() -> None:
    """Threads that look up names of different modules at once all get them."""
    out = fresh(
        "import itilkit, json, threading\n"
        "names = ['SLA', 'ServiceWindow', 'Incident', 'ServiceReview', 'ApprovalPolicy',\n"
        "         'ErrorBudget', 'DeskReport', 'ChangeCalendar', 'Outage', 'Problem'] * 3\n"
        "got = {}\n"
        "def look(n):\n"
        "    got[n] = getattr(itilkit, n).__module__\n"
        "threads = [threading.Thread(target=look, args=(n,)) for n in names]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(json.dumps(sorted(set(got.values()))))\n"
    )
    assert out == ["itilkit"]


def _type_checking_names(path: Path) -> dict[str, set[str]]:
    """The names each module gives in the ``if TYPE_CHECKING`` block of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for node in tree.body:
        test = node.test if isinstance(node, ast.If) else None
        if isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith(
            "TYPE_CHECKING"
        ):
            for item in node.body:
                assert isinstance(item, ast.ImportFrom)
                home = "." * item.level + (item.module or "")
                out.setdefault(home, set()).update(alias.name for alias in item.names)
    return out


@pytest.mark.parametrize("namespace", [itilkit, itilkit.io], ids=lambda m: m.__name__)
def test_the_type_checkers_view_matches_the_lazy_table(namespace: object) -> None:
    """The ``if TYPE_CHECKING`` imports, the ``_HOMES`` table and ``__all__`` agree."""
    path = Path(namespace.__file__)  # type: ignore[attr-defined]
    homes: dict[str, tuple[str, ...]] = namespace._HOMES  # type: ignore[attr-defined]
    assert _type_checking_names(path) == {home: set(names) for home, names in homes.items()}
    listed = [name for names in homes.values() for name in names]
    assert len(listed) == len(set(listed)), "a name lives in one module"
    public = set(namespace.__all__) - {"__version__"}  # type: ignore[attr-defined]
    assert set(listed) == public
