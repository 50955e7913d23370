"""Render a Markdown README for a recipe (script) from its meta (CM ``_cm.yaml`` or MLC ``meta.yaml``).

``render_script_readme`` is a pure function: the same meta and path always give the same text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_DEP_SECTIONS = (
    ("deps", "before preprocess"),
    ("prehook_deps", "after preprocess, before the native script"),
    ("posthook_deps", "after the native script, before postprocess"),
    ("post_deps", "after postprocess"),
)
_CONDITIONS = ("enable_if_env", "enable_if_any_env", "skip_if_env", "skip_if_any_env")
_DEP_EXTRAS = ("version", "version_min", "version_max", "version_max_usable", "force_cache")


def _cell(value: Any) -> str:
    """A value safe for one Markdown table cell."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _table(header: Iterable[str], rows: list[list[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _tags(meta: dict[str, Any]) -> list[str]:
    tags = meta.get("tags", [])
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    return [str(t) for t in tags]


def _env_text(env: dict[str, Any]) -> str:
    return ", ".join(f"`{k}={v}`" for k, v in sorted(env.items()))


def _condition_text(cond: dict[str, Any]) -> str:
    parts = []
    for key, value in sorted(cond.items()):
        values = value if isinstance(value, list) else [value]
        parts.append(f"`{key}` in [" + ", ".join(str(v) for v in values) + "]")
    return ", ".join(parts)


def _title(meta: dict[str, Any], path: str) -> list[str]:
    name = meta.get("alias") or meta.get("name") or path.rstrip("/").split("/")[-1]
    lines = [f"# {name}", ""]
    if meta.get("name") and meta.get("name") != name:
        lines += [str(meta["name"]), ""]
    facts = [("Alias", _code(str(meta.get("alias", "")))), ("UID", _code(str(meta.get("uid", "")))),
             ("Category", str(meta.get("category", ""))), ("Tags", _code(",".join(_tags(meta)))),
             ("Path", _code(path))]
    lines += [f"* {label}: {value}" for label, value in facts if value]
    return lines + [""]


