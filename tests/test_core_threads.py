"""colmind's core per thread: a core (and its SQLite index connection) opened by one thread is
never used by another, so access() works from any thread, in any order (web servers, pools)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from colmind import access
from colmind.core import get_core, reset_core
from colmind.testing import api_ok


def _notes() -> None:
    api_ok({"action": "add", "automation": "automation", "artifact": "notes"})


def test_access_from_other_threads_after_the_main_thread_opened_the_core() -> None:
    _notes()
    api_ok({"action": "add", "automation": "notes", "artifact": "n1", "tags": "a"})
    main_core = get_core()
    with ThreadPoolExecutor(max_workers=3) as pool:
        found = list(pool.map(lambda _: access({"action": "find", "automation": "notes", "tags": "a"}), range(12)))
        cores = set(pool.map(lambda _: id(get_core()), range(6)))
    assert all(r["return"] == 0 and len(r["list"]) == 1 for r in found), found
    assert id(main_core) not in cores
    assert get_core() is main_core, "the opening thread keeps its own core"


def test_a_thread_that_opened_first_leaves_the_main_thread_working() -> None:
    _notes()
    reset_core()
    results: list[dict] = []
    worker = threading.Thread(target=lambda: results.append(access({"action": "find", "automation": "notes"})))
    worker.start()
    worker.join()
    assert results[0]["return"] == 0, results
    api_ok({"action": "add", "automation": "notes", "artifact": "n2"})
    assert len(api_ok({"action": "find", "automation": "notes"})["list"]) == 1


def test_cores_of_ended_threads_are_dropped() -> None:
    import colmind.core as core_module

    get_core()
    for _ in range(5):
        worker = threading.Thread(target=get_core)
        worker.start()
        worker.join()
    assert len(core_module._OTHER_CORES) <= 1, "ended threads' cores are pruned when a new one is made"
    reset_core()
    assert core_module._OTHER_CORES == {}
