"""A real headless browser for tests: Debian's ``chromium``, run on a local HTML file.

:func:`render` opens a page twice, each run with its own throw-away profile
under the test's temporary folder, and every run under a timeout:

* ``--dump-dom`` with ``--enable-logging=stderr --v=0``: the DOM as the
  browser built it (stdout) and the browser's log (stderr);
* ``--screenshot``: a PNG of the first ``window_size`` pixels.

What counts as a console error (:func:`console_errors`): every line the page
itself sent to the console (Chromium logs those as ``INFO:CONSOLE...]
"message", source: file:///...``; a page without script sends none, so any
is a fault, whatever its level), any line with ``Uncaught`` (an exception in
a script), and any ``ERROR:`` line that names the page's URL (a load or
parse failure of the page). Chromium's own complaints about its sandbox,
D-Bus, GPU or the missing system services of a container are ``ERROR:``
lines that do not name the page; they are ignored. Requests for external
resources are not visible in this log; the tests check for those in the
page's source and in the rendered DOM instead.

Without chromium, :func:`require_chromium` skips the test with the reason
:data:`MISSING` (``.ci/run`` installs it with ``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

MISSING = "Debian's chromium is not installed (apt install chromium)"
#: Seconds one browser run may take before it is stopped (and the test fails).
TIMEOUT = 120

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)
_CONSOLE = re.compile(r"CONSOLE[:(]")


def find_chromium() -> str | None:
    """The path of Debian's chromium, or None."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def require_chromium() -> str:
    """The browser's path; skips the calling test when it is absent."""
    found = find_chromium()
    if found is None:
        pytest.skip(MISSING)
    return found


@dataclass(frozen=True)
class Rendered:
    """What the browser made of a page."""

    dom: str
    """The serialised DOM after loading (``--dump-dom``)."""
    log: str
    """The browser's log of that run (stderr, ``--enable-logging=stderr --v=0``)."""
    console_errors: tuple[str, ...]
    """The lines of ``log`` that concern the page (see :func:`console_errors`)."""
    screenshot: Path
    """The PNG written by ``--screenshot``."""

    @property
    def text(self) -> str:
        """The visible text of the DOM, whitespace collapsed (to look for sentences)."""
        return dom_text(self.dom)


def console_errors(log: str, url: str) -> tuple[str, ...]:
    """Lines of a Chromium log that report a problem with the page at ``url``.

    >>> console_errors('[1:1:0/0:INFO:CONSOLE:1] "boom", source: file:///p.html (1)\\n'
    ...                '[1:2:0/0:ERROR:dbus/bus.cc:405] Failed to connect to the bus', "file:///p.html")
    ('[1:1:0/0:INFO:CONSOLE:1] "boom", source: file:///p.html (1)',)
    """
    return tuple(
        line
        for line in log.splitlines()
        if _CONSOLE.search(line) or "Uncaught" in line or ("ERROR:" in line and url in line)
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script", "title", "desc"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script", "title", "desc"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def dom_text(markup: str) -> str:
    """The text a reader sees in some HTML, whitespace collapsed.

    >>> dom_text("<p>Is IT <b>doing</b>\\n well?</p><style>p{}</style>")
    'Is IT doing well?'
    """
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _run(args: list[str], timeout: float) -> tuple[str, str]:
    """Run the browser in its own process group; on timeout stop that group and fail."""
    with subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this call started, by its id
            process.communicate()
            pytest.fail(f"chromium did not finish within {timeout} s: {' '.join(args)}")
    if process.returncode != 0:
        pytest.fail(f"chromium exited with {process.returncode}: {err[-2000:]}")
    return out, err


def render(
    page: Path,
    workdir: Path,
    *,
    window_size: tuple[int, int] = (1280, 2000),
    timeout: float = TIMEOUT,
) -> Rendered:
    """Load ``page`` in headless chromium: its DOM, its log's errors and a screenshot.

    Profiles and the screenshot (``<page stem>.png``) go under ``workdir``.
    """
    browser = require_chromium()
    url = page.resolve().as_uri()
    common = [browser, *_FLAGS]
    with tempfile.TemporaryDirectory(dir=workdir, prefix="profile-") as profile:
        out, err = _run(
            [
                *common,
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                url,
            ],
            timeout,
        )
    screenshot = workdir / f"{page.stem}.png"
    with tempfile.TemporaryDirectory(dir=workdir, prefix="profile-") as profile:
        _run(
            [
                *common,
                f"--user-data-dir={profile}",
                f"--screenshot={screenshot}",
                f"--window-size={window_size[0]},{window_size[1]}",
                url,
            ],
            timeout,
        )
    return Rendered(
        dom=out, log=err, console_errors=console_errors(err, url), screenshot=screenshot
    )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR header."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
