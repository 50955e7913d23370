"""Seeded generators for the scale fuzzers: CLI argv lists, ``@file`` bodies and ``access()`` dicts.

Everything is drawn from one ``random.Random(seed)``, so a failure is replayed by its seed and
case number. Hostile names aim at ``<sandbox>/outside`` (relative and absolute), at the file
system root and at ``/tmp`` with a marker in the name, so that the fuzzer can check afterwards
that nothing was written there.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

MARKER = "cmfuzz-escape"

# actions that neither run recipes nor use the network
ACTIONS = ["find", "search", "ls", "load", "info", "add", "update", "rm", "delete", "mv", "cp", "ren",
           "print-input", "help", "version", "show", "where", "init", "reindex", "test", "uid", "", "-h",
           "doc", "pack"]
AUTOMATIONS = ["notes", "automation", "repo", "core", "script", "cache", "*", "", ".", "no-such", "notes,xyz",
               "local:notes", "internal:automation", "../notes", "/abs"]
FLAG_KEYS = ["tags", "new_tags", "search_tags", "meta.x", "meta.tags", "meta.alias", "meta", "yaml", "force",
             "f", "replace", "replace_lists", "out", "j", "min", "all", "uid", "desc", "prefix", "here",
             "ignore_inheritance", "common", "print", "x.y.z", "h", "help", "version", "pack_file",
             "save_to_json", "tags,", "meta.list,", "dir", "path"]
EXIT_CODES = {0, 1, 2, 3, 4, 8, 16}  # docs/safety.md: CM's return codes (colmind/errors.py)


def hostile_names(sandbox: Path) -> list[str]:
    outside = sandbox / "outside"
    return [
        "..", ".", "../escape", "../../escape", "../../../../../../" + MARKER, "/" + MARKER,
        f"/tmp/{MARKER}", str(outside / "abs"), f"local:{outside}/x", "../outside/rel", "../../outside/rel2",
        "a/b", "a\\b", "x" * 300, "é" * 200, "a\x01b", "a\x7fb", " lead", "trail ", "a:b", "a,b,c",
        "local:..", "local:../x", f"local:{outside}", "..,0123456789abcdef", "0123456789abcdef,..",
        "*", "?", "nam*e", "-", "--", "@", "ok", "ok2", "n,0123456789abcdef", "Ünïcødé-名前",
        "\u202eevil", "con", "nul", "a" * 255, "\ud800" if False else "z",
    ]


def _scalar(rng: random.Random, names: list[str]) -> str:
    kind = rng.randrange(10)
    if kind == 0:
        return ""
    if kind == 1:
        return "x" * rng.choice([1000, 100_000])
    if kind == 2:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 12)))
    if kind == 3:
        return ",".join(rng.choice(names) for _ in range(rng.randrange(1, 4)))
    if kind == 4:
        return str(rng.randrange(-10**6, 10**6))
    if kind == 5:
        return "9" * 5000
    return rng.choice(names)


def flag(rng: random.Random, names: list[str]) -> str:
    key = rng.choice(FLAG_KEYS)
    if key == "save_to_json":
        return "--save_to_json=" + rng.choice(["out.json", "missing/out.json", ".", "x" * 300 + ".json",
                                                "sub/", "out.yaml"])
    if key == "path":
        return "--path=" + rng.choice(["here-repo", "./r2", "deep/r3"])
    if key == "pack_file":
        return "--pack_file=" + rng.choice(["p.zip", "none.zip", "x/y.zip"])
    form = rng.randrange(6)
    value = _scalar(rng, names)
    if form == 0:
        return f"--{key}={value}"
    if form == 1:
        return f"--{key}"
    if form == 2:
        return f"-{key}"
    if form == 3:
        return f"--{key},={value},{value}"
    if form == 4:
        return f"{key}={value}"
    return f"--{key}=" + rng.choice(["yes", "no", "true", "off", "1", ""])


BODIES: list[bytes] = [
    b"{", b"a: [", b"a: 1\n b: 2", b"\xff\xfe", b"[1, 2]", b"null", b"3", b'"s"', b"- x\n- y",
    b'{"action": 5}', b'{"automation": ["x"]}', b'{"artifact": {"a": 1}}', b'{"tags": 7}', b'{"out": 3}',
    b'{"meta": {"tags": 5}}', b'{"meta": "notadict"}', b'{"meta": {"a": ' + b"9" * 5000 + b"}}",
    b"meta:\n  x: " + b"9" * 5000 + b"\n", b"meta:\n  ~: 1\n", b"meta:\n  2020-01-01: x\n",
    b"meta:\n  when: 2020-01-01\n", b"meta: &a\n  self: *a\n", b"meta: &a [*a]\n",
    b"meta:\n  tags: 5\n", b"artifact: " + b"x" * 300 + b"\n", b"artifact: ../../escape\n",
    b"[" * 5000 + b"]" * 5000, b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 400)),
    b'{"' + "é".encode() * 50 + b'": 1}', b"tags: [a, b, -c]\n", b"? [a, b]\n: complex-key\n",
    b"!!python/object/apply:os.system ['echo pwned']\n", b"meta: !!binary aGVsbG8=\n",
]


def alias_bomb(levels: int = 9, width: int = 9) -> bytes:
    """The classic "billion laughs" in a few hundred bytes of YAML."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        refs = ",".join(f"*a{n - 1}" for _ in range(width))
        lines.append(f"a{n}: &a{n} [{refs}]")
    lines.append(f"meta:\n  bomb: *a{levels - 1}")
    return ("\n".join(lines) + "\n").encode()


