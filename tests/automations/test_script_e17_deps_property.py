"""Issue 17 item 4: every run-time change of a recipe's dependencies by its hooks
(``automation.update_deps`` on ``meta['post_deps']``, a dependency inserted into
``meta['post_deps']``) reaches the dependency that runs, and the cache content key keeps entries of other
variations, names and run-time tags apart (install-python-venv --name=X must not be served the
entry of get,python,-virtual). Probe recipes ``probe-vparent`` / ``probe-vchild`` of both formats;
cmind 4.2.0 made the same entries (tags ``kind-b,name-foo`` ...) for them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colmind.testing import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "probes-e17"

request = st.tuples(st.sampled_from(["", "a", "b"]),          # parent variation (a is the default)
                    st.sampled_from(["", "foo", "Bar"]),      # --name (a run-time extra cache tag)
                    st.sampled_from(["", "x", "y"]))          # --extra: a dependency added at run time


def run_parent(variation: str, name: str, extra: str) -> dict:
    args = ["run", "script", "--tags=probe,probe-vparent" + (f",_{variation}" if variation else ""), "-j", "--quiet"]
    if name:
        args.append(f"--name={name}")
    if extra:
        args.append(f"--extra={extra}")
    r = run_cli(*args)
    assert r.code == 0, r.stderr
    start = r.stderr.index('{\n  "return"')
    return json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2])["new_env"]


def expected_child_tags(variation: str, name: str) -> str:
    return ",".join(["kind-" + (variation or "a")] + ([f"name-{name.lower()}"] if name else []))


@pytest.mark.slow
@pytest.mark.parametrize(("coll", "p"), [("cm", "CM_"), ("mlc", "MLC_")])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=st.lists(request, min_size=2, max_size=5))
def test_run_time_dep_changes_reach_the_dep_and_the_key(cm_home, tmp_path, monkeypatch, coll, p, requests):
    import shutil
    import uuid

    from colmind.core import reset_core

    home = tmp_path / ("h-" + uuid.uuid4().hex[:8])
    monkeypatch.setenv("CM_REPOS", str(home))
    reset_core()
    try:
        assert run_cli("import", "repo", f"--path={FIXTURES / ('repo-' + coll)}").code == 0
        seen: dict[tuple[str, str], str] = {}         # (child tags) -> the run id of the entry
        seen_extra: dict[tuple[str, str], str] = {}  # (variation, name) of the inserted dep -> run id
        for variation, name, extra in requests:
            env = run_parent(variation, name, extra)
            tags = expected_child_tags(variation, name)
            # the hook's update_deps reached the child that ran
            assert env[p + "PROBE_CHILD_TAGS"] == tags
            # same request -> the same entry; another variation/name -> never its entry
            key = (tags, "")
            assert seen.setdefault(key, env[p + "PROBE_CHILD_RUN"]) == env[p + "PROBE_CHILD_RUN"]
            assert list(seen.values()).count(env[p + "PROBE_CHILD_RUN"]) == 1
            if extra:  # the dependency inserted into meta ran, with its own variation and entry;
                # the caller's --name reaches it in env (post_deps), a name-<name> tag as in CM
                assert env[p + "PROBE_EXTRA_CHILD_VARIATION"] == extra
                run_id = env[p + "PROBE_EXTRA_CHILD_RUN"]
                assert seen_extra.setdefault((extra, name.lower()), run_id) == run_id
                assert list(seen_extra.values()).count(run_id) == 1
                assert run_id not in seen.values()
            else:
                assert p + "PROBE_EXTRA_CHILD_RUN" not in env
    finally:
        reset_core()
        shutil.rmtree(home, ignore_errors=True)
