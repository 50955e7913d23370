"""Download one URL (http, https, file) into a directory: resume, retries, checksum, tty progress.

Stdlib only. The data goes to `<name>.part` and is renamed to `<name>` only after the checksum
(when given) matched, so a present final file is always a complete one.
CLI: `python downloader.py URL [--dir D] [--sha256 X] [--md5 Y] [--no-verify-ssl]`.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CHUNK = 1 << 20
RETRYABLE_HTTP = {408, 425, 429, 500, 502, 503, 504}


class DownloadError(Exception):
    """The download failed for good (message names the URL and what to do)."""


class ChecksumError(DownloadError):
    pass


class _Transient(Exception):
    """A failure worth another attempt (network error, 5xx, short read)."""


@dataclass(frozen=True)
class Request:
    url: str
    dest_dir: str
    filename: str = ''
    sha256: str = ''
    md5: str = ''
    verify_ssl: bool = True
    retries: int = 3            # attempts after the first
    backoff: float = 1.0        # seconds, doubled after every failed attempt
    timeout: float = 60.0
    progress: bool | None = None  # None: only when stderr is a tty


def target_name(url: str, filename: str = '') -> str:
    name = filename or os.path.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path)) or 'downloaded-file'
    if name in ('.', '..') or '/' in name or '\\' in name:
        raise DownloadError(f'unsafe file name {name!r} for {url}; pass --output_file=NAME')
    return name


def file_digest(path: str, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(CHUNK), b''):
            h.update(block)
    return h.hexdigest()


def check_digests(path: str, req: Request) -> str:
    """'' if all given checksums match, else a description of the first mismatch."""
    for algo, expected in (('sha256', req.sha256), ('md5', req.md5)):
        if expected:
            got = file_digest(path, algo)
            if got.lower() != expected.strip().lower():
                return f'{algo} mismatch: expected {expected.strip().lower()}, got {got}'
    return ''


def local_source(url: str) -> str | None:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == 'file':
        return urllib.request.url2pathname(parsed.path)
    if parsed.scheme == '' and os.path.exists(url):
        return url
    return None


class _Progress:
    def __init__(self, name: str, enabled: bool) -> None:
        self.name, self.enabled, self.last = name, enabled, 0.0

    def update(self, done: int, total: int | None, final: bool = False) -> None:
        if not self.enabled or (not final and time.monotonic() - self.last < 0.2):
            return
        self.last = time.monotonic()
        pct = f'{100 * done / total:5.1f}% ' if total else ''
        sys.stderr.write(f'\rDownloading {self.name}: {pct}{done / 1e6:.1f} MB' + ('\n' if final else ''))
        sys.stderr.flush()


def _ssl_context(verify: bool) -> ssl.SSLContext:
    if verify:
        return ssl.create_default_context()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _open(req: Request, offset: int):
    headers = {'User-Agent': 'colmind-download-file/1'}
    if offset:
        headers['Range'] = f'bytes={offset}-'
    r = urllib.request.Request(req.url, headers=headers)
    ctx = _ssl_context(req.verify_ssl) if req.url.lower().startswith('https') else None
    return urllib.request.urlopen(r, timeout=req.timeout, context=ctx)


def _attempt(req: Request, part: str, progress: _Progress) -> None:
    """One HTTP attempt, resuming from the bytes already in `part`."""
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    try:
        resp = _open(req, offset)
    except urllib.error.HTTPError as e:
        if e.code == 416 and offset:
            return  # nothing left to fetch: the part file is complete
        if e.code in RETRYABLE_HTTP:
            raise _Transient(f'HTTP {e.code} {e.reason}') from e
        raise DownloadError(f'HTTP {e.code} {e.reason} for {req.url}') from e
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        raise _Transient(str(getattr(e, 'reason', e))) from e
    with resp:
        if offset and resp.status != 206:
            offset = 0  # server ignored Range: start over
        length = resp.headers.get('Content-Length')
        total = offset + int(length) if length and length.isdigit() else None
        done = offset
        try:
            with open(part, 'ab' if offset else 'wb') as out:
                for block in iter(lambda: resp.read(CHUNK), b''):
                    out.write(block)
                    done += len(block)
                    progress.update(done, total)
        except (TimeoutError, OSError, http.client.HTTPException) as e:
            raise _Transient(f'connection lost after {done} bytes: {e}') from e
        progress.update(done, total, final=True)
        if total is not None and done < total:
            raise _Transient(f'short read: {done} of {total} bytes')


def _fetch_http(req: Request, part: str, progress: _Progress) -> None:
    delay, last = req.backoff, ''
    for attempt in range(req.retries + 1):
        try:
            _attempt(req, part, progress)
            return
        except _Transient as e:
            last = str(e)
            if attempt < req.retries:
                print(f'download-file: {req.url}: {last}; retrying in {delay:g} s '
                      f'({attempt + 1}/{req.retries})', file=sys.stderr)
                time.sleep(delay)
                delay *= 2
    raise DownloadError(f'giving up on {req.url} after {req.retries + 1} attempts: {last}')


def _fetch(req: Request, part: str, progress: _Progress) -> None:
    source = local_source(req.url)
    if source is None:
        _fetch_http(req, part, progress)
        return
    if not os.path.isfile(source):
        raise DownloadError(f'{source} (from {req.url}) does not exist or is not a file')
    shutil.copyfile(source, part)


def download(req: Request) -> str:
    """Fetch `req.url` into `req.dest_dir`; returns the final path."""
    os.makedirs(req.dest_dir, exist_ok=True)
    final = os.path.join(req.dest_dir, target_name(req.url, req.filename))
    if os.path.isfile(final) and (req.sha256 or req.md5) and not check_digests(final, req):
        return final  # already complete and verified
    part = final + '.part'
    enabled = sys.stderr.isatty() if req.progress is None else req.progress
    progress = _Progress(os.path.basename(final), enabled)
    resumed = os.path.exists(part)
    _fetch(req, part, progress)
    problem = check_digests(part, req)
    if problem and resumed:  # the kept part may be stale: one clean retry
        os.remove(part)
        _fetch(req, part, progress)
        problem = check_digests(part, req)
    if problem:
        os.remove(part)
        raise ChecksumError(f'{problem} for {req.url}; the downloaded file was removed. '
                            'Check the URL and the expected checksum.')
    os.replace(part, final)
    return final


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('url')
    ap.add_argument('--dir', default='.')
    ap.add_argument('--output-file', default='')
    ap.add_argument('--sha256', default='')
    ap.add_argument('--md5', default='')
    ap.add_argument('--no-verify-ssl', action='store_true')
    a = ap.parse_args()
    try:
        print(download(Request(a.url, a.dir, a.output_file, a.sha256, a.md5, not a.no_verify_ssl)))
    except DownloadError as err:
        raise SystemExit(f'error: {err}') from None
