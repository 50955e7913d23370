"""The container actions of the ``script`` automation (loaded lazily through its plug-in table):
``cm docker script``, ``cm dockerfile script`` and ``cm run script --docker``.

Each reads as its steps: find the recipe, resolve the dependency chain on the host (the engine's
dry run), resolve the ``--docker_*`` settings, describe the build context, plan (pure), then
print / write / build / run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from colmind.container import context as ctx_mod
from colmind.container import engines, planner, settings
from colmind.container.planner import ContainerPlan, Host, Request, Step
from colmind.errors import CMError, NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

# inputs that belong to the host call, not to the recipe run inside the container
_HOST_KEYS = {"action", "automation", "artifact", "artifacts", "tags", "out", "cmd", "parsed_automation",
              "parsed_artifact", "self_module", "docker", "j", "json", "help", "h", "quiet", "save_to_json",
              "record", "dry_run", "dry-run", "con", "print", "repos"}
BUILTIN_UID = "36b263b05174aef9"


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("yes", "on", "true", "1")


def _say(i: dict[str, Any], text: str) -> None:
    if i.get("out") == "con":
        print(text, flush=True)


def _warn(text: str) -> None:
    print(f"WARNING: {text}", file=sys.stderr, flush=True)


def recipe_inputs(i: dict[str, Any]) -> dict[str, Any]:
    """The inputs the recipe itself gets (inside the container and at image build)."""
    return {k: v for k, v in i.items() if k not in _HOST_KEYS and not k.startswith("docker_")}


def _tags(i: dict[str, Any]) -> list[str]:
    from colmind.store.tags import split_tags

    return [t for t in split_tags(i.get("tags")) if t]


# -- steps -------------------------------------------------------------------------------------
def find_recipes(automation: Any, i: dict[str, Any]) -> list[Any]:
    found = automation.search({**i, "out": None})["list"]
    if not found:
        raise NotFound("no scripts were found with above tags", hint="cm find script --tags=...")
    registered = [a for a in found if a.repo.uid != BUILTIN_UID]
    # as for cm run script: a registered repository's recipe wins, built-ins are the fallback
    return sorted(registered or found, key=lambda a: a.alias or a.uid)


def dependency_chain(art: Any, tags: list[str], inputs: dict[str, Any]) -> dict[str, Any]:
    """The recipe's plan tree from the engine's dry run (nothing runs)."""
    import contextlib
    import io

    from colmind.api import access

    request = {**inputs, "action": "run", "automation": "script", "tags": ",".join(tags) if tags else None,
               "artifact": None if tags else (art.uid or art.alias), "dry_run": True, "quiet": True,
               "fake_run": True}
    with contextlib.redirect_stdout(io.StringIO()):
        r = access({k: v for k, v in request.items() if v is not None})
    if r.get("return", 0) > 0:
        raise CMError(f"could not resolve the dependencies of {art.alias} on this host: {r.get('error')}")
    return dict(r["plan"])


def tree_paths(node: dict[str, Any]) -> list[str]:
    paths = [str(node["path"])] if node.get("path") else []
    for child in node.get("children") or []:
        paths += tree_paths(child)
    return paths


def steps_of(root: dict[str, Any]) -> tuple[Step, ...]:
    """The recipe's direct dependencies (``deps`` + ``prehook_deps``, in call order) that are
    cached: each gets an image layer (``--colmind_deps_limit=<its position>``)."""
    steps = []
    for index, child in enumerate(root.get("children") or [], 1):
        if child.get("cache") not in ("off", "skip"):
            steps.append(Step(str(child.get("alias") or child.get("uid")), str(child.get("request_tags")), index))
    return tuple(steps)


def repositories(core: Any, paths: list[str]) -> list[tuple[str, str, str]]:
    """(alias, uid, path) of the non-built-in repositories holding ``paths``."""
    found = set()
    for path in paths:
        real = os.path.realpath(path)
        for repo in core.repos:
            root = os.path.realpath(repo.path)
            if repo.uid != BUILTIN_UID and (real == root or real.startswith(root + os.sep)):
                found.add((repo.alias, repo.uid, repo.path))
    return sorted(found)


def host_facts(inputs: dict[str, Any], input_keys: list[str]) -> Host:
    from colmind.container.mounts import absolute, get_dotted

    cwd = os.getcwd()
    files = set()
    for key in [*input_keys, "outdirname"]:
        value = get_dotted(inputs, key)
        if isinstance(value, str) and value and os.path.isfile(absolute(value, cwd)):
            files.add(absolute(value, cwd))
    proxies = tuple(sorted((k, os.environ[k]) for k in planner.PROXY_KEYS if os.environ.get(k)))
    uid = os.getuid() if hasattr(os, "getuid") else 1000
    gid = os.getgid() if hasattr(os, "getgid") else 1000
    return Host(uid=uid, gid=gid, cwd=cwd, rootless=uid != 0, files=frozenset(files), proxies=proxies)


def work_root(core: Any, values: dict[str, Any]) -> str:
    return os.path.abspath(str(values["path"])) if values["path"] else os.path.join(str(core.repos_path), "containers")


# -- planning ----------------------------------------------------------------------------------
class Prepared:
    """A plan and what it was made from."""

    def __init__(self, art: Any, request: Request, plan: ContainerPlan, sources: list[ctx_mod.Source],
                 values: dict[str, Any], state_dir: str) -> None:
        self.art = art
        self.request = request
        self.plan = plan
        self.sources = sources
        self.values = values
        self.state_dir = state_dir


def prepare(automation: Any, art: Any, i: dict[str, Any], dry: bool) -> Prepared:
    inputs = recipe_inputs(i)
    tags = _tags(i)
    tree = dependency_chain(art, tags, inputs)
    resolved = settings.resolve(i, art.meta, list(tree.get("variations") or []))
    for text in resolved.warnings:
        _warn(text)
    values = dict(resolved.values)
    if values["it"] and not sys.stdin.isatty():
        _warn("--docker_it needs a terminal; running without one")
        values["it"] = False
    tool = engines.choose(str(values["tool"])) or ("" if dry else _no_tool(str(values["tool"])))
    tool = tool or (str(values["tool"]) if values["tool"] != "auto" else "docker")
    core = automation.core
    repos = repositories(core, [art.path, *tree_paths(tree)])
    sources = ctx_mod.describe(values, repos, os.getcwd())
    root = work_root(core, values)
    state_dir = os.path.join(root, "state-DRYRUN") if dry else tempfile.mkdtemp(prefix="state-", dir=_mkdir(root))
    request = Request(alias=art.alias or art.uid, tags=tuple(tags) or (art.alias,), inputs=inputs, settings=values,
                      tool=tool, host=host_facts(inputs, list(values["input_paths"])), steps=steps_of(tree),
                      context=tuple(s.item for s in sources), work_root=root, state_dir=state_dir)
    return Prepared(art, request, planner.plan(request), sources, values, state_dir)


def _mkdir(path: str) -> str:
    os.makedirs(path, exist_ok=True)
    return path


def _no_tool(wanted: str) -> str:
    raise CMError(f"no container tool found ({'docker, podman or apptainer' if wanted == 'auto' else wanted})",
                  hint="install podman (or docker, or apptainer), or use --docker_dry_run to see the plan")


def describe_plan(plan: ContainerPlan) -> str:
    import shlex

    lines = [f"# {plan.recipe_file} ({plan.tool})", plan.recipe_text.rstrip("\n"), "",
             f"# image: {plan.image_ref}", f"# user in the image: {plan.user}",
             "# mounts: " + (", ".join(m.volume() for m in plan.mounts) or "none"),
             "# build command:", shlex.join(plan.build_argv), "# run command:", shlex.join(plan.run_argv)]
    return "\n".join(lines) + "\n"


# -- actions -----------------------------------------------------------------------------------
def dockerfile(automation: Any, i: dict[str, Any]) -> dict[str, Any]:
    """``cm dockerfile script``: write the Dockerfile and build context; build and run nothing."""
    if _truthy(i.get("help")):
        return _help(i)
    results = []
    for art in find_recipes(automation, i):
        prepared = prepare(automation, art, i, dry=_truthy(i.get("docker_dry_run")))
        plan = prepared.plan
        if _truthy(prepared.values["dry_run"]):
            _say(i, describe_plan(plan))
        else:
            ctx_mod.materialize(prepared.sources, plan.context_dir, plan.recipe_file, plan.recipe_text)
            _say(i, f"Wrote {os.path.join(plan.context_dir, plan.recipe_file)}")
        results.append({"alias": art.alias, **plan.to_dict()})
    return {"return": 0, "list": results, **results[-1]}


def docker(automation: Any, i: dict[str, Any]) -> dict[str, Any]:
    """``cm docker script`` (``cmrd``): build the image when its content tag is new, run the recipe
    in it and return the inner run's result."""
    if _truthy(i.get("help")):
        return _help(i)
    result: dict[str, Any] = {"return": 0}
    for art in find_recipes(automation, i):
        result = _docker_one(automation, art, i)
        if result.get("return", 0) > 0:
            break
    if _truthy(i.get("j")) or _truthy(i.get("json")):
        from colmind.engine.jsondump import dumps

        sys.stderr.write(dumps(result, indent=2, default=str) + "\n")
    return result


