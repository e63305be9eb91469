"""Text tables are padded by display width, so Korean, Japanese and Chinese names line up.

``itilkit._report.display_width`` uses only the standard library's
``unicodedata``; the ``wcwidth`` package, which terminals' own width tables
follow, is the independent reference it is checked against.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import cli
from itilkit._report import display_width, text_table

wcwidth = pytest.importorskip("wcwidth")


def _chars(*ranges: tuple[int, int]) -> list[str]:
    """The assigned characters of the inclusive code point ranges."""
    return [
        chr(code)
        for first, last in ranges
        for code in range(first, last + 1)
        if unicodedata.category(chr(code)) != "Cn"
    ]


# Ranges whose widths Python's Unicode tables and wcwidth's agree on (the 2024
# widening of the I Ching trigrams, U+2630.., is left out: it postdates the
# Unicode version of older Pythons).
KOREAN = _chars((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3131, 0x318E), (0xA960, 0xA97C))
JAPANESE = _chars((0x3041, 0x309F), (0x30A0, 0x30FF), (0xFF61, 0xFF9F), (0x31F0, 0x31FF))
CHINESE = _chars((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x3000, 0x303F), (0xFF01, 0xFF60))
SYMBOLS = _chars(
    (0xA1, 0xFF),  # Latin-1 signs and letters, the soft hyphen among them
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),
    (0x20A0, 0x20C0),  # currency signs
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0x2500, 0x257F),  # box drawing
)
COMBINING = _chars((0x0300, 0x036F), (0x1AB0, 0x1ACE), (0x20D0, 0x20F0), (0xFE20, 0xFE2F))
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
ASCII = [chr(code) for code in range(0x20, 0x7F)]


def reference(text: str) -> int:
    width = wcwidth.wcswidth(text)
    assert width >= 0, f"{text!r} holds a character wcwidth cannot measure"
    return int(width)


@pytest.mark.parametrize(
    "alphabet",
    [KOREAN, JAPANESE, CHINESE, SYMBOLS, ZERO_WIDTH, ASCII],
    ids=["korean", "japanese", "chinese", "symbols", "zero-width", "ascii"],
)
def test_every_character_has_wcwidth_s_width(alphabet: list[str]) -> None:
    differ = [(f"U+{ord(c):04X}", display_width(c), reference(c)) for c in alphabet]
    assert [d for d in differ if d[1] != d[2]] == []


def test_combining_accents_take_no_column() -> None:
    for mark in COMBINING:
        assert display_width(mark) == reference(mark) == 0
        assert display_width("e" + mark) == reference("e" + mark) == 1
        assert display_width("한" + mark) == reference("한" + mark) == 2


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("김민준", 6),
        ("서울 본사", 9),
        ("kim", 3),
        ("東京都", 6),
        ("ｶﾀｶﾅ", 4),  # halfwidth katakana
        ("ＡＢＣ", 6),  # fullwidth Latin
        ("é", 1),  # precomposed
        ("e\u0301", 1),  # e + combining acute
        (unicodedata.normalize("NFD", "김민준"), 6),  # conjoining jamo, as macOS writes names
        ("a\u200bb", 2),  # zero-width space
        ("", 0),
    ],
)
def test_widths_by_hand(text: str, width: int) -> None:
    assert display_width(text) == width == reference(text)


@given(st.text(st.sampled_from(KOREAN + JAPANESE + CHINESE + SYMBOLS + ZERO_WIDTH + ASCII)))
def test_strings_measure_as_wcwidth_does(text: str) -> None:
    assert display_width(text) == reference(text)


@given(
    st.text(st.sampled_from([*ASCII, "김", "민", "준", "本", "カ"]), min_size=1),
    st.sampled_from(COMBINING),
)
def test_a_combining_mark_adds_nothing(text: str, mark: str) -> None:
    assert display_width(text + mark) == display_width(text) == reference(text + mark)


# ---------------------------------------------------------------- control characters


def escaped(text: str) -> str:
    """``text`` as the command line shows it, control characters escaped."""
    return cli._CONTROL.sub(cli._escape, text)


def test_a_control_character_counts_as_the_escape_the_command_line_shows() -> None:
    for code in range(0x10000):
        char = chr(code)
        if cli._CONTROL.match(char):
            assert display_width(char) == len(escaped(char)), f"U+{code:04X}"
        else:
            assert escaped(char) == char


def test_text_table_passes_control_characters_through_for_the_command_line_to_escape() -> None:
    table = text_table(["id", "n"], [["INC\x1b[31m7\u202e", 1]])
    assert "INC\x1b[31m7\u202e" in table
    shown = cli._printable(table)
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "INC\\x1b[31m7\\u202e" in shown


def test_escaped_control_characters_keep_the_columns_aligned() -> None:
    rows = [["INC\x1b[31m7\u202e", "김민준", 3], ["INC8", "kim", 12]]
    shown = cli._printable(text_table(["id", "owner", "open"], rows)).splitlines()
    assert len({reference(line) for line in shown}) == 1, shown


# ---------------------------------------------------------------- tables


def spans(rule: str) -> list[tuple[int, int]]:
    """The display columns ``[start, end)`` of each column, read off the rule of dashes."""
    out, start = [], 0
    for dashes in rule.split("  "):
        out.append((start, start + len(dashes)))
        start += len(dashes) + 2
    return out


def cells(line: str) -> list[tuple[int, int]]:
    """Each character that is not a space, as the display columns ``[start, end)`` it covers."""
    out, col = [], 0
    for char in line:
        width = reference(char)
        if char != " ":
            out.append((col, col + width))
        col += width
    return out


def test_a_table_with_korean_names_is_aligned_by_display_width() -> None:
    headers = ["owner", "site", "incidents"]
    rows = [
        ["김민준", "서울 본사", 3],
        ["Kim Min-jun", "Seoul HQ", 12],
        ["이서연", "부산 지사", 140],
        ["Lee", "東京", 7],
    ]
    lines = text_table(headers, rows, title="담당자").splitlines()
    body = lines[1:]  # headers, rule, rows
    # the last column is numeric, so right-aligned: every line ends at the same column
    assert len({reference(line) for line in body}) == 1, body
    # the rule's dashes are exactly as wide as each column
    assert [len(dashes) for dashes in body[1].split("  ")] == [11, 9, 9]
    # every character lies inside a column; text starts at its column's left edge,
    # numbers end at its right edge
    columns = spans(body[1])
    for line in body[2:]:
        covered = cells(line)
        assert all(any(a <= s and e <= b for a, b in columns) for s, e in covered), line
        starts, ends = {s for s, _ in covered}, {e for _, e in covered}
        assert columns[0][0] in starts and columns[1][0] in starts and columns[2][1] in ends
    assert body[2] == "김민준       서울 본사          3"
    assert body[3] == "Kim Min-jun  Seoul HQ          12"


def test_left_aligned_last_columns_line_up_too() -> None:
    rows = [["P1", "김민준"], ["P2", "Kim"]]
    lines = text_table(["priority", "owner"], rows).splitlines()
    assert lines == ["priority  owner", "--------  ------", "P1        김민준", "P2        Kim"]


def test_ascii_tables_are_unchanged() -> None:
    table = text_table(["metric", "met"], [["response", 12], ["resolution", 9]], title="Gold")
    assert table == ("Gold\nmetric      met\n----------  ---\nresponse     12\nresolution    9")
