"""Recipe catalog, recipe page (README + command builder + dry-run plan) and benchmark wizard."""

from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import dataclass, field
from typing import Any

from colmind.playground import artifacts, commands
from colmind.playground.names import BadInput

HERE = os.path.dirname(os.path.abspath(__file__))


def find(tags: list[str] | None = None, names: list[str] | None = None, search: str = "") -> list[artifacts.Item]:
    """Recipes by tags or names, minus private ones; ``search`` matches alias/uid/tags/category/name."""
    items = artifacts.find("script", tags=tags, names=names)
    items = [i for i in items if not i.meta.get("private")]
    words = search.lower().split()
    if words:
        def text(i: artifacts.Item) -> str:
            return " ".join([i.alias, i.uid, " ".join(i.tags), str(i.meta.get("category", "")),
                             str(i.meta.get("name", ""))]).lower()
        items = [i for i in items if all(w in text(i) for w in words)]
    return sorted(items, key=lambda i: i.alias)


def by_category(items: list[artifacts.Item]) -> dict[str, list[artifacts.Item]]:
    out: dict[str, list[artifacts.Item]] = {}
    for i in items:
        out.setdefault(str(i.meta.get("category") or "Unsorted"), []).append(i)
    return dict(sorted(out.items()))


def dep_tags(meta: Any) -> list[str]:
    """Every ``tags`` value found anywhere in the meta (deps, variations...), minus single and ``_`` tags."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "tags" and isinstance(v, str) and "," in v and not v.startswith("_"):
                    found.append(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk({k: v for k, v in meta.items() if k != "tags"})
    return sorted(dict.fromkeys(found))


def generated_readme(meta: dict[str, Any]) -> str:
    """Markdown describing the recipe from its meta."""
    lines = [f"# {meta.get('name') or meta.get('alias')}", "",
             f"* alias: `{meta.get('alias')}`, uid: `{meta.get('uid')}`",
             f"* category: {meta.get('category') or 'Unsorted'}",
             f"* tags: `{','.join(str(t) for t in meta.get('tags') or [])}`", ""]
    groups, free = commands.variation_model(meta)
    if groups or free:
        lines += ["## Variations", ""]
        for g in groups:
            lines.append(f"* group **{g.name}**: " + ", ".join(f"`_{c}`" + (" (default)" if c == g.default else "")
                                                            for c in g.choices))
        if free:
            lines.append("* other: " + ", ".join(f"`_{v}`" for v in free))
        lines.append("")
    mapping = meta.get("input_mapping") or {}
    if mapping:
        lines += ["## Flags", "", "| flag | environment variable |", "|---|---|"]
        lines += [f"| `--{k}` | `{v}` |" for k, v in sorted(mapping.items())]
        lines.append("")
    return "\n".join(lines)


@dataclass
class RecipeView:
    item: artifacts.Item
    builder: commands.Builder
    posix: str
    windows: str
    python: str
    readme: str
    generated: str
    deps: list[str]
    toggles: dict[str, bool]
    input_json: str = ""
    plan: dict[str, Any] | None = None
    plan_error: str = ""
    source: str = ""

    @property
    def plan_rows(self) -> list[dict[str, Any]]:
        return flatten_plan(self.plan)

    @classmethod
    def make(cls, item: artifacts.Item, p: dict[str, str]) -> RecipeView:
        meta = item.meta
        b = commands.build(meta, p, p.get("tags", "") if "," in p.get("tags", "") else "")
        t = {k: p.get(k, "") in ("on", "true", "yes", "1") for k in ("shell", "docker", "experiment")}
        view = cls(item, b, commands.command(b, False, **t), commands.command(b, True, **t),
                   commands.python_snippet(b), item.read_text("README.md") or "", generated_readme(meta),
                   dep_tags(meta), t)
        view.input_json = commands.input_file(b)
        repo_url = str(item.repo_meta.get("url") or "")
        view.source = repo_url if repo_url.startswith("https://") else ""
        if p.get("plan") in ("1", "true", "yes", "on"):
            view.plan, view.plan_error = dry_run(b)
        return view


def dry_run(b: commands.Builder) -> tuple[dict[str, Any] | None, str]:
    """The plan ``--dry-run`` would print: resolved recipes, variations, cache states; nothing runs."""
    i = commands.access_input(b)
    i.update({"dry_run": True, "out": "", "quiet": True})
    r = artifacts.access(i, call=lambda: _direct(i))
    if r["return"] != 0:
        return None, str(r.get("error", "failed"))[:1000]
    plan = r.get("plan")
    return (plan if isinstance(plan, dict) else None), ""


def _direct(i: dict[str, Any]) -> dict[str, Any]:
    from colmind.api import access

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return access(i)


def flatten_plan(node: dict[str, Any] | None, depth: int = 0) -> list[dict[str, Any]]:
    """Plan tree -> rows with indentation depth."""
    if not node:
        return []
    rows = [{"depth": depth, "alias": node.get("alias"), "uid": node.get("uid"), "kind": node.get("kind"),
             "variations": node.get("variations") or [], "cache": node.get("cache_note") or node.get("cache"),
             "tags": node.get("request_tags"), "version": node.get("version")}]
    for child in node.get("children") or []:
        rows.extend(flatten_plan(child, depth + 1))
    for sk in node.get("skipped") or []:
        rows.append({"depth": depth + 1, "alias": "(skipped) " + str(sk.get("tags", "")), "kind": sk.get("kind"),
                     "cache": sk.get("reason"), "variations": [], "uid": "", "tags": "", "version": ""})
    return rows


def wizard_data() -> dict[str, Any]:
    with open(os.path.join(HERE, "wizard.json"), encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@dataclass
class Wizard:
    targets: list[dict[str, Any]]
    benchmarks: list[dict[str, Any]]
    target: dict[str, Any] | None = None
    bench: dict[str, Any] | None = None
    choices: dict[str, str] = field(default_factory=dict)
    command: str = ""
    windows: str = ""
    builder_link: dict[str, str] = field(default_factory=dict)

    @classmethod
    def make(cls, p: dict[str, str]) -> Wizard:
        data = wizard_data()
        targets = sorted(data["targets"], key=lambda t: t["name"])
        w = cls(targets, [])
        w.target = _pick(targets, p.get("compute_uid", ""), "compute_uid")
        tags = set(w.target["tags"]) if w.target else set()
        w.benchmarks = [b for b in data["benchmarks"]
                        if not b["supported_compute"] or set(b["supported_compute"]) <= tags]
        w.bench = _pick(w.benchmarks, p.get("bench_uid", "39877bb63fb54725"), "bench_uid")
        if w.bench is None or w.target is None:
            return w
        params: dict[str, str] = {f"~~{w.bench['device_group']}": w.target["device"]}
        for flag in w.bench["flags"]:
            value = p.get(f"@{flag}", w.bench["defaults"].get(flag, ""))
            if value not in w.bench["choices"].get(flag, [value]):
                raise BadInput(f"{flag} must be one of {', '.join(w.bench['choices'][flag])}")
            w.choices[flag] = value
            params[f"@{flag}"] = value
        found = artifacts.find("script", names=[w.bench["script"]])
        if not found:
            raise BadInput(f"recipe {w.bench['script']} not found")
        b = commands.build(found[0].meta, params)
        w.command, w.windows = commands.command(b), commands.command(b, windows=True)
        w.builder_link = {"action": "scripts", "name": w.bench["script"], **params}
        return w


def _pick(items: list[dict[str, Any]], uid: str, what: str) -> dict[str, Any] | None:
    if not uid:
        return None
    for i in items:
        if i["uid"] == uid:
            return i
    raise BadInput(f"unknown {what} {uid[:20]!r}")