def _docker_one(automation: Any, art: Any, i: dict[str, Any]) -> dict[str, Any]:
    dry = _truthy(i.get("docker_dry_run")) or (isinstance(i.get("docker"), dict) and _truthy(i["docker"].get("dry_run")))
    prepared = prepare(automation, art, i, dry)
    plan = prepared.plan
    if not prepared.values["run"] and not prepared.values["run_override"]:
        _say(i, f"{art.alias}: docker.run is false in its meta (use --docker_run_override to run it anyway)")
        return {"return": 0, "skipped": True}
    if dry:
        _say(i, describe_plan(plan))
        return {"return": 0, "plan": plan.to_dict()}
    for mount in plan.mounts:  # an output folder named on the command line may not exist yet
        if not os.path.exists(mount.host):
            os.makedirs(mount.host, exist_ok=True)
    if plan.user != "root" and hasattr(os, "getuid") and os.getuid() == 0:
        os.chmod(prepared.state_dir, 0o1777)  # a non-root image on a root host writes its result here
    try:
        built = _ensure_image(prepared, i)
        _say(i, f"Running {art.alias} in {plan.image_ref} ({plan.tool})")
        code = engines.Executor(plan).run()
        return _collect(prepared, code, built)
    finally:
        import shutil

        shutil.rmtree(prepared.state_dir, ignore_errors=True)


