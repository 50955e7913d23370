"""Report the installed MLPerf LoadGen: version, build string and built-in seeds.

    python loadgen_info.py [--min-version 4.1] [--env-out tmp-run-env.out] [--no-probe]

The build string ("6.0.17 @ d6147c7eb7") and the RNG seeds of LoadGen's built-in mlperf.conf are
read from a 1-query null run in a temporary folder (about 0.1 s). Prints JSON; with --env-out also
writes CM_MLPERF_LOADGEN_* KEY=VALUE lines. Exit 1 when LoadGen is missing or too old.
Stdlib + mlperf_loadgen only; must not import colmind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from importlib import metadata
from typing import Any

SEED_KEYS = ("qsl_rng_seed", "sample_index_rng_seed", "schedule_rng_seed")


def version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def installed_version() -> str:
    for dist in ("mlcommons-loadgen", "mlcommons_loadgen", "mlperf-loadgen"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return ""


def probe(lg: Any) -> dict[str, Any]:
    """A null SUT answering one SingleStream query; returns the detail log's facts."""
    with tempfile.TemporaryDirectory(prefix="loadgen-probe-") as tmp:
        conf = os.path.join(tmp, "user.conf")
        open(conf, "w", encoding="utf-8").close()
        settings = lg.TestSettings()
        settings.scenario = lg.TestScenario.SingleStream
        if settings.FromConfig(conf, "probe", "SingleStream") != 0:
            return {}
        settings.mode = lg.TestMode.PerformanceOnly
        settings.min_duration_ms, settings.min_query_count, settings.max_query_count = 0, 1, 1

        def issue(samples: list[Any]) -> None:
            lg.QuerySamplesComplete([lg.QuerySampleResponse(s.id, 0, 0) for s in samples])

        sut = lg.ConstructSUT(issue, lambda: None)
        qsl = lg.ConstructQSL(1, 1, lambda _i: None, lambda _i: None)
        log = lg.LogSettings()
        log.log_output.outdir = tmp
        log.enable_trace = False
        lg.StartTestWithLogSettings(sut, qsl, settings, log)
        lg.DestroyQSL(qsl)
        lg.DestroySUT(sut)
        return read_detail(os.path.join(tmp, "mlperf_log_detail.txt"))


def read_detail(path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(":::MLLOG "):
                entry = json.loads(line[len(":::MLLOG "):])
                out[entry.get("key", "")] = entry.get("value")
    return out


def collect(do_probe: bool) -> dict[str, Any]:
    info: dict[str, Any] = {"version": installed_version(), "build": "", "seeds": []}
    import mlperf_loadgen as lg  # raises ImportError when missing

    if do_probe:
        detail = probe(lg)
        info["build"] = str(detail.get("loadgen_version", ""))
        info["seeds"] = [detail.get(f"effective_{k}") for k in SEED_KEYS]
    return info


def env_lines(info: dict[str, Any]) -> str:
    lines = [f"CM_MLPERF_LOADGEN_VERSION={info['version']}"]
    if info["build"]:
        lines.append(f"CM_MLPERF_LOADGEN_BUILD={info['build']}")
    if info["seeds"] and all(s is not None for s in info["seeds"]):
        lines.append("CM_MLPERF_LOADGEN_SEEDS=" + ",".join(str(s) for s in info["seeds"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="loadgen_info.py")
    p.add_argument("--min-version", default="")
    p.add_argument("--env-out", default="")
    p.add_argument("--no-probe", action="store_true")
    args = p.parse_args(argv)
    try:
        info = collect(not args.no_probe)
    except ImportError as exc:
        print(f"get-mlperf-loadgen: ERROR: cannot import mlperf_loadgen ({exc}); install the "
              f"mlcommons-loadgen wheel into {sys.executable}'s environment", file=sys.stderr)
        return 1
    if args.min_version and version_tuple(info["version"]) < version_tuple(args.min_version):
        print(f"get-mlperf-loadgen: ERROR: mlcommons-loadgen {info['version']} is older than "
              f"{args.min_version} (needed for the built-in mlperf.conf)", file=sys.stderr)
        return 1
    if args.env_out:
        with open(args.env_out, "a", encoding="utf-8") as handle:
            handle.write(env_lines(info))
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
