"""HTML pages: one handler per ``?action=`` (upstream's URLs), state always in the URL."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from colmind.playground import artifacts, community, compare, db, explore, names, recipes
from colmind.playground.names import BadInput
from colmind.playground.web import Context

router = APIRouter(include_in_schema=False)

ALIASES = {"recipes": "scripts", "automation-recipes": "scripts", "components": "scripts",
           "repro": "reproduce", "reproducibility": "reproduce", "optimized-apps": "apps", "setup": "install",
           "results": "experiments", "leaderboard": "contributors", "result": "experiments"}


def params_of(request: Request) -> dict[str, str]:
    """First value of every query parameter."""
    out: dict[str, str] = {}
    for k, v in request.query_params.multi_items():
        out.setdefault(k, v)
    return out


@router.get("/")
def index(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    p = params_of(request)
    action = ALIASES.get(p.get("action", "scripts").lower(), p.get("action", "scripts").lower())
    handler = HANDLERS.get(action)
    if handler is None:
        raise BadInput(f"unknown action {action[:40]!r}")
    return handler(ctx, request, p)


def page(ctx: Context, request: Request, template: str, action: str, **values: Any) -> Response:
    return ctx.templates.TemplateResponse(request, template, {"action": action, **values},
                                          status_code=int(values.get("status", 200)))


# -- recipes ---------------------------------------------------------------------------------
def scripts(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    name_list = names.names(p.get("name", ""), "recipe name")
    tags = names.tags(p.get("tags", ""))
    search = p.get("q", "")[:200]
    if name_list:
        found = recipes.find(names=name_list)
        if len(found) == 1:
            return recipe_page(ctx, request, p, found[0])
        if not found:
            return page(ctx, request, "catalog.html", "scripts", groups={}, total=0, p=p, categories=[],
                        repos=[], message="CM scripts were not found!")
    else:
        found = recipes.find(tags=[t for t in tags if not t.startswith("_")], search=search)
    repos = sorted({i.repo_alias for i in found})
    if p.get("repo"):
        found = [i for i in found if i.repo_alias == p["repo"]]
    groups = recipes.by_category(found)
    categories = sorted(groups)
    if p.get("category"):
        groups = {k: v for k, v in groups.items() if k == p["category"]}
    listed = [item for items in groups.values() for item in items]
    number, pages = _page_number(p.get("page", ""), len(listed), CATALOG_PAGE)
    shown = recipes.by_category(listed[(number - 1) * CATALOG_PAGE:number * CATALOG_PAGE])
    return page(ctx, request, "catalog.html", "scripts", groups=shown, total=len(found), p=p,
                categories=categories, repos=repos, page_no=number, pages=pages, listed=len(listed),
                message="" if found else "CM scripts were not found!")


CATALOG_PAGE = 100  # recipes per catalog page (a community collection has 300+)


def _page_number(text: str, count: int, size: int) -> tuple[int, int]:
    """(the page asked for, clamped to 1..pages; the number of pages); a non-number is page 1."""
    pages = max(1, -(-count // size))
    number = int(text) if text.isdigit() and len(text) < 7 else 1
    return min(max(number, 1), pages), pages


def recipe_page(ctx: Context, request: Request, p: dict[str, str], item: artifacts.Item) -> Response:
    view = recipes.RecipeView.make(item, p)
    return page(ctx, request, "recipe.html", "scripts", r=view, p=p)


def howtorun(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    wizard = recipes.Wizard.make(p)
    return page(ctx, request, "howtorun.html", "howtorun", w=wizard, p=p)


# -- results ---------------------------------------------------------------------------------
def experiments(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    q = explore.Query.from_params(p)
    all_exps = ctx.experiments()
    exps = explore.select_experiments(all_exps, q)
    if q.result_uid and "export" not in p:
        return result_page(ctx, request, q, exps)
    out = ctx.explore(q, exps)
    if p.get("export") in ("csv", "json"):
        return export(q, out, p["export"])
    return page(ctx, request, "explorer.html", "experiments", q=q, out=out, all_exps=all_exps,
                plot={"traces": out.traces, "front": out.front, "x": _esc(q.x), "y": _esc(q.y),
                      "logx": bool(q.logx), "logy": bool(q.logy), "symbols": bool(q.s), "sizes": bool(q.size),
                      "title": _esc(q.title),
                      "type": q.type})


def _esc(text: str) -> str:
    """Plotly reads a subset of HTML in titles and legend names: give it text only."""
    return explore._esc(text)


def export(q: explore.Query, out: explore.Outcome, kind: str) -> Response:
    """What is shown (filtered, derived, grouped, sorted; all pages) as CSV or JSON."""
    rows = out.groups if q.group else out.records
    if q.sort:
        rows = explore.sort_rows(rows, q.sort, bool(q.desc))
    if kind == "json":
        body = json.dumps(rows, default=str, indent=1)
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="results.json"'})
    columns = explore.columns_of(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _csv_cell(r.get(k)) for k in columns})
    return Response(buf.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="results.csv"'})


def _csv_cell(value: Any) -> Any:
    """Cells that a spreadsheet would run as a formula are prefixed with ``'``."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, default=str)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def result_page(ctx: Context, request: Request, q: explore.Query, exps: list[dict[str, Any]]) -> Response:
    found = db.find_record(ctx.engine, q.result_uid, [e["uid"] for e in exps] if q.name else None)
    if found is None:
        return page(ctx, request, "error.html", "experiments", status=404,
                    message=f"no result with uid {q.result_uid}")
    rec, exp_uid = found
    exp = next((e for e in ctx.experiments() if e["uid"] == exp_uid), None)
    badges = [(k.replace("acm_ctuning_repro_badge_", "").replace("_", " "), bool(rec.get(k)))
              for k in ("acm_ctuning_repro_badge_functional", "acm_ctuning_repro_badge_reproduce",
                        "acm_ctuning_repro_badge_support_docker", "acm_ctuning_repro_badge_cm_interface")
              if k in rec]
    reports = [r for r in artifacts.find("report", tags=[f"result-{q.result_uid}"]) if not r.meta.get("private")]
    reproduce = _reproduce_command(exp, rec)
    return page(ctx, request, "result.html", "experiments", rec=rec, exp=exp, badges=badges,
                reports=reports, reproduce=reproduce, uid=q.result_uid,
                columns=explore.columns_of([rec]))


