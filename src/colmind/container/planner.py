"""The pure container planner: a recipe request -> a :class:`ContainerPlan`.

``plan(request)`` reads nothing and runs nothing: the same request always gives the same plan.
The plan holds the Dockerfile (or Apptainer definition) text, the build and run argv lists, the
mounts, the inner colmind command and the image reference. The image tag is a content hash of
the Dockerfile text, the build arguments and the digests of every build-context item, so an
unchanged recipe reuses its image and any change (recipe, repository, colmind itself) rebuilds.

User text (tags, inputs) only ever appears as separate argv items or JSON-encoded exec-form
``RUN [...]`` lines; the one shell-form exception is the Apptainer ``%post`` script, where every
item is quoted with :func:`shlex.quote`.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from colmind.container import distros
from colmind.container import mounts as mounts_mod
from colmind.container.mounts import STATE_DIR, Mount

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

VENV = "/opt/colmind/venv"
WHEELS = "/opt/colmind/wheels"
REPOS = "/opt/colmind/repos"
FILES = "/opt/colmind/files"
USER = "cmuser"
PROXY_KEYS = ("http_proxy", "https_proxy", "no_proxy", "ftp_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
              "FTP_PROXY")


@dataclass(frozen=True)
class Host:
    """What the planner needs to know about the host (gathered by the caller)."""

    uid: int = 1000
    gid: int = 1000
    cwd: str = "/home/user"
    rootless: bool = True
    files: frozenset[str] = frozenset()  # absolute host paths (of inputs) that are files
    proxies: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """One direct dependency of the recipe (``deps`` + ``prehook_deps``, as the engine calls them)."""

    alias: str
    tags: str  # the tags it is called with, variations included
    index: int  # its position among the called dependencies (1-based)


@dataclass(frozen=True)
class ContextItem:
    """One item of the build context: ``dest`` relative to the context folder."""

    dest: str
    digest: str
    kind: str  # wheel | repo | file
    target: str = ""  # file: where it goes in the image


@dataclass(frozen=True)
class Request:
    alias: str
    tags: tuple[str, ...]  # the tags asked for, variations (``_x``) included
    inputs: Mapping[str, Any]  # the recipe's own inputs (no docker_*, no action/automation/out)
    settings: Mapping[str, Any]  # colmind.container.settings.resolve(...).values
    tool: str  # docker | podman | apptainer
    host: Host
    steps: tuple[Step, ...] = ()
    context: tuple[ContextItem, ...] = ()
    work_root: str = "/tmp/colmind-containers"  # host folder for contexts (and .sif images)
    state_dir: str = "/tmp/colmind-state"  # host folder mounted at /colmind-state


@dataclass(frozen=True)
class ContainerPlan:
    tool: str
    image_ref: str
    tag: str
    recipe_file: str  # Dockerfile | colmind.def
    recipe_text: str
    context_dir: str
    build_argv: list[str]
    run_argv: list[str]
    inner_argv: list[str]
    mounts: list[Mount]
    user: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "image": self.image_ref, "tag": self.tag, "recipe_file": self.recipe_file,
                "dockerfile": self.recipe_text, "context_dir": self.context_dir,
                "build_argv": list(self.build_argv), "run_argv": list(self.run_argv),
                "inner_argv": list(self.inner_argv), "user": self.user,
                "mounts": [m.volume() for m in self.mounts], "warnings": list(self.warnings)}


# -- the inner colmind command -----------------------------------------------------------------
def input_argv(inputs: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Inputs as ``cm`` flags, sorted: dict -> ``--a.b=v``, list -> ``--k,=a,b``, True -> ``--k``,
    False -> ``--k-``."""
    out: list[str] = []
    for key in sorted(inputs):
        value = inputs[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out += input_argv(value, name + ".")
        elif isinstance(value, (list, tuple)):
            out.append(f"--{name},=" + ",".join(str(v) for v in value))
        elif value is True:
            out.append(f"--{name}")
        elif value is False:
            out.append(f"--{name}-")
        elif value is not None:
            out.append(f"--{name}={value}")
    return out


def _tags_flag(tags: tuple[str, ...]) -> str:
    return "--tags=" + ",".join(tags)


def build_inputs(request: Request) -> dict[str, Any]:
    """Inputs for the image-build RUN line: no host paths (input paths), nothing meta says to skip."""
    skip = set(request.settings["skip_input_for_fake_run"]) | set(request.settings["input_paths"])
    kept = {k: v for k, v in request.inputs.items() if k not in skip}
    env = dict(kept.get("env") or {})
    for key in skip:
        if key.startswith("env."):
            env.pop(key[4:], None)
    env.update({str(k): v for k, v in request.settings["env"].items()})
    env["CM_RUN_STATE_DOCKER"] = "True"
    kept["env"] = env
    return kept


def build_command(request: Request) -> list[str]:
    argv = ["cm", "run", "script", _tags_flag(request.tags), *input_argv(build_inputs(request)), "--quiet"]
    if not request.settings["real_run"]:
        argv.append("--fake_run")
    if request.settings["fake_run_deps"]:
        argv.append("--fake_deps")
    return argv


def run_inputs(request: Request) -> tuple[dict[str, Any], list[Mount]]:
    """Inputs for the run inside the container, host paths rewritten; the mounts they need."""
    inputs = json.loads(json.dumps(dict(request.inputs), default=str))
    keys = list(request.settings["input_paths"])
    if "outdirname" in inputs and "outdirname" not in keys:
        keys.append("outdirname")
    found = mounts_mod.map_input_paths(inputs, keys, request.host.cwd, lambda p: p in request.host.files)
    return inputs, found


def inner_command(request: Request, inputs: Mapping[str, Any]) -> list[str]:
    return ["cm", "run", "script", _tags_flag(request.tags), *input_argv(inputs), "--quiet",
            f"--save_to_json={STATE_DIR}/result.json", f"--record={STATE_DIR}/record.json"]


# -- the image -----------------------------------------------------------------------------------
def image_user(request: Request) -> str:
    """root, or the name of the non-root user matching the host UID/GID."""
    chosen = str(request.settings["user"])
    if chosen:
        return chosen
    if request.tool == "apptainer" or request.host.uid == 0:
        return "root"
    return USER


def home_of(user: str) -> str:
    return "/root" if user == "root" else f"/home/{user}"


def _exec(argv: list[str]) -> str:
    return "RUN " + json.dumps(argv)


def _family(request: Request) -> str:
    return distros.distro(str(request.settings["os"])).family


def _packages(request: Request) -> list[str]:
    return list(distros.distro(str(request.settings["os"])).packages) + list(request.settings["os_packages"])


def _base(request: Request) -> str:
    s = request.settings
    return distros.base_image(str(s["os"]), str(s["os_version"]), str(s["base_image"]))


def _wheels(request: Request) -> list[str]:
    return sorted(item.dest for item in request.context if item.kind == "wheel")


def _repos(request: Request) -> list[str]:
    return sorted(item.dest for item in request.context if item.kind == "repo")


def _install_colmind(request: Request) -> str:
    wheels = " ".join(f"{WHEELS}/{w.split('/')[-1]}" for w in _wheels(request))
    return (f"python3 -m venv --system-site-packages {VENV} && {VENV}/bin/python -m pip install "
            f"--no-index --no-deps --no-cache-dir {wheels}")


def _user_lines(user: str, request: Request) -> list[str]:
    if user == "root":
        return []
    return ["ARG UID=1000", "ARG GID=1000",
            f'RUN groupadd -g "${{GID}}" -o {user} && useradd -l -m -u "${{UID}}" -g "${{GID}}" -o -s /bin/bash {user} '
            f'&& echo "{user} ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/{user} && chmod 0440 /etc/sudoers.d/{user}']


def _repo_commands(request: Request) -> list[list[str]]:
    commands = [["cm", "import", "repo", f"--path={REPOS}/{dest.split('/')[-1]}"] for dest in _repos(request)]
    commands += [["cm", "pull", "repo", str(name)] for name in request.settings["cm_repos"]]
    return commands


def _dep_commands(request: Request) -> list[tuple[str, list[str]]]:
    """One layer per cached direct dependency: the recipe's own fake run stopped after that
    dependency, so each dependency gets exactly the env it gets in the full run."""
    if not request.settings["split_run"] or request.settings["fake_run_deps"] or not request.settings["cache"]:
        return []
    base = ["cm", "run", "script", _tags_flag(request.tags), *input_argv(build_inputs(request)), "--quiet",
            "--fake_run"]
    return [(f"dependency {step.index}: {step.alias} ({step.tags})", [*base, f"--colmind_deps_limit={step.index}"])
            for step in request.steps]


def dockerfile(request: Request) -> str:
    """The Dockerfile text (docker and podman)."""
    user = image_user(request)
    home = home_of(user)
    s = request.settings
    lines = [f"# Generated by colmind for recipe {request.alias}: do not edit (cm dockerfile script writes it again)",
             f"FROM {_base(request)}",
             f'LABEL org.opencontainers.image.title="colmind-script-{request.alias}" '
             f'org.colmind.recipe="{request.alias}"',
             'SHELL ["/bin/bash", "-o", "pipefail", "-c"]']
    if _family(request) == "debian":
        lines.append("ENV DEBIAN_FRONTEND=noninteractive")
    lines += ["ENV LANG=C.UTF-8 TZ=UTC",
              "RUN " + distros.install_command(_family(request), _packages(request))]
    if s["extra_sys_deps"]:
        lines.append(f"RUN {s['extra_sys_deps']}")
    lines += _user_lines(user, request)
    lines += [f"COPY wheels/ {WHEELS}/", "RUN " + _install_colmind(request), f'ENV PATH="{VENV}/bin:${{PATH}}"']
    lines += [f"COPY {dest}/ {REPOS}/{dest.split('/')[-1]}/" for dest in _repos(request)]
    lines += [f"COPY {item.dest} {item.target}" for item in request.context if item.kind == "file"]
    lines += [f'ENV {k}="{v}"' for k, v in sorted(s["build_env"].items())]
    if user != "root":
        lines.append(f"USER {user}:{user}")
    lines += [f"ENV HOME={home} CM_REPOS={home}/CM", f"WORKDIR {home}"]
    lines += [_exec(argv) for argv in _repo_commands(request)]
    for comment, argv in _dep_commands(request):
        lines += [f"# {comment}", _exec(argv)]
    lines += [f"# the recipe: dependencies installed, {'body run' if s['real_run'] else 'body skipped (--fake_run)'}",
              _exec(build_command(request)), "ENTRYPOINT []", 'CMD ["cm", "version"]']
    return "\n".join(lines) + "\n"


def apptainer_definition(request: Request) -> str:
    """The Apptainer definition text (``%post`` runs as root; the image is read-only at run time)."""
    s = request.settings
    repos = "/opt/colmind/CM"
    post = ["set -euo pipefail", distros.install_command(_family(request), _packages(request))]
    if s["extra_sys_deps"]:
        post.append(str(s["extra_sys_deps"]))
    post += [_install_colmind(request), f'export PATH="{VENV}/bin:$PATH" CM_REPOS={repos} LANG=C.UTF-8']
    post += [shlex.join(argv) for argv in _repo_commands(request)]
    post += [shlex.join(argv) for _, argv in _dep_commands(request)]
    post += [shlex.join(build_command(request)), f"chmod -R a+rwX {repos}"]
    files = [f"    wheels {WHEELS}"] + [f"    {d} {REPOS}/{d.split('/')[-1]}" for d in _repos(request)]
    files += [f"    {item.dest} {item.target}" for item in request.context if item.kind == "file"]
    env = [f'    export PATH="{VENV}/bin:$PATH"', f"    export CM_REPOS={repos}", "    export LANG=C.UTF-8 TZ=UTC"]
    env += [f"    export {k}={shlex.quote(str(v))}" for k, v in sorted(s["build_env"].items())]
    lines = ["Bootstrap: docker", f"From: {_base(request)}", "",
             "%labels", f"    org.colmind.recipe {request.alias}", "", "%files", *files, "",
             "%environment", *env, "", "%post", *[f"    {line}" for line in post], "",
             "%runscript", '    exec cm "$@"', ""]
    return f"# Generated by colmind for recipe {request.alias}: do not edit\n" + "\n".join(lines)


# -- the tag -------------------------------------------------------------------------------------
def build_args(request: Request, user: str) -> list[tuple[str, str]]:
    args: list[tuple[str, str]] = []
    if user != "root" and request.tool != "apptainer":
        # a root host asking for a non-root image gets the usual 1000, never a second UID 0
        host_ok = request.host.uid != 0
        args += [("UID", str(request.host.uid if request.settings["use_host_user_id"] and host_ok else 1000)),
                 ("GID", str(request.host.gid if request.settings["use_host_group_id"] and host_ok else 1000))]
    return args


def content_tag(text: str, args: list[tuple[str, str]], context: tuple[ContextItem, ...]) -> str:
    digest = hashlib.sha256(text.encode("utf-8"))
    for key, value in args:
        digest.update(f"\0arg {key}={value}".encode())
    for item in sorted(context, key=lambda c: c.dest):
        digest.update(f"\0{item.kind} {item.dest} {item.target} {item.digest}".encode())
    return digest.hexdigest()[:12]


def image_name(request: Request) -> str:
    return str(request.settings["image_name"]) or f"colmind-script-{request.alias}"


def image_repo(request: Request) -> str:
    if request.settings["image_repo"]:
        return str(request.settings["image_repo"])
    return "localhost/local" if request.tool == "podman" else "local"


# -- argv ----------------------------------------------------------------------------------------
def global_args(request: Request) -> list[str]:
    runtime = str(request.settings["runtime"])
    return [f"--runtime={runtime}"] if runtime and request.tool == "podman" else []


def engine_build_argv(request: Request, context_dir: str, image_ref: str, args: list[tuple[str, str]]) -> list[str]:
    s = request.settings
    argv = [request.tool, *global_args(request), "build"]
    if request.tool == "podman":
        argv.append("--format=docker")  # the OCI format drops SHELL
    if not s["cache"] or s["rebuild"]:
        argv.append("--no-cache")
    argv += [f"--ulimit={u}" for u in s["ulimit"]]
    if s["network"]:
        argv.append(f"--network={s['network']}")
    for key, value in [*args, *request.host.proxies]:
        argv += ["--build-arg", f"{key}={value}"]
    return argv + ["-f", f"{context_dir}/Dockerfile", "-t", image_ref, context_dir]


def _gpu_args(request: Request) -> list[str]:
    s = request.settings
    if request.tool == "podman":
        if s["all_gpus"]:
            return ["--device=nvidia.com/gpu=all"]
        return [f"--device=nvidia.com/gpu={i}" for i in range(int(s["num_gpus"]))] if s["num_gpus"] else []
    if s["all_gpus"]:
        return ["--gpus=all"]
    return [f"--gpus={s['num_gpus']}"] if s["num_gpus"] else []


def _run_options(request: Request, user: str) -> list[str]:
    s = request.settings
    opts = [] if s["keep"] else ["--rm"]
    if s["it"]:
        opts.append("-it")
    if request.tool == "podman" and request.host.rootless and user != "root":
        opts.append("--userns=keep-id")
    if request.tool == "docker" and s["runtime"]:
        opts.append(f"--runtime={s['runtime']}")
    opts += [f"--ulimit={u}" for u in s["ulimit"]]
    if s["network"]:
        opts.append(f"--network={s['network']}")
    opts += _gpu_args(request)
    opts += [f"--device={s['device']}"] if s["device"] else []
    opts += [f"--shm-size={s['shm_size']}"] if s["shm_size"] else []
    opts += [f"-p={p}" for p in s["port_maps"]]
    opts += ["--privileged"] if s["privileged"] else []
    opts += ["--dns=8.8.8.8", "--dns=8.8.4.4"] if s["use_google_dns"] else []
    opts += shlex.split(str(s["extra_run_args"]))
    return opts


def wrapped(request: Request, inner: list[str]) -> list[str]:
    """The container command: the inner argv itself, or ``bash -c SCRIPT colmind ARGV...`` when
    shell commands run first or a shell follows (the argv stays out of the script: ``"$@"``)."""
    s = request.settings
    pre = [str(c) for c in s["pre_run_cmds"]] + ([str(s["run_cmd_prefix"])] if s["run_cmd_prefix"] else [])
    if not pre and not s["it"]:
        return inner
    script = " && ".join([*pre, '"$@"']) if pre else '"$@"'
    if s["it"]:
        script = f'{script}; status=$?; bash -i; exit "$status"'
    return ["bash", "-c", script, "colmind", *inner]


def all_mounts(request: Request, input_mounts: list[Mount]) -> list[Mount]:
    s = request.settings
    found = [Mount(request.state_dir, STATE_DIR)] + input_mounts
    found += mounts_mod.explicit_mounts([str(m) for m in s["mounts"]], request.host.cwd)
    if s["mount_current_dir"]:
        found.append(Mount(mounts_mod.absolute(".", request.host.cwd), mounts_mod.MOUNT_ROOT + "/current"))
    return mounts_mod.unique(found)


def engine_run_argv(request: Request, user: str, image_ref: str, mounts: list[Mount],
                    inner: list[str]) -> list[str]:
    argv = [request.tool, *global_args(request), "run", *_run_options(request, user)]
    for mount in mounts:
        argv += ["-v", mount.volume()]
    if request.settings["mount_current_dir"]:
        argv.append(f"--workdir={mounts_mod.MOUNT_ROOT}/current")
    return argv + [image_ref, *wrapped(request, inner)]


def apptainer_run_argv(request: Request, image_ref: str, mounts: list[Mount], inner: list[str]) -> list[str]:
    argv = ["apptainer", "exec", "--cleanenv", "--writable-tmpfs"]
    if request.settings["all_gpus"] or request.settings["num_gpus"]:
        argv.append("--nv")
    for mount in mounts:
        argv += ["--bind", mount.volume()]
    if request.settings["mount_current_dir"]:
        argv.append(f"--pwd={mounts_mod.MOUNT_ROOT}/current")
    return argv + [image_ref, *wrapped(request, inner)]


# -- the plan ------------------------------------------------------------------------------------
def plan(request: Request) -> ContainerPlan:
    """The whole plan for ``request`` (pure)."""
    user = image_user(request)
    apptainer = request.tool == "apptainer"
    text = apptainer_definition(request) if apptainer else dockerfile(request)
    args = build_args(request, user)
    tag = content_tag(text, args, request.context)
    name = image_name(request)
    context_dir = f"{request.work_root}/{name}-{tag}"
    inputs, input_mounts = run_inputs(request)
    mounts = all_mounts(request, input_mounts)
    inner = inner_command(request, inputs)
    if apptainer:
        image_ref = f"{request.work_root}/{name}_{tag}.sif"
        build_argv = ["apptainer", "build", *([] if request.host.uid == 0 else ["--fakeroot"]),
                      image_ref, f"{context_dir}/colmind.def"]
        run_argv = apptainer_run_argv(request, image_ref, mounts, inner)
    else:
        image_ref = f"{image_repo(request)}/{name}:{tag}"
        build_argv = engine_build_argv(request, context_dir, image_ref, args)
        run_argv = engine_run_argv(request, user, image_ref, mounts, inner)
    return ContainerPlan(tool=request.tool, image_ref=image_ref, tag=tag,
                         recipe_file="colmind.def" if apptainer else "Dockerfile", recipe_text=text,
                         context_dir=context_dir, build_argv=build_argv, run_argv=run_argv, inner_argv=inner,
                         mounts=mounts, user=user)
