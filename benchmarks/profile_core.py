"""Profile one colmind command on a benchmark home (cProfile + import time), to find hot spots.

Examples (after ``bench_core.py`` has created the homes)::

    python benchmarks/profile_core.py 50000 find benchart --tags=grp7,run
    python benchmarks/profile_core.py 10000 find benchart
    python benchmarks/profile_core.py startup version

The first argument picks the home ``benchmarks/.work/core/homes/colmind-<arg>`` (or is a home
directory, e.g. ``benchmarks/.work/engine/homes/colmind`` for ``run script``); the rest is the
``cm`` command line. Prints the top functions by own time and by cumulative time, and the slowest
imports (``-X importtime``). ``.pyc`` caching is on, as for users.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toolenv import WORK_DIR, CMHome, colmind_python  # noqa: E402

TOP = 25


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    given = Path(argv[0]).resolve()
    home = CMHome(given if given.is_dir() else WORK_DIR / "core" / "homes" / f"colmind-{argv[0]}")
    if not home.home.is_dir():
        print(f"{home.home} does not exist: run benchmarks/bench_core.py first")
        return 2
    env, cm_args = home.env(), argv[1:]
    stats = WORK_DIR / "profile.pstats"
    runner = "import sys; from colmind.cli.main import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run([colmind_python(), "-m", "cProfile", "-o", str(stats), "-m", "colmind", *cm_args],
                   env=env, cwd=str(home.home), stdout=subprocess.DEVNULL)
    show = (f"import pstats,sys; p=pstats.Stats(sys.argv[1]); p.sort_stats('tottime').print_stats({TOP}); "
            f"p.sort_stats('cumtime').print_stats({TOP})")
    subprocess.run([colmind_python(), "-c", show, str(stats)], env=env)
    imports = subprocess.run([colmind_python(), "-X", "importtime", "-c", runner, *cm_args], env=env,
                             cwd=str(home.home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = [line.split("|") for line in imports.stderr.splitlines() if line.startswith("import time:")][1:]
    rows.sort(key=lambda r: -int(r[1]))
    print(f"\nslowest imports (cumulative us) of {len(rows)} modules:")
    for row in rows[:TOP]:
        print(f"  {int(row[1]):>8}  {row[2].rstrip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