def _ensure_image(prepared: Prepared, i: dict[str, Any]) -> bool:
    """Build the image unless one with the plan's content tag exists; whether it was built."""
    plan = prepared.plan
    executor = engines.Executor(plan)
    if not prepared.values["rebuild"] and executor.image_exists():
        _say(i, f"Image {plan.image_ref} is up to date (content tag {plan.tag}): nothing to build")
        return False
    if prepared.values["skip_build"]:
        raise CMError(f"image {plan.image_ref} does not exist and --docker_skip_build was given")
    ctx_mod.materialize(prepared.sources, plan.context_dir, plan.recipe_file, plan.recipe_text)
    _say(i, f"Building {plan.image_ref} from {plan.context_dir}")
    code = executor.build()
    if code != 0:
        raise CMError(f"{plan.tool} build of {plan.image_ref} failed with exit code {code}",
                      hint=f"the build context is {plan.context_dir}")
    import shutil

    shutil.rmtree(plan.context_dir, ignore_errors=True)  # the image exists now (cm dockerfile script keeps it)
    return True


def _collect(prepared: Prepared, code: int, built: bool) -> dict[str, Any]:
    """The inner run's result (from the state folder), with the container's exit code."""
    plan = prepared.plan
    info = {"tool": plan.tool, "image": plan.image_ref, "built": built, "exit_code": code}
    path = os.path.join(prepared.state_dir, "result.json")
    result: dict[str, Any] = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            result = json.load(handle)
    record = os.path.join(prepared.state_dir, "record.json")
    if os.path.isfile(record):
        with open(record, encoding="utf-8") as handle:
            info["record"] = json.load(handle)
    if not result:
        result = {"return": code or 1, "error": f"the container exited with code {code} and wrote no result"}
    elif code != 0 and int(result.get("return", 0) or 0) == 0:
        result = {**result, "return": code, "error": f"the container exited with code {code}"}
    result["container"] = info
    return result


def _help(i: dict[str, Any]) -> dict[str, Any]:
    text = settings.help_text()
    _say(i, text)
    return {"return": 0, "help": text}


def run_with_docker(automation: Any, i: dict[str, Any]) -> dict[str, Any] | None:
    """``cm run script --docker``: ``None`` when the recipe maps ``docker`` itself (an ordinary
    input, upstream's behaviour), else the ``cm docker script`` result for the same request."""
    found = find_recipes(automation, {k: v for k, v in i.items() if k != "docker"})
    if any("docker" in (art.meta.get("input_mapping") or {}) for art in found):
        return None
    nested = i.get("docker")
    extra = {f"docker_{k}": v for k, v in nested.items()} if isinstance(nested, dict) else {}
    return docker(automation, {**{k: v for k, v in i.items() if k != "docker"}, **extra})
