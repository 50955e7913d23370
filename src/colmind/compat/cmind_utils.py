"""colmind's implementation of the ``cmind.utils`` helpers (cmind 4.2.0 signatures and results).

Recipes written for CM do ``from cmind import utils``; inside ``colmind.compat.shim.recipe_imports``
that name resolves to this module. The helpers live in small topic modules and are re-exported here.
"""

from __future__ import annotations

from colmind.compat.cm_dicts import (
    check_if_none_false_no_off,
    check_if_true_yes_on,
    compare_versions,
    convert_dictionary,
    convert_env_to_dict,
    digits,
    flatten_dict,
    get_set,
    get_value_from_dict_with_flat_key,
    merge_dicts,
    safe_float,
    safe_int,
    sub_input,
    substitute_template,
    test_input,
    update_dict_if_empty,
    update_dict_with_flat_key,
)
from colmind.compat.cm_files import (
    dump_safe_json,
    find_api,
    is_file_json_or_yaml,
    load_bin,
    load_json,
    load_json_or_yaml,
    load_txt,
    load_yaml,
    load_yaml_and_json,
    safe_load_json,
    save_json,
    save_json_or_yaml,
    save_txt,
    save_yaml,
    update_yaml,
)
from colmind.compat.cm_modules import (
    call_internal_module,
    load_module,
    load_python_module,
    process_meta_for_inheritance,
)
from colmind.compat.cm_names import (
    assemble_cm_object,
    assemble_cm_object1,
    assemble_cm_object2,
    convert_tags_to_list,
    decompose_cm_obj,
    filter_tags,
    gen_uid,
    get_list_from_cli,
    is_cm_uid,
    match_objects,
    parse_cm_object,
    process_input,
    tags_matched,
)
from colmind.compat.cm_paths import (
    check_and_create_dir,
    find_file_in_current_directory_or_above,
    find_file_in_dir_and_above,
    gen_tmp_file,
    list_all_files,
    path2,
    rm_read_only,
)
from colmind.compat.cm_system import (
    copy_to_clipboard,
    debug_here,
    get_current_date_time,
    get_disk_use,
    get_memory_use,
)

__all__ = [
    "assemble_cm_object", "assemble_cm_object1", "assemble_cm_object2", "call_internal_module",
    "check_and_create_dir", "check_if_none_false_no_off", "check_if_true_yes_on", "compare_versions",
    "convert_dictionary", "convert_env_to_dict", "convert_tags_to_list", "copy_to_clipboard",
    "debug_here", "decompose_cm_obj", "digits", "dump_safe_json", "filter_tags", "find_api",
    "find_file_in_current_directory_or_above", "find_file_in_dir_and_above", "flatten_dict",
    "gen_tmp_file", "gen_uid", "get_current_date_time", "get_disk_use", "get_list_from_cli",
    "get_memory_use", "get_set", "get_value_from_dict_with_flat_key", "is_cm_uid",
    "is_file_json_or_yaml", "list_all_files", "load_bin", "load_json", "load_json_or_yaml",
    "load_module", "load_python_module", "load_txt", "load_yaml", "load_yaml_and_json",
    "match_objects", "merge_dicts", "parse_cm_object", "path2", "process_input",
    "process_meta_for_inheritance", "rm_read_only", "safe_float", "safe_int", "safe_load_json",
    "save_json", "save_json_or_yaml", "save_txt", "save_yaml", "sub_input", "substitute_template",
    "tags_matched", "test_input", "update_dict_if_empty", "update_dict_with_flat_key", "update_yaml",
]