def at_file(rng: random.Random, work: Path, case: int) -> str:
    ext = rng.choice([".json", ".yaml", ".yaml", ".txt"])
    choice = rng.randrange(len(BODIES) + 2)
    if choice == len(BODIES):
        body = alias_bomb()
    elif choice == len(BODIES) + 1:
        body = json.dumps({"action": rng.choice(ACTIONS), "automation": "notes",
                           "artifact": rng.choice(hostile_names(work.parent))}).encode()
    else:
        body = BODIES[choice]
    name = f"in{case % 50}{ext}"
    (work / name).write_bytes(body)
    return "@" + name


def argv(rng: random.Random, work: Path, case: int) -> list[str]:
    names = hostile_names(work.parent)
    out = [rng.choice(ACTIONS), rng.choice(AUTOMATIONS)]
    for _ in range(rng.randrange(0, 3)):
        out.append(rng.choice(names))
    for _ in range(rng.randrange(0, 4)):
        out.append(flag(rng, names) if rng.random() < 0.8 else at_file(rng, work, case))
    if rng.random() < 0.05:
        out.append("--")
        out.append(rng.choice(names))
    return [t for t in out if t != "" or rng.random() < 0.1]


class _Odd:
    def __str__(self) -> str:
        raise RuntimeError("str() of this object fails")


WRONG = [None, True, False, 0, -1, 2**70, 1.5, float("nan"), float("inf"), "", "x", [], [1, 2], [None],
         ["a", 3], {}, {"a": 1}, {1: 2}, {None: 1}, b"bytes", (1, 2), {"nested": [{"deep": None}]}, object(),
         _Odd(), "9" * 5000, "x" * 10_000]
KEYS = ["action", "automation", "artifact", "artifacts", "tags", "meta", "out", "force", "f", "yaml", "new_tags",
        "search_tags", "replace", "replace_lists", "ignore_inheritance", "common", "h", "help", "uid", "alias",
        "path", "min", "all", "print", "parsed_automation", "parsed_artifact", "cmd", "env", "state", "quiet",
        "version", "name", "cm-debug"]


def access_dict(rng: random.Random, sandbox: Path) -> dict[str, Any]:
    names = hostile_names(sandbox)
    i: dict[str, Any] = {"action": rng.choice(ACTIONS[:-2] + [rng.choice(WRONG)]),
                         "automation": rng.choice(AUTOMATIONS + [rng.choice(WRONG)])}
    if rng.random() < 0.8:
        i["artifact"] = rng.choice(names + [rng.choice(WRONG)])
    for _ in range(rng.randrange(0, 6)):
        key = rng.choice(KEYS)
        if key == "cm-debug":
            continue  # debug re-raises on purpose
        i[key] = rng.choice(WRONG + names + [[rng.choice(names)], {"tags": rng.choice(WRONG)}])
    if rng.random() < 0.1:
        i.pop("action", None)
    if i.get("action") in ("doc", "pack"):
        i["action"] = "find"
    return i
