"""The two recipe formats (CM ``_cm.yaml`` and MLC ``meta.yaml``) and every place they differ.

Engine code never writes ``"CM_"`` literally: it asks the recipe's :class:`Dialect` for names.
"""

from __future__ import annotations

from colmind.valueclass import FrozenValue


class Dialect(FrozenValue):
    """Format-dependent behaviour of the engine (spec section 6)."""

    _fields = ("name", "prefix", "input_mapping_is_const", "customize_gets_expanded_variations",
               "versions_before_variations", "combined_matches_dynamic", "env_merge_appends_lists",
               "postprocess_gets_const", "script_item_key", "script_tag_prefix", "cli_name")
    name: str  # "cm" | "mlc"
    prefix: str  # "CM_" | "MLC_"
    input_mapping_is_const: bool  # CM: mapped inputs win over variation env
    customize_gets_expanded_variations: bool  # MLC passes the expanded list to customize.py
    versions_before_variations: bool  # MLC applies versions[v] before variations
    combined_matches_dynamic: bool  # MLC matches "a,b.#" against "_b.x"
    env_merge_appends_lists: bool  # MLC merges meta env with append_lists
    postprocess_gets_const: bool  # MLC adds const/const_state to postprocess i
    script_item_key: str  # cache meta key naming the script
    script_tag_prefix: str  # cache tag naming the script
    cli_name: str  # how a re-run command is spelled

    def __init__(self, name: str, prefix: str, input_mapping_is_const: bool,
                 customize_gets_expanded_variations: bool, versions_before_variations: bool,
                 combined_matches_dynamic: bool, env_merge_appends_lists: bool, postprocess_gets_const: bool,
                 script_item_key: str, script_tag_prefix: str, cli_name: str) -> None:
        self._set("name", name)
        self._set("prefix", prefix)
        self._set("input_mapping_is_const", input_mapping_is_const)
        self._set("customize_gets_expanded_variations", customize_gets_expanded_variations)
        self._set("versions_before_variations", versions_before_variations)
        self._set("combined_matches_dynamic", combined_matches_dynamic)
        self._set("env_merge_appends_lists", env_merge_appends_lists)
        self._set("postprocess_gets_const", postprocess_gets_const)
        self._set("script_item_key", script_item_key)
        self._set("script_tag_prefix", script_tag_prefix)
        self._set("cli_name", cli_name)

    def key(self, suffix: str) -> str:
        """Engine env name for ``suffix`` (``key("VERSION")`` -> ``CM_VERSION``)."""
        return self.prefix + suffix

    @property
    def local_env_keys(self) -> tuple[str, ...]:
        """Keys removed from env while deps run (spec 1.3 local_env_keys)."""
        p = self.prefix
        keys = [
            f"{p}VERSION", f"{p}VERSION_MIN", f"{p}VERSION_MAX", f"{p}VERSION_MAX_USABLE",
            f"{p}DETECTED_VERSION", f"{p}INPUT", f"{p}OUTPUT", f"{p}OUTBASENAME", f"{p}OUTDIRNAME",
            f"{p}NAME", f"{p}EXTRA_CACHE_TAGS", f"{p}TMP_*", f"{p}GIT_*", f"{p}RENEW_CACHE_ENTRY",
        ]
        if self.name == "mlc":
            keys.append(f"{p}SEARCH_FOLDER_PATH")
        return tuple(keys)


CM = Dialect(
    name="cm",
    prefix="CM_",
    input_mapping_is_const=True,
    customize_gets_expanded_variations=False,
    versions_before_variations=False,
    combined_matches_dynamic=False,
    env_merge_appends_lists=False,
    postprocess_gets_const=False,
    script_item_key="associated_script_artifact",
    script_tag_prefix="script-artifact-",
    cli_name="cm run script",
)

MLC = Dialect(
    name="mlc",
    prefix="MLC_",
    input_mapping_is_const=False,
    customize_gets_expanded_variations=True,
    versions_before_variations=True,
    combined_matches_dynamic=True,
    env_merge_appends_lists=True,
    postprocess_gets_const=True,
    script_item_key="associated_script_artifact",
    script_tag_prefix="script-artifact-",
    cli_name="cm run script",
)

MLC_META_FILES = ("meta.yaml", "meta.json")
CM_META_FILES = ("_cm.yaml", "_cm.json")


def dialect_for_path(path: str) -> Dialect:
    """MLC when the recipe folder has ``meta.yaml``/``meta.json`` (an identity-only ``_cm.json``
    next to it, written so an index that reads only ``_cm.*`` can find it, does not change that)."""
    import os

    if any(os.path.isfile(os.path.join(path, f)) for f in MLC_META_FILES):
        return MLC
    return CM
