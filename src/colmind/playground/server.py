"""Command line of the playground: start the server, or create an upload token."""

from __future__ import annotations

import argparse
import sys

from colmind.playground.settings import Settings


def parse(argv: list[str] | None) -> tuple[Settings, argparse.Namespace]:
    ap = argparse.ArgumentParser(prog="python -m colmind.playground",
                                 description="colmind Playground: recipes, commands and results in a browser")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--db", default="", help="SQLAlchemy URL of the results database "
                    "(default SQLite under $CM_REPOS/playground; e.g. postgresql+psycopg://user@host/db)")
    ap.add_argument("--private", action="store_true", help="require a token for every page and API call")
    ap.add_argument("--create_token", "--create-token", action="store_true",
                    help="create an upload token, print it once and exit (only its hash is stored)")
    ap.add_argument("--token_name", default="", help="a note stored with a new token")
    ap.add_argument("--reindex", action="store_true", help="index every experiment now, print counts and exit")
    ns = ap.parse_args(argv)
    return Settings(host=ns.host, port=ns.port, db=ns.db, private=ns.private), ns


def main(argv: list[str] | None = None) -> int:
    settings, ns = parse(argv)
    if ns.create_token:
        from colmind.playground import db

        token = db.create_token(db.open_engine(settings.db or None), ns.token_name)
        print("Upload token (shown once; only its hash is stored):")
        print(token)
        print("Use it as: curl -H 'Authorization: Bearer TOKEN' -H 'Content-Type: application/json' "
              f"-d @records.json http://{settings.host}:{settings.port}/api/v1/results")
        return 0
    if ns.reindex:
        from colmind.playground import db, indexer

        stats = indexer.sync(db.open_engine(settings.db or None))
        print(f"{stats.experiments} experiments, {stats.files_read} files read, "
              f"{stats.records_written} records in {stats.seconds:.2f} s")
        for err in stats.errors or []:
            print("error:", err, file=sys.stderr)
        return 0
    return serve(settings)


def serve(settings: Settings) -> int:
    import uvicorn

    from colmind.playground.web import create_app

    if settings.host in ("127.0.0.1", "localhost", "::1"):
        # a page on another site cannot reach this server through DNS rebinding
        settings.allowed_hosts = ("127.0.0.1", "localhost", "::1", "[::1]")
    app = create_app(settings)
    app.state.ctx.indexer.ensure_fresh(force=True)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"colmind Playground: http://{host}:{settings.port}/  (Ctrl-C stops it)", flush=True)
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        print("warning: listening beyond this machine; consider --private", file=sys.stderr)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                            limit_concurrency=200, timeout_keep_alive=5)
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        pass
    print("colmind Playground stopped.", flush=True)
    return 0