def _reproduce_command(exp: dict[str, Any] | None, rec: dict[str, Any]) -> str:
    """``unparsed_cmd`` of the run folder's ``cm-input.json`` holding this record, if any."""
    if not exp:
        return ""
    base = exp["path"]
    for folder in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        path = os.path.join(base, folder, "cm-input.json")
        if os.path.isfile(path) and os.path.isdir(os.path.join(base, folder, str(rec.get("uid", "")))):
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError):
                return ""
            cmd = data.get("unparsed_cmd") if isinstance(data, dict) else None
            if isinstance(cmd, list):
                return "cm run experiment --tags=" + ",".join(exp["tags"].strip(",").split(",")) + " -- " + " ".join(
                    str(c) for c in cmd)
    return ""


def compare_page(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    a, b = names.uid(p.get("a", "")), names.uid(p.get("b", ""))
    rows: list[dict[str, Any]] = []
    recs: list[dict[str, Any] | None] = [None, None]
    if a and b:
        for i, u in enumerate((a, b)):
            hit = db.find_record(ctx.engine, u)
            if hit is None:
                raise BadInput(f"no result with uid {u}")
            recs[i] = hit[0]
        rows = compare.compare_records(recs[0] or {}, recs[1] or {})
    q = explore.Query.from_params({k: v for k, v in p.items() if k in ("name", "tags")})
    systems_rows: list[dict[str, Any]] = []
    systems: list[str] = []
    s1, s2 = p.get("system1", "")[:300], p.get("system2", "")[:300]
    if q.name or q.tags:
        exps = explore.select_experiments(ctx.experiments(), q)
        records = [r for e in exps for r in ctx.records(e)]
        systems = sorted({str(r.get("SystemName")) for r in records if r.get("SystemName")})
        if s1 and s2:
            systems_rows = compare.compare_systems(records, s1, s2)
    return page(ctx, request, "compare.html", "compare", a=a, b=b, rows=rows, q=q, systems=systems,
                s1=s1, s2=s2, systems_rows=systems_rows, only_diff=bool(p.get("diff")))


# -- community -------------------------------------------------------------------------------
def challenges(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    found = artifacts.find("challenge", tags=[t.lower() for t in names.tags(p.get("tags", ""))],
                           names=names.names(p.get("name", "")))
    if p.get("name") and len(found) == 1:
        item = found[0]
        reports = [r for r in artifacts.find("report", tags=[f"challenge-{item.uid}"]) if not r.meta.get("private")]
        return page(ctx, request, "challenge.html", "challenges", c=item, readme=item.read_text("README.md"),
                    reports=reports, show_date=community.show_date)
    today = community.today()
    rows = [(community.challenge_status(i.meta, today), i) for i in found if not i.meta.get("skip")]
    rows.sort(key=lambda r: community.challenge_sort_key(r[1].meta))
    ongoing = [i for s, i in rows if s == "ongoing"]
    other = [(s, i) for s, i in rows if s != "ongoing"]
    return page(ctx, request, "challenges.html", "challenges", ongoing=ongoing, other=other,
                show_date=community.show_date, notfound=bool(p.get("name")) and not found)


def contributors(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    if p.get("name"):
        # exact name first, then case-insensitively (upstream lowercased first: P15)
        found = artifacts.find("contributor", names=names.names(p["name"]))
        if not found:
            return page(ctx, request, "error.html", "contributors", status=404, message="contributor not found")
        m = found[0].meta
        return page(ctx, request, "contributor.html", "contributors", c=found[0], meta=m,
                    name=community.contributor_name(m), points=community.contributor_points(m),
                    readme=found[0].read_text("README.md"))
    rows = community.leaderboard([i.meta | {"_alias": i.alias} for i in artifacts.find("contributor")])
    return page(ctx, request, "contributors.html", "contributors", rows=rows)


def reports(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    found = artifacts.find("report", tags=names.tags(p.get("tags", "")), names=names.names(p.get("name", "")))
    found = [r for r in found if not r.meta.get("private")]
    if p.get("name") and len(found) == 1:
        return page(ctx, request, "report.html", "reports", r=found[0], readme=found[0].read_text("README.md") or "")
    found.sort(key=lambda r: str(r.meta.get("date", "")), reverse=True)
    return page(ctx, request, "reports.html", "reports", reports=found, show_date=community.show_date)


BADGES = [("functional", "acm_ctuning_repro_badge_functional"), ("reproduced", "acm_ctuning_repro_badge_reproduce"),
          ("docker", "acm_ctuning_repro_badge_support_docker"), ("CM interface", "acm_ctuning_repro_badge_cm_interface")]


def reproduce(ctx: Context, request: Request, p: dict[str, str]) -> Response:
    """Every record of experiments tagged ``repro`` (``cm run experiment --tags=repro,...``) with badges."""
    tags = names.tags(p.get("tags", "")) or ["repro"]
    dims = [names.key(d) for d in p.get("dims", "").split(",") if d.strip()][:10]
    q = explore.Query.from_params({"tags": ",".join(tags)})
    rows = []
    for exp in explore.select_experiments(ctx.experiments(), q):
        for rec in ctx.records(exp):
            ok = rec.get("output.return")
            rows.append({"exp": exp, "rec": rec, "badges": [(n, bool(rec.get(k))) for n, k in BADGES],
                         "status": "" if ok is None else ("ok" if ok == 0 else f"failed ({ok})"),
                         "dims": [rec.get(d) for d in dims]})
    return page(ctx, request, "reproduce.html", "reproduce", rows=rows, dims=dims, tags=",".join(tags))


def simple(template: str, action: str) -> Callable[[Context, Request, dict[str, str]], Response]:
    def handler(ctx: Context, request: Request, p: dict[str, str]) -> Response:
        return page(ctx, request, template, action, p=p)
    return handler


HANDLERS: dict[str, Callable[[Context, Request, dict[str, str]], Response]] = {
    "scripts": scripts, "howtorun": howtorun, "experiments": experiments, "compare": compare_page,
    "challenges": challenges, "contributors": contributors, "reports": reports, "reproduce": reproduce,
    "install": simple("install.html", "install"), "apps": simple("install.html", "install"),
    "beta": simple("install.html", "install"),
}
