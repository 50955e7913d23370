"""tmp-run.sh / tmp-run.bat generation, native script choice, real runs with live output + log."""

from __future__ import annotations

import os
import subprocess

import pytest

from colmind.engine import shell
from colmind.engine.dialect import CM, MLC


def test_exports_sorted_and_quoted():
    env = {"B": "two words", "A": "it's $HOME `x` \"q\"", "+PATH": ["/a b", "/c"], "FLAG": True,
           "LIST": ["x", "y"], "bad-key": "skip"}
    lines = shell.export_lines(env)
    assert lines[0].startswith("export +PATH") is False
    assert lines == [
        'export PATH="/a b:/c:${PATH}"',
        "export A='it'\"'\"'s $HOME `x` \"q\"'",
        "export B='two words'",
        "export FLAG='True'",
        "export LIST='x:y'",
    ]


@pytest.mark.slow
def test_exported_values_reach_bash_literally(tmp_path):
    env = {"A": "it's $HOME `echo x` \"q\" \\n", "+PATH": ["/opt/my bin"]}
    script = tmp_path / "show.sh"
    script.write_text('printf "%s\\n" "$A"\necho "${PATH%%:*}"\n')
    text = shell.tmp_script_text(env, str(script), windows=False)
    (tmp_path / "t.sh").write_text(text)
    out = subprocess.run(["bash", "-c", ". ./t.sh"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [env["A"], "/opt/my bin"]


def test_bat_generation():
    text = shell.tmp_script_text({"A": "1", "+PATH": ["C:\\x"]}, "C:\\r\\run.bat", windows=True)
    assert text.split("\r\n") == ["@echo off", "", 'set "PATH=C:\\x;%PATH%"', 'set "A=1"', "",
                                  'call "C:\\r\\run.bat"', ""]


def test_sh_wrapper_shape():
    text = shell.tmp_script_text({"A": "1"}, "/r/run.sh", windows=False, prefix_lines=["source /venv"])
    assert text == "#!/bin/bash\n\nsource /venv\nexport A='1'\n\n\n. '/r/run.sh'\n"


@pytest.mark.parametrize("dialect, files, env, chosen", [
    (CM, ["run.sh"], {}, "run.sh"),
    (CM, ["run.sh", "run-ubuntu.sh"], {"CM_HOST_OS_FLAVOR": "ubuntu"}, "run-ubuntu.sh"),
    (CM, ["run.sh", "run-ubuntu-22.04.sh", "run-ubuntu.sh"],
     {"CM_HOST_OS_FLAVOR": "ubuntu", "CM_HOST_OS_VERSION": "22.04"}, "run-ubuntu-22.04.sh"),
    (CM, ["run.sh", "run-x86_64.sh"], {"CM_HOST_PLATFORM_FLAVOR": "x86_64"}, "run-x86_64.sh"),
    (MLC, ["run.sh", "run-debian.sh"], {"MLC_HOST_OS_FLAVOR_LIKE": "debian", "MLC_HOST_OS_FLAVOR": "ubuntu"},
     "run-debian.sh"),
    (MLC, ["run.sh", "run-linux.sh"], {"MLC_HOST_OS_TYPE": "linux"}, "run-linux.sh"),
    (CM, ["run-linux.sh"], {"CM_HOST_OS_TYPE": "linux"}, ""),
    (CM, [], {}, ""),
])
def test_choose(tmp_path, dialect, files, env, chosen):
    for f in files:
        (tmp_path / f).write_text("")
    got = shell.choose(str(tmp_path), "run", env, dialect, windows=False)
    assert os.path.basename(got) == chosen


def test_windows_choice(tmp_path):
    (tmp_path / "run.bat").write_text("")
    assert shell.choose(str(tmp_path), "run", {}, CM, windows=True).endswith("run.bat")


@pytest.mark.parametrize("code, text", [(3, "exit status 3"), (-9, "killed by signal 9 (SIGKILL)")])
def test_describe_status(code, text):
    assert shell.describe_status(code) == text


@pytest.mark.slow
def test_run_streams_logs_and_reads_back(tmp_path, capfd):
    native = tmp_path / "run.sh"
    native.write_text('echo "out $X"\necho err >&2\necho "K=a=b" > tmp-run-env.out\n'
                      'echo \'{"s": 1}\' > tmp-run-state.json\nexit 3\n')
    r = shell.run(str(tmp_path), {"X": "1"}, str(native))
    assert r.returncode == 3 and r.tail == ["out 1", "err"] or r.tail == ["err", "out 1"]
    captured = capfd.readouterr()
    assert "out 1" in captured.out and "err" in captured.err
    assert "out 1" in (tmp_path / "tmp-run.log").read_text()
    assert shell.read_back(str(tmp_path)) == ({"K": "a=b"}, {"s": 1})
    shell.clean(str(tmp_path))
    assert not (tmp_path / "tmp-run.sh").exists() and not (tmp_path / "tmp-run-env.out").exists()
