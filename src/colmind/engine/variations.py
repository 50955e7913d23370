"""Variation expansion: aliases, groups and their defaults, ``base``, ``default_variations``,
dynamic ``prefix.#`` variations, combined ``a,b`` variations and ``-x`` exclusions (spec 2.5).

Pure: takes the ``variations`` dict of a meta and the requested list, returns an :class:`Expansion`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from colmind.errors import CMError, NotFound
from colmind.valueclass import Value

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class Expansion(Value):
    """Result of expanding the requested variations of one recipe."""

    _fields = ("expanded", "selected", "excluded", "explicit", "combined")

    def __init__(self, expanded: list[str], selected: list[str], excluded: list[str], explicit: list[str],
                 combined: list[str] | None = None) -> None:
        self.expanded = expanded  # full list in CM/MLC order, incl. "-x" exclusions
        self.selected = selected  # selected variation names (dynamic ones with their value)
        self.excluded = excluded
        self.explicit = explicit  # as requested ("x" / "-x")
        self.combined: list[str] = [] if combined is None else combined  # combined keys to apply, sorted

    @property
    def tags_string(self) -> str:
        """``_a,_b`` of all selected variations (``variation_tags_string``)."""
        return ",".join("_" + v for v in self.selected)


def lookup(variations: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """Meta key for a variation name and its dynamic suffix (``dyn.hi`` -> ``("dyn.#", "hi")``)."""
    if name in variations:
        return name, ""
    for key in variations:
        if key.endswith(".#") and "," not in key:
            prefix = key[:-1]
            if name.startswith(prefix) and len(name) > len(prefix) and not name.endswith("."):
                return key, name[len(prefix):]
    return None


def exists(variations: Mapping[str, Any], name: str) -> bool:
    """Is ``name`` (``-`` stripped) a variation of the meta (directly or via ``p.#``)?"""
    return lookup(variations, name.lstrip("-")) is not None


def _meta(variations: Mapping[str, Any], name: str) -> dict[str, Any]:
    found = lookup(variations, name)
    if found is None:
        raise NotFound(f'variation "{name}" is not defined', hint=f"known: {', '.join(variations)}")
    value = variations.get(found[0])
    return value if isinstance(value, dict) else {}


def _groups(variations: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for key, meta in variations.items():
        if not isinstance(meta, dict) or not meta.get("group"):
            continue
        g = groups.setdefault(str(meta["group"]), {"members": [], "default": ""})
        g["members"].append(key)
        if meta.get("default") in (True, "true", "yes", "True"):
            if g["default"]:
                raise CMError(f'variation group "{meta["group"]}" has two defaults: {g["default"]}, {key}')
            g["default"] = key
    return groups


class _Expander:
    def __init__(self, variations: Mapping[str, Any], requested: Sequence[str], mlc: bool) -> None:
        self.v = variations
        self.mlc = mlc
        self.explicit = list(requested)
        self.expanded: list[str] = []
        for r in requested:
            if r not in self.expanded:
                self.expanded.append(r)
        self.excluded = [r[1:] for r in requested if r.startswith("-")]
        self.excluded_keys = {(lookup(variations, e) or (e, ""))[0] for e in self.excluded}
        self.groups = _groups(variations)
        self.processed: set[str] = set()

    @property
    def selected(self) -> list[str]:
        return [x for x in self.expanded if not x.startswith("-")]

    def add(self, name: str, front: bool = False) -> bool:
        if name in self.expanded:
            return False
        if name in self.excluded:
            return False
        if lookup(self.v, name) is None:
            raise NotFound(f'variation "{name}" is not defined', hint=f"known: {', '.join(self.v)}")
        if front:
            self.expanded.insert(0, name)
        else:
            self.expanded.append(name)
        return True

    def group_of(self, name: str) -> str:
        found = lookup(self.v, name)
        meta = self.v.get(found[0]) if found else None
        return str(meta.get("group", "")) if isinstance(meta, dict) else ""

    def group_has_member(self, group: str) -> bool:
        return any(self.group_of(s) == group for s in self.selected)

    def add_default_variations(self, defaults: Mapping[str, Any]) -> bool:
        changed = False
        for group, var in (defaults or {}).items():
            var = str(var)
            if self.group_has_member(str(group)) or var in self.excluded:
                continue
            changed |= self.add(var)
        return changed

    def resolve_aliases(self) -> None:
        for name in list(self.selected):
            meta = _meta(self.v, name)
            target = meta.get("alias")
            if not target:
                continue
            if meta.get("group") or meta.get("default"):
                raise CMError(f'variation "{name}" has an alias and may not have a group or default')
            if str(target) in self.excluded:
                raise CMError(f'variation "{name}" is an alias of excluded variation "{target}"')
            self.add(str(target))

    def combined_keys(self) -> list[str]:
        keys = [k for k in self.v if "," in k]
        active = [k for k in keys if all(self.component_selected(c.strip()) for c in k.split(","))]
        return sorted(active, key=lambda k: k.count(","))

    def component_selected(self, comp: str) -> bool:
        if comp in self.selected:
            return True
        if self.mlc and comp.endswith(".#"):
            prefix = comp[:-1]
            return any(s.startswith(prefix) and len(s) > len(prefix) for s in self.selected)
        return False

    def apply_structure(self, name: str, meta: Mapping[str, Any]) -> bool:
        changed = False
        for base in meta.get("base", []) or []:
            base = str(base)
            if base in self.excluded:
                raise CMError(f'variation "{base}" is excluded but is a base of "{name}"')
            changed |= self.add(base, front=self.mlc)
        changed |= self.add_default_variations(meta.get("default_variations") or {})
        return changed

    def fixed_point(self) -> None:
        while True:
            changed = False
            for name in list(self.selected):
                if name in self.processed:
                    continue
                self.processed.add(name)
                changed |= self.apply_structure(name, _meta(self.v, name))
            for key in self.combined_keys():
                if key in self.processed:
                    continue
                self.processed.add(key)
                meta = self.v.get(key) or {}
                if self.mlc:
                    changed |= self.apply_structure(key, meta)
                else:
                    changed |= self.add_default_variations(meta.get("default_variations") or {})
            if not changed:
                return

    def check_groups_and_defaults(self) -> bool:
        added = False
        for group, info in self.groups.items():
            members = [s for s in self.selected if self.group_of(s) == group]
            if len(members) > 1:
                listed = ", ".join(repr(m) for m in sorted(members))
                raise CMError(f'Multiple variation tags selected for the variation group "{group}": {{{listed}}}')
            if not members and info["default"] and info["default"] not in self.excluded_keys:
                added |= self.add(info["default"])
        return added


def expand(variations: Mapping[str, Any], requested: Sequence[str], *, default_variation: str = "",
           extra_defaults: Mapping[str, Any] | None = None, mlc: bool = False,
           valid_combinations: Sequence[Sequence[str]] = (),
           invalid_combinations: Sequence[Sequence[str]] = ()) -> Expansion:
    """Expand requested variations.

    Raises:
        NotFound: a requested or referenced variation does not exist.
        CMError: group conflicts, bad alias/base, invalid combination.
    """
    ex = _Expander(variations or {}, requested, mlc)
    for name in ex.selected:
        if lookup(ex.v, name) is None:
            raise NotFound(f'variation "{name}" is not defined', hint=f"known: {', '.join(ex.v)}")
    ex.resolve_aliases()
    if not requested and default_variation:
        ex.add(str(default_variation))
    if extra_defaults:
        ex.add_default_variations(extra_defaults)
    while True:
        ex.fixed_point()
        if not ex.check_groups_and_defaults():
            break
    _check_combinations(ex.selected, valid_combinations, invalid_combinations)
    return Expansion(ex.expanded, ex.selected, ex.excluded, ex.explicit, ex.combined_keys())


def _check_combinations(selected: Sequence[str], valid: Sequence[Sequence[str]],
                        invalid: Sequence[Sequence[str]]) -> None:
    chosen = set(selected)
    for combo in invalid or []:
        if combo and all(c in chosen for c in combo):
            raise CMError(f"Invalid variation combination {list(combo)} (invalid_variation_combinations)")
    if valid:
        relevant = [c for c in valid if any(x in chosen for x in c)]
        if relevant and not any(all(x in chosen for x in c) for c in relevant):
            raise CMError(f"Variation combination {sorted(chosen)} is not one of valid_variation_combinations {valid}")


def variation_meta(variations: Mapping[str, Any], name: str) -> tuple[dict[str, Any], str]:
    """The meta of a selected variation and its dynamic suffix (``""`` for static ones)."""
    found = lookup(variations, name)
    if found is None:
        return {}, ""
    meta = variations.get(found[0])
    return (meta if isinstance(meta, dict) else {}), found[1]
