"""Version constraints: where they come from (input > env > meta), comparison, clamping of
``default_version`` and validity checks of a detected version (spec 2.6).
"""

from __future__ import annotations

from collections.abc import Mapping

from colmind.engine.dialect import Dialect
from colmind.valueclass import FrozenValue

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine.execute import ScriptRun

FIELDS = ("version", "version_min", "version_max", "version_max_usable")
_LEAD: Any = None  # re.compile(r"^(\d+)(.*)$") on first use: no ``re`` unless versions are compared


class Constraints(FrozenValue):
    """Requested version and bounds (empty string = not requested)."""

    _fields = ("version", "version_min", "version_max", "version_max_usable")
    version: str
    version_min: str
    version_max: str
    version_max_usable: str

    def __init__(self, version: str = "", version_min: str = "", version_max: str = "",
                 version_max_usable: str = "") -> None:
        self._set("version", version)
        self._set("version_min", version_min)
        self._set("version_max", version_max)
        self._set("version_max_usable", version_max_usable)

    def as_dict(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELDS if getattr(self, f)}

    def env_items(self, dialect: Dialect) -> dict[str, str]:
        """``CM_VERSION``... for the non-empty fields."""
        return {dialect.key(f.upper()): v for f, v in self.as_dict().items()}

    def allows(self, version: str) -> bool:
        """Does a detected/recorded ``version`` satisfy these constraints?"""
        if not version:
            return True
        if self.version and compare(version, self.version) != 0 and not _minor_skip_ok(version, self.version):
            return False
        if self.version_min and compare(version, self.version_min) < 0:
            return False
        return not (self.version_max and compare(version, self.version_max) > 0)


def _part(p: str) -> tuple[int, str]:
    global _LEAD
    if _LEAD is None:
        import re

        _LEAD = re.compile(r"^(\d+)(.*)$")
    m = _LEAD.match(p)
    if m:
        return int(m.group(1)), m.group(2)
    return 0 if p == "" else -1, p


def compare(a: str, b: str) -> int:
    """Compare dotted versions; missing parts are 0; ``1.10`` > ``1.9``; ``-1``/``0``/``1``."""
    pa, pb = str(a).split("."), str(b).split(".")
    n = max(len(pa), len(pb))
    pa += ["0"] * (n - len(pa))
    pb += ["0"] * (n - len(pb))
    for x, y in zip(pa, pb, strict=True):
        kx, ky = _part(x), _part(y)
        if kx != ky:
            return -1 if kx < ky else 1
    return 0


def _minor_skip_ok(detected: str, requested: str) -> bool:
    """MLC ``version_minor_skip_okay``: detected ``9.1`` satisfies requested ``9``."""
    d, r = detected.split("."), requested.split(".")
    return len(r) < len(d) and d[: len(r)] == r


def from_sources(inp: Mapping[str, Any], env: Mapping[str, Any], meta: Mapping[str, Any],
                 dialect: Dialect) -> Constraints:
    """Input keys win, then env ``CM_VERSION*``, then meta top-level keys."""
    values: dict[str, str] = {}
    for f in FIELDS:
        v = inp.get(f)
        if v in (None, "", False):
            v = env.get(dialect.key(f.upper()))
        if v in (None, "", False):
            v = meta.get(f)
        values[f] = "" if v in (None, False, True) else str(v).strip()
    return Constraints(**values)


def clamp_default(default: str, c: Constraints) -> str:
    """``default_version`` raised to ``version_min``, lowered to ``version_max_usable`` / ``version_max``."""
    v = default
    if not v:
        return ""
    if c.version_min and compare(v, c.version_min) < 0:
        v = c.version_min
    upper = c.version_max_usable or c.version_max
    if upper and compare(v, upper) > 0:
        v = upper
    return v


def version_info(run: ScriptRun) -> dict[str, Any]:
    """One ``run_state['version_info']`` item (CM/MLC ``--print_versions``, ``--dump_version_info``):
    ``{"<requested tags>,_<variations>": {script_uid, script_alias, script_tags, script_variations,
    version, parent}}`` (explicit variations for CM recipes, expanded ones for MLC)."""
    exp = run.expansion
    variations: list[str] = []
    if exp is not None:
        variations = list(exp.expanded if run.dialect.customize_gets_expanded_variations else exp.explicit)
    key = ",".join(list(run.query.tags) + ["_" + v for v in variations])
    parent = run.ctx.chain[-2] if len(run.ctx.chain) > 1 else None
    return {key: {"script_uid": run.recipe.uid, "script_alias": run.recipe.alias,
                  "script_tags": ",".join(run.recipe.tags), "script_variations": ",".join(variations),
                  "version": run.version, "parent": parent}}
