"""Server settings (from the command line or the ``gui`` recipe)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    db: str = ""  # SQLAlchemy URL; "" = SQLite under $CM_REPOS/playground/
    private: bool = False  # every request needs a token
    refresh_seconds: float = 1.0  # how often the index is checked against the files
    max_body: int = 16 * 1024 * 1024  # upload size limit
    title: str = "colmind Playground"
    allowed_hosts: tuple[str, ...] = ()  # Host headers accepted (empty = any); loopback binds set it
