"""``download_file`` / ``unzip_file`` as CM and MLC recipes call them (dict in, dict out).

MLC recipes import them from their repository's ``utils`` (``from utils import download_file``),
CM recipes call the automation (``automation.download_file``); both land here. Downloads go to a
``.part`` file renamed when complete; archives are checked entry by entry before anything is
written (no ``..``, absolute paths or links out), unlike CM's and MLC's own helpers.
"""

from __future__ import annotations

import os
import shutil

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_NO = ("no", "off", "false", "0")


def download_file(i: dict[str, Any]) -> dict[str, Any]:
    """``url`` -> ``path``/``filename`` (default: cwd / the URL's last part).

    Returns ``filename``, ``path`` (the file) and ``size``; ``verify: False`` (or
    ``MLC_UTILS_DOWNLOAD_VERIFY_SSL=no`` / ``CM_UTILS_DOWNLOAD_VERIFY_SSL=no``) skips TLS checks."""
    url = str(i.get("url") or "")
    if not url:
        return {"return": 1, "error": "download_file: no url given"}
    name = str(i.get("filename") or os.path.basename(url.split("?")[0]) or "downloaded")
    folder = str(i.get("path") or os.getcwd())
    target = os.path.join(folder, name)
    try:
        os.makedirs(folder, exist_ok=True)
        size = _fetch(url, target, _verify(i))
    except Exception as exc:  # noqa: BLE001 - any failure is the recipe's return code 1
        return {"return": 1, "error": f"download of {url} failed: {exc}"}
    if i.get("text") is not None or i.get("out") == "con":
        print(f"{i.get('text') or 'Downloaded: '}{target} ({size} bytes)")
    return {"return": 0, "filename": name, "path": target, "size": size}


def _verify(i: dict[str, Any]) -> bool:
    if i.get("verify") is False or str(i.get("verify", "")).lower() in _NO:
        return False
    env = (os.environ.get("MLC_UTILS_DOWNLOAD_VERIFY_SSL") or os.environ.get("CM_UTILS_DOWNLOAD_VERIFY_SSL") or "")
    return env.lower() not in _NO


def _fetch(url: str, target: str, verify: bool) -> int:
    import ssl
    import urllib.request

    context = None if verify else ssl._create_unverified_context()  # the recipe asked for it
    part = target + ".part"
    try:
        with urllib.request.urlopen(url, timeout=120, context=context) as response, open(part, "wb") as out:  # noqa: S310
            shutil.copyfileobj(response, out, 1 << 16)
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.unlink(part)
    return os.path.getsize(target)


def unzip_file(i: dict[str, Any]) -> dict[str, Any]:
    """Extract ``filename`` (zip, or tar by name) into ``path`` (default cwd), dropping the first
    ``strip_folders`` path components of every entry; ``delete_after_unzip`` removes the archive."""
    from colmind.store.archive import UnsafeArchive, extract

    src = str(i.get("filename") or "")
    if not os.path.isfile(src):
        return {"return": 1, "error": f"file {src} not found"}
    dst = str(i.get("path") or os.getcwd())
    strip = int(i.get("strip_folders") or 0)
    staging = os.path.join(dst, f".unzip-{os.getpid()}-{os.path.basename(src)}")
    try:
        import zipfile

        extract(src, staging, is_zip=zipfile.is_zipfile(src))
        _move_stripped(staging, dst, strip)
    except (OSError, ValueError, UnsafeArchive) as exc:
        return {"return": 1, "error": f"cannot extract {src}: {exc}"}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if i.get("delete_after_unzip"):
        os.remove(src)
    return {"return": 0, "path": dst}


def _move_stripped(staging: str, dst: str, strip: int) -> None:
    """Move what ``staging`` holds ``strip`` levels down into ``dst`` (merging folders)."""
    level = [staging]
    for _ in range(strip):
        level = [os.path.join(p, n) for p in level if os.path.isdir(p) for n in sorted(os.listdir(p))]
    for folder in level:
        if not os.path.isdir(folder):
            continue  # a file above the strip depth has no place to go (as in CM/MLC)
        for name in sorted(os.listdir(folder)):
            _merge_move(os.path.join(folder, name), os.path.join(dst, name))


def _merge_move(src: str, dst: str) -> None:
    if os.path.isdir(src) and os.path.isdir(dst) and not os.path.islink(dst):
        for name in os.listdir(src):
            _merge_move(os.path.join(src, name), os.path.join(dst, name))
        return
    if os.path.lexists(dst) and not os.path.isdir(dst):
        os.unlink(dst)
    os.replace(src, dst)
