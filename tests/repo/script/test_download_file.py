"""download-file against a local HTTP server: checksums, resume with Range, retries, errors."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

dl = load_module("download-file", "downloader")
PAYLOAD = bytes(range(256)) * 400  # 102400 bytes
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()


class Server:
    """Serves PAYLOAD at /data.bin with Range support and scripted failures."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str | None]] = []
        self.plan: list[str] = []  # per request: 'ok' | 'cut' (half the bytes, then close) | '503' | '404'
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append({"path": self.path, "range": self.headers.get("Range")})
                action = server.plan.pop(0) if server.plan else "ok"
                if action in ("503", "404") or self.path != "/data.bin":
                    self.send_error(404 if action == "404" or self.path != "/data.bin" else 503)
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    if start >= len(PAYLOAD):
                        self.send_error(416)
                        return
                body = PAYLOAD[start:]
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if action == "cut" else body)
                if action == "cut":
                    self.close_connection = True

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/data.bin"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _run(env: dict[str, str], tmp_path: Path) -> tuple[dict[str, object], dict[str, str]]:
    env = dict({"CM_DOWNLOAD_PATH": str(tmp_path), "CM_DOWNLOAD_RETRY_DELAY": "0.01"}, **env)
    i = fake_i("download-file", env=env)
    return load_customize("download-file").preprocess(i), i["env"]


def test_meta() -> None:
    meta = assert_valid_meta("download-file", ["download", "file", "download-file"])
    assert meta["cache"] is True
    assert {"env": "CM_DOWNLOAD_URL", "prefix": "url-"} in meta["extra_cache_tags_from_env"]
    assert meta["input_mapping"]["url"] == "CM_DOWNLOAD_URL"
    assert meta["input_mapping"]["sha256"] == "CM_DOWNLOAD_CHECKSUM_SHA256"


def test_correct_checksum(server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r, env = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM_SHA256": SHA256,
                   "CM_DOWNLOAD_CHECKSUM": MD5, "CM_DOWNLOAD_FINAL_ENV_NAME": "MY_DATA"}, tmp_path)
    assert r == {"return": 0}
    path = Path(str(env["CM_DOWNLOAD_DOWNLOADED_PATH"]))
    assert path == tmp_path / "data.bin" and path.read_bytes() == PAYLOAD
    assert env["CM_DOWNLOAD_DOWNLOADED_SHA256"] == SHA256 and env["MY_DATA"] == str(path)
    assert not (tmp_path / "data.bin.part").exists()
    assert "Downloading" not in capsys.readouterr().err  # not a tty: no progress bar
    r, _ = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM_SHA256": SHA256}, tmp_path)
    assert r == {"return": 0} and len(server.requests) == 1  # verified existing file: no new request


def test_wrong_checksum_removes_file(server: Server, tmp_path: Path) -> None:
    r, env = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM_SHA256": "0" * 64}, tmp_path)
    assert r["return"] == 1
    assert "sha256 mismatch" in str(r["error"]) and SHA256 in str(r["error"]) and server.url in str(r["error"])
    assert list(tmp_path.iterdir()) == []
    assert "CM_DOWNLOAD_DOWNLOADED_PATH" not in env


def test_wrong_md5(server: Server, tmp_path: Path) -> None:
    r, _ = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM": "f" * 32}, tmp_path)
    assert r["return"] == 1 and "md5 mismatch" in str(r["error"])


def test_resume_after_cut_connection(server: Server, tmp_path: Path) -> None:
    server.plan = ["cut"]
    r, env = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM_SHA256": SHA256}, tmp_path)
    assert r == {"return": 0}, r
    assert Path(str(env["CM_DOWNLOAD_DOWNLOADED_PATH"])).read_bytes() == PAYLOAD
    assert [q["range"] for q in server.requests] == [None, f"bytes={len(PAYLOAD) // 2}-"]


def test_resume_leftover_part_file(server: Server, tmp_path: Path) -> None:
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD[:1000])
    r, _ = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM_SHA256": SHA256}, tmp_path)
    assert r == {"return": 0}
    assert server.requests[0]["range"] == "bytes=1000-"
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD


def test_stale_part_file_is_refetched_once(server: Server, tmp_path: Path) -> None:
    (tmp_path / "data.bin.part").write_bytes(b"X" * 1000)  # wrong bytes: resumed result fails the checksum
    r, _ = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_CHECKSUM_SHA256": SHA256}, tmp_path)
    assert r == {"return": 0}
    assert [q["range"] for q in server.requests] == ["bytes=1000-", None]


def test_retries_with_backoff_then_success(server: Server, tmp_path: Path) -> None:
    server.plan = ["503", "503"]
    r, _ = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_RETRIES": "3"}, tmp_path)
    assert r == {"return": 0} and len(server.requests) == 3


def test_gives_up_after_retries(server: Server, tmp_path: Path) -> None:
    server.plan = ["503"] * 5
    r, _ = _run({"CM_DOWNLOAD_URL": server.url, "CM_DOWNLOAD_RETRIES": "2"}, tmp_path)
    assert r["return"] == 1 and "after 3 attempts" in str(r["error"]) and len(server.requests) == 3


def test_404_is_not_retried(server: Server, tmp_path: Path) -> None:
    r, _ = _run({"CM_DOWNLOAD_URL": server.url.replace("data.bin", "missing.bin")}, tmp_path)
    assert r["return"] == 1 and "HTTP 404" in str(r["error"]) and len(server.requests) == 1


def test_file_url_with_md5_and_output_name(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(PAYLOAD)
    out = tmp_path / "out"
    r, env = _run({"CM_DOWNLOAD_URL": src.as_uri(), "CM_DOWNLOAD_CHECKSUM": MD5, "CM_DOWNLOAD_FILENAME": "copy.bin",
                   "CM_DOWNLOAD_PATH": str(out)}, tmp_path)
    assert r == {"return": 0}
    assert (out / "copy.bin").read_bytes() == PAYLOAD and env["CM_DOWNLOAD_DOWNLOADED_FILENAME"] == "copy.bin"


def test_missing_url_and_bad_numbers(tmp_path: Path) -> None:
    r, _ = _run({}, tmp_path)
    assert r["return"] == 1 and "--url" in str(r["error"])
    r, _ = _run({"CM_DOWNLOAD_URL": "http://x/y", "CM_DOWNLOAD_RETRIES": "many"}, tmp_path)
    assert r["return"] == 1 and "CM_DOWNLOAD_RETRIES" in str(r["error"])


@pytest.mark.parametrize("url,name,ok", [
    ("http://h/a/b.tgz", "", "b.tgz"), ("http://h/a%20b.zip?x=1", "", "a b.zip"), ("http://h/", "", "downloaded-file"),
    ("http://h/x", "../evil", None), ("http://h/x", "a/b", None),
])
def test_target_name(url: str, name: str, ok: str | None) -> None:
    if ok is None:
        with pytest.raises(dl.DownloadError):
            dl.target_name(url, name)
    else:
        assert dl.target_name(url, name) == ok
