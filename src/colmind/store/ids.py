"""CM object names: UIDs, ``repo:alias,uid`` parsing and matching (spec cm-core 3.1-3.2)."""

from __future__ import annotations

from colmind.errors import CMError

_UID_CHARS = frozenset("0123456789abcdef.")

Ref = tuple[str, str]  # (alias, uid)


def gen_uid() -> str:
    """A new 16-hex-digit CM UID."""
    import uuid

    return uuid.uuid4().hex[:16]


def is_uid(text: str) -> bool:
    """CM's test: 16 characters of ``[0-9a-f.]``, case-insensitive (the ``.`` is CM's quirk)."""
    return len(text) == 16 and set(text.lower()) <= _UID_CHARS


def _parse_part(part: str, whole: str) -> Ref:
    pieces = part.split(",")
    if len(pieces) > 2:
        raise CMError(f"CM object {part} is not recognized")
    if len(pieces) == 1:
        return ("", part) if is_uid(part) else (part, "")
    first, second = pieces
    if is_uid(second) or not is_uid(first):
        return (first, second)
    return (second, first)


def parse_object(obj: str) -> list[Ref]:
    """Parse ``[repo:]alias[,uid]`` into ``[artifact_ref]`` or ``[artifact_ref, repo_ref]``."""
    parts = obj.split(":")
    if len(parts) > 2:
        raise CMError(f"CM object {obj} is not recognized")
    refs = [_parse_part(parts[-1], obj)]
    if len(parts) == 2:
        refs.append(_parse_part(parts[0], obj))
    return refs


def has_wildcards(text: str) -> bool:
    return "*" in text or "?" in text


def matches(uid: str, alias: str, query_uid: str, query_alias: str, *, strict: bool = False) -> bool:
    """CM's ``match_objects``: UIDs decide when both are given; aliases are case-insensitive."""
    uid, query_uid = (uid or "").lower(), (query_uid or "").lower()
    if uid and query_uid:
        return uid == query_uid
    if strict and not uid and query_uid and not query_alias:
        return False
    alias, query_alias = (alias or "").lower(), (query_alias or "").lower()
    if query_uid and not query_alias:
        return False
    if has_wildcards(query_alias):
        from fnmatch import fnmatchcase  # only wildcard names pay for fnmatch (and re)

        return fnmatchcase(alias, query_alias)
    return query_alias == "" or alias == query_alias


def assemble(alias: str, uid: str) -> str:
    """``alias,uid`` / ``alias`` / ``uid``."""
    if alias and uid:
        return f"{alias},{uid}"
    return alias or uid
