"""``cm help script`` / ``cm run script --tags=... --help``: variations (groups, defaults),
inputs (``input_mapping`` + ``input_description``), default env, versions and deps of a recipe.
"""

from __future__ import annotations

from colmind.engine.meta import Recipe

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def render(recipe: Recipe) -> str:
    m = recipe.meta
    lines = [f"Script {recipe.alias} ({recipe.uid})  {recipe.path}", f"  tags: {','.join(recipe.tags)}",
             f"  cached: {'yes' if m.get('cache') else 'no'}"]
    lines += _variations(recipe.variations)
    lines += _inputs(m)
    if m.get("default_env"):
        lines.append("  default env:")
        lines += [f"    {k}={v}" for k, v in sorted(m["default_env"].items())]
    if m.get("default_version") or m.get("versions"):
        lines.append(f"  default version: {m.get('default_version', '')}; known versions: "
                     + ", ".join(str(v) for v in (m.get("versions") or {})))
    for kind in ("deps", "prehook_deps", "posthook_deps", "post_deps"):
        for dep in m.get(kind) or []:
            if isinstance(dep, dict) and dep.get("tags"):
                names = ",".join(dep.get("names") or [])
                lines.append(f"  {kind}: {dep['tags']}" + (f"  (names: {names})" if names else ""))
    lines.append(f"  run: cm run script --tags={','.join(recipe.tags[:2]) or recipe.alias}")
    return "\n".join(lines) + "\n"


def _variations(variations: dict[str, Any]) -> list[str]:
    if not variations:
        return []
    groups: dict[str, list[str]] = {}
    for name, meta in variations.items():
        meta = meta if isinstance(meta, dict) else {}
        group = str(meta.get("group") or "")
        mark = " (default)" if meta.get("default") else ""
        extra = f" -> alias of _{meta['alias']}" if meta.get("alias") else ""
        if meta.get("base"):
            extra += " (base: " + ",".join("_" + b for b in meta["base"]) + ")"
        groups.setdefault(group, []).append(f"_{name}{mark}{extra}")
    out = ["  variations:"]
    for group in sorted(groups, key=lambda g: (g == "", g)):
        out.append(f"    group {group}:" if group else "    no group:")
        out += [f"      {v}" for v in groups[group]]
    return out


def _inputs(m: dict[str, Any]) -> list[str]:
    mapping = m.get("input_mapping") or {}
    desc = m.get("input_description") or {}
    if not mapping and not desc:
        return []
    out = ["  inputs:"]
    for name in sorted(set(mapping) | set(desc)):
        d: dict[str, Any] = desc[name] if isinstance(desc.get(name), dict) else {}
        text = f"    --{name}"
        if name in mapping:
            text += f"  -> env {mapping[name]}"
        if d.get("desc"):
            text += f"  {d['desc']}"
        if "default" in d:
            text += f"  (default: {d['default']})"
        if d.get("choices"):
            text += f"  (choices: {', '.join(str(c) for c in d['choices'])})"
        out.append(text)
    return out
