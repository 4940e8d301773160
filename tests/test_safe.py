"""The terminal escaping's fast path: printable text is exactly the text with nothing to escape."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from obcheck.reporters.safe import _CONTROL, _escape, visible


def test_no_character_to_escape_is_printable() -> None:
    """visible() returns printable text as it is: sound only if _CONTROL matches no printable character."""
    assert [p for p in range(sys.maxunicode + 1) if chr(p).isprintable() and _CONTROL.match(chr(p))] == []


@settings(max_examples=200)
@given(st.one_of(
    st.text(alphabet=st.characters(exclude_categories=())),
    st.lists(st.sampled_from(["a", " ", "\x1b[31m", "\n", "\t", "\x7f", "\x85", "\xa0", "\u200b", "\u202e", "\u2066",
                              "\u2028", "\u2029", "\ud800", "é", "\uff21"])).map("".join),
))
def test_visible_is_the_regular_expression_for_every_string(text: str) -> None:
    assert visible(text) == _CONTROL.sub(_escape, text)


def test_visible_escapes_what_would_act() -> None:
    assert visible("a\x1b[31mb\nc\u202ed") == "a\\x1b[31mb\\nc\\u202ed"
    assert visible(12) == "12"
    assert re.fullmatch(r"[ -~]*", visible("".join(map(chr, range(128)))))
