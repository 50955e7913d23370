"""The ``cmind`` / ``action_object`` stand-in handed to automations and recipes written for CM/MLC."""

from __future__ import annotations

from colmind.lazylog import LazyLogger

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class _RepoView:
    def __init__(self, path: str, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self.path_with_prefix = path


class _ReposView:
    """CM's ``cm.repos`` (``lst`` of repos with ``path``/``meta``)."""

    @property
    def lst(self) -> list[_RepoView]:
        from colmind.core import get_core

        return [_RepoView(r.path, r.meta) for r in get_core().repos]

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.lst]


class CMFacade:
    """What CM code expects of ``self.cmind`` (and MLC code of ``self.action_object``)."""

    logger = LazyLogger("mlc")  # MLC recipes call i['automation'].action_object.logger.info

    def __init__(self) -> None:
        self.repos = _ReposView()
        self.debug = False
        self.output: str | None = None

    @property
    def repos_path(self) -> str:
        from colmind.core import get_core

        return str(get_core().repos_path)

    @property
    def cfg(self) -> dict[str, Any]:
        from colmind.core import get_core

        return get_core().settings.cfg

    @property
    def __version__(self) -> str:
        from colmind.version import CM_COMPAT_VERSION

        return CM_COMPAT_VERSION

    def access(self, i: Any) -> dict[str, Any]:
        """CM's ``access``; an mlcflow-style input (``target`` instead of ``automation``, as MLC
        recipes pass to ``automation.action_object.access``) runs as ``mlc.access`` runs it."""
        if isinstance(i, dict) and i.get("target") and not i.get("automation"):
            from colmind.compat.shim import mlc_access

            return mlc_access(i)
        from colmind.api import access

        return access(i)

    def error(self, r: dict[str, Any]) -> dict[str, Any]:
        import sys

        if r.get("return", 0) > 0:
            from colmind.exitcodes import error_message

            print(f"\nCM error: {error_message(str(r.get('error', '')))}!", file=sys.stderr)
        return r

    def halt(self, r: dict[str, Any]) -> None:
        import sys

        from colmind.exitcodes import exit_status

        self.error(r)
        sys.exit(exit_status(r.get("return", 1)))
