"""The quote-length check: its fast path gives the per-character count's answer for every string."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obcheck.facts import MAX_QUOTE_CHARACTERS, MAX_QUOTE_WORDS, quote_problem, word_count


def reference(quote: str) -> str | None:
    """quote_problem as it was before the fast path: NFKC, then every category C or Z character a word break."""
    text = unicodedata.normalize("NFKC", quote)
    words = len("".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).split())
    if words > MAX_QUOTE_WORDS:
        return f"quote has {words} words; at most {MAX_QUOTE_WORDS}"
    if len(text) > MAX_QUOTE_CHARACTERS:
        return f"quote has {len(text):,} characters; at most {MAX_QUOTE_CHARACTERS}"
    return None


def test_printable_and_whitespace_agree_with_the_categories_for_every_code_point() -> None:
    """The two facts the fast path rests on, for this Python's Unicode database: printable means 'the ASCII space
    or not in category C or Z', and every character str.split() breaks on is in category C or Z."""
    wrong_printable, wrong_space = [], []
    for point in range(sys.maxunicode + 1):
        ch = chr(point)
        breaks = unicodedata.category(ch)[0] in "CZ"
        if ch.isprintable() != (ch == " " or not breaks):
            wrong_printable.append(point)
        if ch.isspace() and not breaks:
            wrong_space.append(point)
    assert (wrong_printable, wrong_space) == ([], [])
    # and NFKC leaves ASCII alone (no ASCII character decomposes, and none composes with another)
    assert unicodedata.normalize("NFKC", "".join(map(chr, range(128)))) == "".join(map(chr, range(128)))


# Characters where the paths could part: ASCII controls that split() keeps (NUL, ESC, DEL) and the ones it breaks
# on (tab, the \x1c-\x1f separators), spaces outside ASCII, zero-width and format characters, line and paragraph
# separators, full-width and compatibility forms NFKC folds (some into spaces or several characters), combining
# marks, a lone surrogate, a private-use character and an unassigned one.
TRICKY = [
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x01", "\x1b", "\x1c", "\x1f", "\x7f", "\x85", "\xa0", "\xad",
    "\u1680", "\u2000", "\u200b", "\u200c", "\u200d", "\u2028", "\u2029", "\u202f", "\u2060", "\u3000", "\ufeff",
    "\uff21", "\uff10", "\u3000", "\ufb01", "\u2163", "\u00bd", "\u0301", "e\u0301", "\ud800", "\ue000", "\U000e0001",
    "\u0378", "\u2126", "\u1e9b\u0323", "\uff0e", "\u33a1", "a", "Z", "9", ".", "-", "'", "word",
]
pieces = st.one_of(st.sampled_from(TRICKY), st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=6))
quotes = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=()), max_size=60),
    st.lists(pieces, max_size=80).map("".join),
    # near the limits: 20 to 30 words, or a few hundred characters, with tricky separators
    st.lists(st.tuples(st.text(alphabet="abcXYZ\xe9\uff41", min_size=1, max_size=20), st.sampled_from(TRICKY)),
             min_size=20, max_size=30).map(lambda ws: "".join(w + s for w, s in ws)),
)


@settings(max_examples=200, deadline=None)
@given(quotes)
def test_quote_problem_is_the_reference_for_every_string(quote: str) -> None:
    _same_as_reference(quote)


@pytest.mark.ci
@settings(max_examples=5000, deadline=None)
@given(quotes)
def test_quote_problem_is_the_reference_at_length(quote: str) -> None:
    """The same property, thousands of examples: CI runs it after the default suite."""
    _same_as_reference(quote)


def _same_as_reference(quote: str) -> None:
    text = unicodedata.normalize("NFKC", quote)
    assert word_count(text) == len("".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).split())
    assert quote_problem(quote) == reference(quote)


@pytest.mark.parametrize("quote", [
    "one two three",
    " ".join(["w"] * 26),
    " ".join(["w"] * 25),
    "\u200b".join(["w"] * 40),  # zero-width spaces cannot glue words into one
    "\x00".join(["w"] * 30),  # NUL is no break for split() but is one here
    "\x1c".join(["w"] * 30),
    "\uff37\u3000" * 26,  # full-width letters and spaces, folded by NFKC
    "\ufb01" * 200 + " x",  # a ligature NFKC makes two characters: 401 of them
    "x" * 401,
    "\ud800 " * 30,
])
def test_quote_problem_on_the_edge_cases(quote: str) -> None:
    assert quote_problem(quote) == reference(quote)
