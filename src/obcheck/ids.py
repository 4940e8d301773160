"""The one id pattern of every kind of id (pack, rule, agreement, source, tier), and its message."""

from __future__ import annotations

import re

from obcheck.errors import shown

# Lower-case letters and digits in words joined by single hyphens, at most 64 characters. Ids become file names,
# report keys, SARIF rule ids, CSV cells and HTML anchors: no path separators, dots, pipes, spaces, nor a leading
# = + - @ that a spreadsheet reads as a formula.
MAX_ID_LENGTH = 64
ID_RE = re.compile(rf"^(?=.{{1,{MAX_ID_LENGTH}}}\Z)[a-z0-9]+(?:-[a-z0-9]+)*\Z")
ID_RULE = f"lower-case letters and digits in words joined by '-', at most {MAX_ID_LENGTH} characters"


def id_problem(what: str, value: str) -> str | None:
    """Why `value` is not a valid id of a `what` (pack, rule, agreement, source), or None."""
    return None if ID_RE.match(value) else id_message(what, value)


def id_message(what: str, value: str) -> str:
    return f"{what} id {shown(value)} must be {ID_RULE} (e.g. gb-2024)"
