"""The REST API (``/api/v1``; OpenAPI at ``/openapi.json``). Reads are anonymous unless ``--private``;
uploads need a bearer token made by ``--create_token`` (stored hashed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colmind.playground import db, explore, names, recipes, upload
from colmind.playground.names import BadInput
from colmind.playground.web import Context

router = APIRouter()
MAX_RECORDS = 10000


class UploadBody(BaseModel):
    experiment: str = Field(description="experiment alias (created in the local repository if missing)")
    tags: list[str] = Field(default_factory=list, description="tags of a new experiment")
    records: list[dict[str, Any]] = Field(description="flat result records")


@router.get("/healthz")
def healthz(request: Request) -> dict[str, Any]:
    ctx: Context = request.app.state.ctx
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"status": "ok"}


@router.get("/api/v1/scripts")
def api_scripts(tags: str = Query("", description="comma-separated tags"),
                q: str = Query("", max_length=200, description="search text")) -> dict[str, Any]:
    items = recipes.find(tags=[t for t in names.tags(tags) if not t.startswith("_")], search=q)
    return {"scripts": [{"alias": i.alias, "uid": i.uid, "tags": i.tags, "category": i.meta.get("category", ""),
                         "repo": i.repo_alias} for i in items]}


@router.get("/api/v1/experiments")
def api_experiments(request: Request, tags: str = Query("", description="comma-separated tags"),
                    name: str = Query("", description="alias or uid")) -> dict[str, Any]:
    ctx: Context = request.app.state.ctx
    q = explore.Query.from_params({"tags": tags, "name": name})
    exps = explore.select_experiments(ctx.experiments(), q)
    return {"experiments": [{"uid": e["uid"], "alias": e["alias"], "tags": e["tags"].strip(",").split(","),
                             "records": e["nrecords"], "repo": e["repo"]} for e in exps]}


@router.get("/api/v1/results")
def api_results(request: Request,
                experiment: str = Query("", description="experiment alias or uid"),
                tags: str = Query("", description="experiment tags (when no experiment is named)"),
                filter: str = Query("", description="safe expression, e.g. result['Result_Power']<35"),  # noqa: A002
                derived_metrics: str = Query("", description="result['K'] = EXPR; ..."),
                sort: str = Query(""), desc: bool = Query(False),
                limit: int = Query(100, ge=0, le=10000), offset: int = Query(0, ge=0)) -> dict[str, Any]:
    ctx: Context = request.app.state.ctx
    q = explore.Query.from_params({"name": experiment, "tags": tags, "filter": filter,
                                   "derived_metrics": derived_metrics, "type": "", "sort": sort})
    exps = explore.select_experiments(ctx.experiments(), q)
    if experiment and not exps:
        raise BadInput(f"experiment {experiment[:60]!r} not found")
    out = ctx.explore(q, exps)
    rows = explore.sort_rows(out.records, q.sort, desc) if q.sort else out.records
    return {"total": len(rows), "loaded": out.total_loaded, "offset": offset, "limit": limit,
            "errors": {"filter": out.errors.filter, "derived_metrics": out.errors.derived,
                       "messages": out.errors.messages},
            "results": rows[offset: offset + limit]}


@router.get("/api/v1/results/{uid}")
def api_result(request: Request, uid: str) -> Any:
    ctx: Context = request.app.state.ctx
    ctx.indexer.ensure_fresh()
    found = db.find_record(ctx.engine, names.uid(uid) or "-")
    if found is None:
        return JSONResponse({"error": f"no result with uid {uid[:20]}", "status": 404}, status_code=404)
    return {"experiment_uid": found[1], "result": found[0]}


@router.post("/api/v1/results", status_code=201)
def api_upload(request: Request, body: UploadBody,
               authorization: str = Header("", description="Bearer TOKEN")) -> Any:
    ctx: Context = request.app.state.ctx
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    if not db.check_token(ctx.engine, token):
        return JSONResponse({"error": "a valid bearer token is required to upload", "status": 401},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    if len(body.records) > MAX_RECORDS:
        raise BadInput(f"at most {MAX_RECORDS} records per upload")
    result = upload.store(body.experiment, body.tags, body.records)
    ctx.indexer.ensure_fresh(force=True)
    return result
