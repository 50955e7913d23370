"""The step command: CM's joining of ``unparsed_cmd`` and ``{{NAME}}`` substitution.

Unlike CM, substitution is one pass over the template (a value is never expanded again), an
unclosed ``{{`` is an error, and every value reaches the shell quoted for the place it lands in
(outside quotes, inside ``"..."`` or inside ``'...'``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from colmind.errors import CMError

_WS = re.compile(r"\s")


def join_command(unparsed: list[str] | str) -> str:
    """Arguments joined by spaces; one holding whitespace is wrapped in ``"..."`` (as CM; ``$``
    and ``\\`` stay live, so ``"\\${VAR}"`` reaches the step's shell as ``${VAR}``). A single
    argument is taken as the whole command line."""
    if isinstance(unparsed, str):
        return unparsed
    if len(unparsed) == 1:
        return str(unparsed[0])  # ``cme -- "cmd with args"``: the command line itself (CM would quote it)
    parts = []
    for arg in unparsed:
        text = str(arg)
        parts.append('"' + text.replace('"', '\\"') + '"' if _WS.search(text) and not _quoted(text) else text)
    return " ".join(parts)


def _quoted(text: str) -> bool:
    return len(text) > 1 and text[0] == text[-1] and text[0] in "'\""


def placeholders(template: str) -> list[str]:
    """The names of every ``{{NAME}}`` in the template (error on an unclosed ``{{``)."""
    return [name for _, _, name, _ in _scan(template)]


def substitute(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``{{NAME}}`` by its value quoted for its shell context; unknown -> error."""
    out: list[str] = []
    last = 0
    for start, end, name, context in _scan(template):
        if name not in values:
            raise CMError(f'key "{name}" is not in env during exploration')
        out.append(template[last:start])
        out.append(quote_for(str(values[name]), context))
        last = end
    out.append(template[last:])
    return "".join(out)


def quote_for(value: str, context: str) -> str:
    if context == '"':
        return re.sub(r'([\\"$`])', r"\\\1", value)
    if context == "'":
        return value.replace("'", "'\\''")
    return shlex.quote(value) if value else "''"


def _scan(template: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, quote context) of each placeholder, tracking shell quotes."""
    found = []
    state = ""  # "", '"' or "'"
    i = 0
    n = len(template)
    while i < n:
        if template.startswith("{{", i):
            close = template.find("}}", i + 2)
            if close < 0:
                raise CMError(f"unclosed '{{{{' in the command: {template[i:i + 40]!r}")
            name = template[i + 2:close].strip()
            if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise CMError(f"bad placeholder {template[i:close + 2]!r} in the command (write {{{{NAME}}}})")
            found.append((i, close + 2, name, state))
            i = close + 2
            continue
        char = template[i]
        if char == "\\" and state != "'":
            i += 2
            continue
        if char in "'\"" and state in ("", char):
            state = "" if state else char
        i += 1
    return found
