"""CM object names: UIDs, ``repo:alias,uid`` parsing and assembling, matching, tags."""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_UID_CHARS = frozenset("0123456789abcdef.")


def gen_uid() -> dict[str, Any]:
    """A new 16-hex-digit UID: ``{'return': 0, 'uid': ...}``."""
    import uuid

    return {"return": 0, "uid": uuid.uuid4().hex[:16]}


def is_cm_uid(obj: Any) -> bool:
    """True for 16 characters of ``[0-9a-f.]`` (case-insensitive; ``.`` accepted like CM)."""
    if not isinstance(obj, str) or len(obj) != 16:
        return False
    return all(c in _UID_CHARS for c in obj.lower())


def _split_part(part: str) -> tuple[str, str] | None:
    pieces = part.split(",")
    if len(pieces) > 2:
        return None
    if len(pieces) == 1:
        return ("", part) if is_cm_uid(part) else (part, "")
    first, second = pieces
    if is_cm_uid(second) or not is_cm_uid(first):
        return (first, second)
    return (second, first)


def parse_cm_object(obj: str, max_length: int = 2, decompose: bool = False) -> dict[str, Any]:
    """Parse ``[repo:]alias[,uid]`` into ``cm_object``: [artifact tuple, repo tuple] (last part first)."""
    parts = obj.split(":")
    if len(parts) > max_length:
        return {"return": 1, "error": f"CM object {obj} is not recognized"}
    cm_object: list[tuple[str, str]] = []
    for part in reversed(parts):
        parsed = _split_part(part)
        if parsed is None:
            return {"return": 1, "error": f"CM object {part} is not recognized"}
        cm_object.append(parsed)
    out: dict[str, Any] = {"return": 0, "cm_object": cm_object}
    if decompose:
        out["decomposed_object"] = decompose_cm_obj(cm_object)
    return out


def decompose_cm_obj(cm_obj: list[tuple[str, str]]) -> dict[str, str]:
    """Parsed object → ``artifact, name, name_alias, name_uid, repo, repo_alias, repo_uid``.

    Like CM, the tuples are popped from ``cm_obj`` (the list is consumed).
    """
    name_alias, name_uid = cm_obj.pop(0) if cm_obj else ("", "")
    repo_alias, repo_uid = cm_obj.pop(0) if cm_obj else ("", "")
    name = assemble_cm_object(name_alias, name_uid)
    repo = assemble_cm_object(repo_alias, repo_uid)
    return {
        "artifact": f"{repo}:{name}" if repo else name,
        "name": name,
        "name_alias": name_alias,
        "name_uid": name_uid,
        "repo": repo,
        "repo_alias": repo_alias,
        "repo_uid": repo_uid,
    }


def assemble_cm_object(alias: str, uid: str) -> str:
    """``alias,uid``, ``alias`` or ``uid`` (empty string when both are empty)."""
    if alias and uid:
        return f"{alias},{uid}"
    return alias or uid or ""


def assemble_cm_object1(cm_dict: dict[str, Any]) -> str:
    """The same, from a dict with ``alias`` and ``uid`` (both required, like CM)."""
    return assemble_cm_object(cm_dict["alias"], cm_dict["uid"])


def assemble_cm_object2(cm_obj: tuple[str, str] | list[str]) -> str:
    """The same, from an ``(alias, uid)`` tuple."""
    return assemble_cm_object(cm_obj[0], cm_obj[1])


def match_objects(
    uid: str | None, alias: str | None, uid2: str | None, alias2: str | None, more_strict: bool = False
) -> dict[str, Any]:
    """Match the real object ``(uid, alias)`` against the query ``(uid2, alias2)`` (spec 3.2)."""
    uid, alias = (uid or "").lower(), alias or ""
    uid2, alias2 = (uid2 or "").lower(), alias2 or ""
    if uid and uid2:
        return {"return": 0, "match": uid == uid2}
    if more_strict and not uid and uid2 and not alias2:
        return {"return": 0, "match": False}
    alias, alias2 = alias.lower(), alias2.lower()
    if "*" in alias2 or "?" in alias2:
        import fnmatch

        matched = fnmatch.fnmatch(alias, alias2)
    else:
        matched = alias2 == "" or alias == alias2
    return {"return": 0, "match": matched}


def tags_matched(tags: list[str], and_tags: list[str], no_tags: list[str]) -> bool:
    """All ``and_tags`` present and none of ``no_tags`` (exact, case-sensitive)."""
    present = set(tags)
    return all(t in present for t in and_tags) and not any(t in present for t in no_tags)


def filter_tags(tags: list[str]) -> list[str]:
    """Drop tags starting with ``-``."""
    return [t for t in tags if not t.startswith("-")]


def convert_tags_to_list(i: dict[str, Any]) -> list[str]:
    """``i['tags']`` comma string → stripped list without duplicates (first occurrence kept)."""
    out: list[str] = []
    for tag in str(i.get("tags", "") or "").split(","):
        tag = tag.strip()
        if tag not in out:
            out.append(tag)
    return out if i.get("tags") else []


def get_list_from_cli(i: dict[str, Any], key: str) -> list[Any]:
    """``i[key]`` as a list: a string is split on ``,`` and each item stripped (empty items kept)."""
    value = i.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")]
    return list(value)


def process_input(i: dict[str, Any], update_input: bool = True) -> dict[str, Any]:
    """Decompose ``control['_parsed_automation'|'_parsed_artifact'|'_parsed_artifacts']`` (CMX).

    Each becomes ``control['_automation'|'_artifact'|'_artifacts']``; with ``update_input``
    ``i['automation']``, ``i['artifact']``, ``i['artifacts']`` get the assembled names.
    """
    control = i.setdefault("control", {})
    for key in ("automation", "artifact"):
        parsed = control.pop(f"_parsed_{key}", None)
        if parsed is not None:
            decomposed = decompose_cm_obj(list(parsed))
            control[f"_{key}"] = decomposed
            if update_input:
                i[key] = decomposed["artifact"]
    many = control.pop("_parsed_artifacts", None)
    if many is not None:
        decomposed_list = [decompose_cm_obj(list(p)) for p in many]
        control["_artifacts"] = decomposed_list
        if update_input:
            i["artifacts"] = [d["artifact"] for d in decomposed_list]
    return {"return": 0}
