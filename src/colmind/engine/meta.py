"""A recipe as the engine sees it: path, merged meta, format, and the table of meta keys the
engine understands (spec 1.2). Keys outside the table are reported once per run.
"""

from __future__ import annotations

import os

from colmind.engine.dialect import CM, MLC, MLC_META_FILES, Dialect
from colmind.valueclass import Value

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

# Keys the run engine acts on, or that are documentation/CI only and deliberately inert.
TOP_LEVEL_KEYS = frozenset("""
alias automation_alias automation_uid tags uid category cache deps new_env_keys variations input_mapping
default_env prehook_deps versions post_deps new_state_keys env tests input_description posthook_deps
default_version clean_files docker print_env_at_the_end name sort tags_help developers can_force_cache
extra_cache_tags_from_env local_env_keys category_sort print_files_if_script_error docker_input_mapping
script_name cache_expiration env_key_mappings predeps warnings clean_output_files gui private
update_meta_if_env invalid_variation_combinations valid_variation_combinations variation_groups_order
const docker_off file_path_env_keys folder_path_env_keys min_mlc_version min_cm_version
print_env_at_the_end_disabled sudo_install variation_tags_alias default_variation default_variations
version version_min version_max version_max_usable state clean_env_keys_post_deps _base
add_deps add_deps_recursive ad adr const_state mlc_compat repo_path customize
""".split())

VARIATION_KEYS = frozenset("""
env group default deps adr base default_variations prehook_deps ad add_deps_recursive new_env_keys alias
default_env add_deps docker post_deps script_name default_version required_disk_space state const
posthook_deps update_meta_if_env add_deps_tags cache_expiration default_variation names new_state_keys
warning warnings cache force_cache input_mapping new_state_keys version const_state
""".split())

VERSION_KEYS = frozenset("""
env adr add_deps_recursive deps ad add_deps default_env state const new_env_keys new_state_keys
prehook_deps posthook_deps post_deps warnings
""".split())

INERT_NOTES = {
    "default-variations": "is not read by CM or MLC either (did you mean default_variations?)",
}


class Recipe(Value):
    """One script artifact with its merged meta and format."""

    _fields = ("path", "meta", "uid", "alias", "dialect", "repo_path", "artifact", "meta_file", "sort")

    def __init__(self, path: str, meta: dict[str, Any], uid: str, alias: str, dialect: Dialect,
                 repo_path: str = "", artifact: Any = None, meta_file: str = "", sort: int = 0) -> None:
        self.path = path
        self.meta = meta
        self.uid = uid
        self.alias = alias
        self.dialect = dialect
        self.repo_path = repo_path
        self.artifact = artifact  # the core's Artifact (None in unit tests)
        self.meta_file = meta_file
        self.sort = sort

    @property
    def tags(self) -> list[str]:
        tags = self.meta.get("tags") or []
        return [str(t) for t in (tags.split(",") if isinstance(tags, str) else tags)]

    @property
    def variations(self) -> dict[str, Any]:
        v = self.meta.get("variations")
        return v if isinstance(v, dict) else {}

    @property
    def ref(self) -> str:
        return f"{self.alias},{self.uid}" if self.alias else self.uid


def meta_file_of(path: str) -> str:
    """The meta file that defines the recipe (for messages)."""
    for name in ("meta.yaml", "meta.json", "_cm.yaml", "_cm.json"):
        candidate = os.path.join(path, name)
        if os.path.isfile(candidate):
            return candidate
    return os.path.join(path, "_cm.yaml")


def from_artifact(artifact: Any) -> Recipe:
    """Build a :class:`Recipe` from the core's ``Artifact``."""
    path = str(artifact.path)
    meta = dict(artifact.meta or {})
    meta_file = meta_file_of(path)
    # dialect.dialect_for_path's rule from the same stats: MLC when meta.yaml/meta.json exists
    dialect = MLC if os.path.basename(meta_file) in MLC_META_FILES else CM
    if not meta:
        meta.update(_load_meta_files(path))
    elif dialect.name == "mlc" and _has_cm_meta(path):
        # the index read only the ``_cm.*`` beside it (CM's rule): the recipe is the MLC meta
        meta.update(_load_meta_files(path, mlc_only=True))
    repo = getattr(artifact, "repo", None)
    repo_path = str(getattr(repo, "path", "") or "")
    sort = meta.get("sort", 0)
    return Recipe(
        path=path, meta=meta, uid=str(artifact.uid or meta.get("uid", "")),
        alias=str(artifact.alias or meta.get("alias", "")), dialect=dialect,
        repo_path=repo_path, artifact=artifact, meta_file=meta_file,
        sort=sort if isinstance(sort, int) else 0,
    )


def _has_cm_meta(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, name)) for name in ("_cm.yaml", "_cm.json"))


def _load_meta_files(path: str, mlc_only: bool = False) -> dict[str, Any]:
    # the store's loaders: clear errors naming the file, and the input limits (store/limits.py)
    from colmind.store.meta import load_json_file, load_yaml_file

    meta: dict[str, Any] = {}
    for name in ("meta.yaml",) if mlc_only else ("meta.yaml", "_cm.yaml"):
        p = os.path.join(path, name)
        if os.path.isfile(p):
            meta.update(load_yaml_file(p) or {})
    for name in ("meta.json",) if mlc_only else ("meta.json", "_cm.json"):
        p = os.path.join(path, name)
        if os.path.isfile(p):
            meta.update(load_json_file(p))
    return meta


def unsupported_keys(recipe: Recipe) -> list[str]:
    """Human-readable list of meta keys the engine does not act on (``variations.v.key`` form)."""
    found: list[str] = []
    for key in recipe.meta:
        if key not in TOP_LEVEL_KEYS:
            found.append(_note(key, key))
    for vname, vmeta in recipe.variations.items():
        if isinstance(vmeta, dict):
            found += [_note(f"variations.{vname}.{k}", k) for k in vmeta if k not in VARIATION_KEYS]
    versions = recipe.meta.get("versions")
    if isinstance(versions, dict):
        for ver, vmeta in versions.items():
            if isinstance(vmeta, dict):
                found += [_note(f"versions.{ver}.{k}", k) for k in vmeta if k not in VERSION_KEYS]
    return found


def _note(path: str, key: str) -> str:
    note = INERT_NOTES.get(key)
    return f"{path} ({note})" if note else path