def _groups(variations: dict[str, Any]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name, vmeta in variations.items():
        if isinstance(vmeta, dict) and vmeta.get("group"):
            groups.setdefault(str(vmeta["group"]), []).append(name)
    return groups


def _run_command(tags: str) -> str:
    """The shell command, quoted when a tag holds a space (``"hello world"``)."""
    arg = f"--tags={tags}"
    return f'cm run script "{arg}"' if " " in arg else f"cm run script {arg}"


def _usage(meta: dict[str, Any]) -> list[str]:
    tags = ",".join(t for t in _tags(meta) if " " not in t)
    lines = ["## How to run", "", "```bash", _run_command(tags)]
    for group, names in sorted(_groups(meta.get("variations", {}) or {}).items()):
        lines.append(f"# variation group {group}")
        lines += [_run_command(f"{tags},_{name.replace('#', '<value>')}") for name in names]
    lines += ["```", ""]
    return lines


def _variation_row(name: str, vmeta: dict[str, Any]) -> list[str]:
    base = list(vmeta.get("base", []) or [])
    if vmeta.get("alias"):
        base.append(f"alias of {vmeta['alias']}")
    env = dict(vmeta.get("env", {}) or {})
    return [_code("_" + name), _cell(vmeta.get("group", "")), "yes" if vmeta.get("default") else "",
            _cell(", ".join(str(b) for b in base)), _env_text(env)]


def _variations(meta: dict[str, Any]) -> list[str]:
    variations = meta.get("variations", {}) or {}
    if not variations:
        return []
    rows = [_variation_row(name, vmeta if isinstance(vmeta, dict) else {})
            for name, vmeta in variations.items()]
    lines = ["## Variations", ""]
    lines += _table(["variation", "group", "default", "base", "env"], rows)
    if meta.get("default_variation"):
        lines += ["", f"Default variation: `_{meta['default_variation']}`."]
    dynamic = [n for n in variations if "#" in n]
    if dynamic:
        lines += ["", "Variations with `#` take a value: `_" + dynamic[0].replace("#", "<value>") + "`."]
    return lines + [""]


def _inputs(meta: dict[str, Any]) -> list[str]:
    mapping = meta.get("input_mapping", {}) or {}
    described = meta.get("input_description", {}) or {}
    names = list(mapping) + [n for n in described if n not in mapping]
    if not names:
        return []
    rows = []
    for name in names:
        info = described.get(name, {})
        info = info if isinstance(info, dict) else {"desc": info}
        rows.append([_code(f"--{name}"), _code(str(mapping.get(name, ""))), _cell(info.get("desc", "")),
                     _cell(info.get("default", "")), _cell(info.get("choices", ""))])
    return ["## Inputs", ""] + _table(["flag", "env key", "description", "default", "choices"], rows) + [""]


def _exports(meta: dict[str, Any]) -> list[str]:
    env_keys = meta.get("new_env_keys", []) or []
    state_keys = meta.get("new_state_keys", []) or []
    if not env_keys and not state_keys:
        return ["## Outputs", "", "This script exports no env or state keys.", ""]
    lines = ["## Outputs", ""]
    if env_keys:
        lines += ["Env keys exported to the caller (`new_env_keys`):", ""]
        lines += [f"* `{key}`" for key in env_keys] + [""]
    if state_keys:
        lines += ["State keys exported to the caller (`new_state_keys`):", ""]
        lines += [f"* `{key}`" for key in state_keys] + [""]
    return lines


def _dep_line(dep: dict[str, Any]) -> str:
    text = f"* `{dep.get('tags', '')}`"
    if dep.get("names"):
        text += " (names: " + ", ".join(f"`{n}`" for n in dep["names"]) + ")"
    extras = [f"{key}={_cell(dep[key])}" for key in _DEP_EXTRAS if key in dep]
    extras += [f"{key}: {_condition_text(dep[key]) if isinstance(dep[key], dict) else _cell(dep[key])}"
               for key in _CONDITIONS if dep.get(key)]
    if dep.get("skip_if_fake_run"):
        extras.append("skipped on a fake run")
    if dep.get("dynamic"):
        extras.append("dynamic (re-run on a cache hit)")
    return text + (" — " + "; ".join(extras) if extras else "")


def _deps(meta: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, when in _DEP_SECTIONS:
        entries = [d for d in meta.get(key, []) or [] if isinstance(d, dict)]
        if entries:
            lines += [f"### `{key}` ({when})", ""] + [_dep_line(d) for d in entries] + [""]
    if not lines:
        return ["## Dependencies", "", "None.", ""]
    return ["## Dependencies", ""] + lines


def _cache(meta: dict[str, Any]) -> list[str]:
    lines = ["## Cache", ""]
    if meta.get("cache"):
        lines.append("The results (`new_env`, `new_state`) are cached: a later run with the same tags reuses "
                     "the cache entry. Add `--new` to ignore existing entries and create a new one, or "
                     "`--renew` to re-run and overwrite the matching entry.")
    else:
        lines.append("Not cached: the script runs every time.")
        if meta.get("can_force_cache"):
            lines.append("A caller can force caching with `force_cache: true`.")
    return lines + [""]


def _versions(meta: dict[str, Any]) -> list[str]:
    versions = meta.get("versions", {}) or {}
    default = meta.get("default_version", "")
    if not versions and not default:
        return []
    lines = ["## Versions", ""]
    if default:
        lines.append(f"Default version: `{default}` (choose another with `--version=...`).")
    if versions:
        lines += ["", "Known versions: " + ", ".join(f"`{v}`" for v in versions) + "."]
    return lines + [""]


def _extra(path: str) -> list[str]:
    """A link to the hand-written notes (CM's ``README-extra.md``) when the recipe has them."""
    import os

    if not os.path.isfile(os.path.join(path, "README-extra.md")):
        return []
    return ["## More", "", "Hand-written notes: [README-extra.md](README-extra.md)", ""]


def render_script_readme(meta: dict[str, Any], path: str) -> str:
    """Markdown README for the recipe at ``path`` described by ``meta``."""
    sections = [_title(meta, path), _usage(meta), _variations(meta), _inputs(meta), _exports(meta),
                _deps(meta), _cache(meta), _versions(meta), _extra(path)]
    lines = [line for section in sections for line in section]
    return "\n".join(lines).rstrip("\n") + "\n"
