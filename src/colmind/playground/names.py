"""Validation of every name, tag and uid a request brings, before any lookup (upstream P8)."""

from __future__ import annotations

import re

MAX_NAME = 200
MAX_TAGS = 400
MAX_EXPR = 1000

_NAME = re.compile(r"^[A-Za-z0-9_.@+\- ]{1,200}$")
_TAG = re.compile(r"^[A-Za-z0-9_.@+\-]{1,100}$")
_UID = re.compile(r"^[0-9a-fA-F]{16}$")
_KEY = re.compile(r"^[^\x00-\x1f<>]{0,200}$")


class BadInput(ValueError):
    """A request value that is refused (answered with 400)."""


def name(value: str, what: str = "name") -> str:
    """An artifact alias or uid: letters, digits, ``_ . @ + -`` and spaces; never a path."""
    value = value.strip()
    if not value:
        return ""
    if not _NAME.match(value) or value in (".", "..") or value.startswith("."):
        raise BadInput(f"invalid {what}: only letters, digits, spaces and _ . @ + - are allowed (at most {MAX_NAME})")
    return value


def names(value: str, what: str = "name") -> list[str]:
    """A comma-separated ``alias,uid`` pair (upstream's ``name=alias,uid``) or a single name."""
    return [name(part, what) for part in value.split(",") if part.strip()]


def tags(value: str) -> list[str]:
    """Tags separated by commas or spaces; each validated. ``-tag`` excludes a tag."""
    if len(value) > MAX_TAGS:
        raise BadInput(f"tags longer than {MAX_TAGS} characters")
    out = [t for t in re.split(r"[,\s]+", value.strip()) if t]
    for tag in out:
        if not _TAG.match(tag):
            raise BadInput(f"invalid tag {tag[:40]!r}: only letters, digits and _ . @ + - are allowed")
    return out


def uid(value: str) -> str:
    """A 16-hex uid (``result_uid``)."""
    value = value.strip()
    if value and not _UID.match(value):
        raise BadInput("invalid uid: 16 hexadecimal digits expected")
    return value.lower()


def key(value: str) -> str:
    """A record key chosen for an axis, sort or group-by (any printable text up to 200 chars)."""
    if not _KEY.match(value):
        raise BadInput("invalid key name")
    return value


def expression(value: str, what: str) -> str:
    """An expression text (filter, derived metrics): bounded length."""
    if len(value) > MAX_EXPR:
        raise BadInput(f"{what} longer than {MAX_EXPR} characters")
    return value


def is_http_url(value: object) -> bool:
    """Only ``http(s)://`` links are ever rendered as links (upstream P6: ``javascript:`` hrefs)."""
    return isinstance(value, str) and re.match(r"^https?://[^\s<>\"']+$", value) is not None
