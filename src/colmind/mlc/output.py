"""What mlcflow prints on stdout for ``list``/``show`` (exact text, spec mlc-cli §3 and §7).

Every function takes the already-found items (colmind artifacts: ``.path``, ``.meta``; repos:
``.alias``, ``.path``) and returns the text; the caller prints it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

DOTS = "." * 54
SCRIPT_SHOW_KEYS = ("uid", "alias", "description", "tags", "new_env_keys", "new_state_keys", "cache")
CACHE_STATE_KEYS = ("new_env", "new_state", "version")


def repo_list(repos: Iterable[Any]) -> str:
    """``mlc list repo`` / ``mlc show repo``."""
    lines = ["", "Repositories:", "-------------"]
    for repo in repos:
        lines += [f"- Alias: {repo.alias}", f"  Path:  {repo.path}", ""]
    lines.append("-------------")
    return "\n".join(lines)


def _indented(text: str, spaces: int) -> list[str]:
    return [" " * spaces + line for line in text.rstrip("\n").splitlines()]


def _yaml_block(data: Any, spaces: int) -> list[str]:
    import yaml

    return _indented(yaml.safe_dump(data, sort_keys=True, default_flow_style=False), spaces)


def script_meta_file(path: str) -> str:
    for name in ("meta.yaml", "meta.json", "_cm.yaml", "_cm.json"):
        if os.path.isfile(os.path.join(path, name)):
            return os.path.join(path, name)
    return os.path.join(path, "meta.yaml")


def script_show(items: Iterable[Any]) -> str:
    """``mlc show script``: per hit the main meta keys, the input mapping and the meta file."""
    lines: list[str] = []
    for item in items:
        meta = item.meta
        lines += [f"Location: {item.path}:", "Main Script Meta:"]
        lines += [f"    {key}: {meta[key]}" for key in SCRIPT_SHOW_KEYS if key in meta]
        if "input_mapping" in meta:
            lines.append("    Input mapping:")
            lines += _yaml_block(meta["input_mapping"], 8)
        lines += [DOTS, f"For full script meta, see meta file at {script_meta_file(item.path)}", ""]
    return "\n".join(lines)


def script_list(items: Iterable[Any]) -> str:
    lines = [DOTS]
    for item in items:
        lines += [f"alias: {item.meta.get('alias') or 'None'}", f"Location: {item.path}", DOTS]
    return "\n".join(lines)


def cache_meta_view(meta: dict[str, Any]) -> dict[str, Any]:
    """The keys mlcflow shows for a cache entry, taken from colmind's cache meta."""
    view: dict[str, Any] = {"uid": meta.get("uid", ""), "tags": list(meta.get("tags") or [])}
    if meta.get("dependent_cached_path"):
        view["dependent_cached_path"] = meta["dependent_cached_path"]
    script = str(meta.get("associated_script_item") or meta.get("associated_script_artifact") or "")
    if script:
        view["associated_script_item"] = ", ".join(p.strip() for p in script.split(","))
    return view


def cached_state(path: str) -> dict[str, Any] | None:
    import json

    for name in ("cm-cached-state.json", "mlc-cached-state.json"):
        try:
            with open(os.path.join(path, name), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        return data if isinstance(data, dict) else None
    return None


def cache_show(items: Iterable[Any]) -> str:
    """``mlc show cache``: meta keys, then the cached new_env/new_state/version."""
    lines: list[str] = []
    for item in items:
        lines += [f"Location: {item.path}:", "Cache Meta:"]
        lines += [f"    {key}: {value}" for key, value in cache_meta_view(item.meta).items()]
        lines.append("Cached State:")
        state = cached_state(item.path)
        if state is None:
            continue  # mlcflow prints nothing more for an entry without a state file
        for key in CACHE_STATE_KEYS:
            if key not in state:
                continue
            value = state[key]
            if value and isinstance(value, dict):
                import json

                lines.append(f"    {key}:")
                lines += _indented(json.dumps(value, indent=4, sort_keys=True), 8)
            else:
                lines.append(f"    {key}: {value}")
        lines += [DOTS, ""]
    return "\n".join(lines)


def cache_list(items: Iterable[Any]) -> str:
    lines = [DOTS]
    for item in items:
        lines += [f"tags: {list(item.meta.get('tags') or [])}", f"Location: {item.path}", DOTS]
    return "\n".join(lines)


def experiment_list(items: list[Any]) -> str:
    lines = [DOTS]
    for item in items:
        meta = item.meta
        tags = ",".join(str(t) for t in meta.get("tags") or [] if t != "")
        lines += [f"  Script: {meta.get('script_alias') or meta.get('script') or '?'}", f"  Tags: {tags}",
                  f"  Location: {item.path}", DOTS]
    return "\n".join(lines)


def experiment_show(items: list[Any]) -> str:
    lines: list[str] = []
    for item in items:
        meta = item.meta
        runs = sorted(n for n in os.listdir(item.path) if os.path.isdir(os.path.join(item.path, n))) \
            if os.path.isdir(item.path) else []
        lines += [f"Location: {item.path}", f"  Tags: {','.join(str(t) for t in meta.get('tags') or [] if t)}",
                  f"  UID: {meta.get('uid', '')}", f"  Script: {meta.get('script_alias') or meta.get('script') or '?'}",
                  f"  Runs ({len(runs)}):"]
        lines += [f"    - {name}" for name in runs]
    return "\n".join(lines)
