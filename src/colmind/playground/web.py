"""The FastAPI application: security middleware, error pages, static files and routes."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from colmind.playground import db
from colmind.playground.indexer import Indexer
from colmind.playground.names import BadInput
from colmind.playground.settings import Settings

HERE = os.path.dirname(os.path.abspath(__file__))
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
MAX_QUERY = 8192
OPEN_PATHS = ("/healthz", "/static/", "/login")


@dataclass
class Context:
    """What every request handler needs."""

    settings: Settings
    engine: Any
    indexer: Indexer
    cache: db.RecordCache
    templates: Jinja2Templates
    selections: Any = None

    def explore(self, q: Any, exps: list[dict[str, Any]]) -> Any:
        from colmind.playground import explore

        return explore.run(q, exps, self.records, self.selections)

    def experiments(self) -> list[dict[str, Any]]:
        self.indexer.ensure_fresh()
        return db.list_experiments(self.engine)

    def records(self, exp: dict[str, Any]) -> list[dict[str, Any]]:
        return self.cache.get(self.engine, exp)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The playground app for ``settings`` (database opened, schema created)."""
    settings = settings or Settings()
    engine = db.open_engine(settings.db or None)
    templates = Jinja2Templates(directory=os.path.join(HERE, "templates"))
    from colmind.playground import render

    render.install_globals(templates.env)
    from colmind.playground.explore import SelectionCache

    ctx = Context(settings, engine, Indexer(engine, settings.refresh_seconds), db.RecordCache(), templates,
                  SelectionCache())
    app = FastAPI(title="colmind Playground API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json")
    app.state.ctx = ctx
    _middleware(app, ctx)
    if settings.allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    _error_handlers(app, ctx)
    _static_routes(app)
    from colmind.playground import api_routes, pages

    app.include_router(api_routes.router)
    app.include_router(pages.router)
    return app


def _middleware(app: FastAPI, ctx: Context) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if len(request.url.query) > MAX_QUERY:
            return _error(ctx, request, 414, "the URL is too long")
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > ctx.settings.max_body):
            return _error(ctx, request, 413, "the request body is too large")
        if ctx.settings.private and not request.url.path.startswith(OPEN_PATHS):
            if not db.check_token(ctx.engine, _token_of(request, cookie=True)):
                return _error(ctx, request, 401, "this playground is private: a token is required")
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response


def _token_of(request: Request, cookie: bool = False) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get("cm_token", "") if cookie else ""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/openapi.json")


def _error(ctx: Context, request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    response = ctx.templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                                       "action": ""}, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    return response


def _error_handlers(app: FastAPI, ctx: Context) -> None:
    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> Response:
        return _error(ctx, request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []))
        return _error(ctx, request, 400, f"invalid request: {where}: {first.get('msg', '')}"[:300])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        generic = {"Not Found": "page not found", "Method Not Allowed": "method not allowed"}
        return _error(ctx, request, exc.status_code, generic.get(str(exc.detail), str(exc.detail)))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        traceback.print_exception(exc, file=sys.stderr)  # to the server log, never to the client
        return _error(ctx, request, 500, "internal error (see the server log)")


def _static_routes(app: FastAPI) -> None:
    static = os.path.join(HERE, "static")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        import plotly

        path = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")
        return FileResponse(path, media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/static/{fname}", include_in_schema=False)
    def static_file(fname: str) -> Response:
        if fname not in ("app.js", "style.css"):
            raise StarletteHTTPException(404, "Not Found")
        media = "application/javascript" if fname.endswith(".js") else "text/css"
        return FileResponse(os.path.join(static, fname), media_type=media,
                            headers={"Cache-Control": "no-cache"})

    @app.get("/login", include_in_schema=False)
    def login(token: str = "") -> Response:
        ctx: Context = app.state.ctx
        if not db.check_token(ctx.engine, token):
            raise BadInput("unknown token")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie("cm_token", token, httponly=True, samesite="strict")
        return response
