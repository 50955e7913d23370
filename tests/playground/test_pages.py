"""Every page over the real MLPerf sample, upstream's URLs, and hostile input (P1-P17)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.playground.conftest import POWER_EXP, S28_UID, S29_NAME, S29_RESULT

S28 = ("/?action=experiments&name=e472410ee67c41f9&x=Result&y=Power_Efficiency&filter=result['Result_Power']<35"
       "&derived_metrics=result['Power_Efficiency']=1000/result['Result_Power']&c=accelerator_model_name"
       "&axis_key_s=version&type=2D")
S29 = f"/?action=experiments&name={S29_NAME}&result_uid={S29_RESULT}"


def ok(client: Any, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    assert "Traceback" not in r.text
    return str(r.text)


def count(html: str, ident: str) -> int:
    m = re.search(rf'id="{ident}">(\d+)<', html)
    assert m, ident
    return int(m.group(1))


@pytest.mark.parametrize("url, expect", [
    ("/", "Found"),
    ("/?action=scripts&tags=detect", "detect-os"),
    ("/?action=recipes&q=mlperf", "run-mlperf-inference"),
    ("/?action=scripts&repo=internal&q=gui", "Found 1 automation recipes"),
    ("/?action=scripts&name=no-such-recipe", "CM scripts were not found!"),
    ("/?action=scripts&name=detect-os", 'CM script "detect-os"'),
    ("/?action=scripts&name=detect-os&@x=1", "&#34;x&#34;: &#34;1&#34;"),
    ("/?action=scripts&name=run-mlperf-inference&~~model=tinycnn&@scenario=Server", "--scenario=Server"),
    ("/?action=howtorun", "Select the target hardware"),
    ("/?action=howtorun&compute_uid=b8ff0fca0fc74b0a&@model=tinycnn", "_cpu"),
    ("/?action=experiments", "Results explorer"),
    ("/?action=compare", "Two systems"),
    ("/?action=challenges", "Optimize MLPerf power efficiency"),
    ("/?action=challenges&name=optimize-mlperf-power", "Shared experiments"),
    ("/?action=contributors", "Grigori Fursin (cTuning)"),
    ("/?action=contributors&name=ab00000000000001", "Points: 12"),
    ("/?action=reports", "Power report"),
    ("/?action=reports&name=power-report", "Measured"),
    ("/?action=repro", "Reproducibility"),
    ("/?action=install", "pip install"),
])
def test_every_page_renders(client: Any, url: str, expect: str) -> None:
    assert expect in ok(client, url)


def test_s28_url_opens_the_power_efficiency_view(client: Any) -> None:
    html = ok(client, S28)
    assert 'value="s28-power-efficiency" selected' in html or S28_UID in html
    shown = count(html, "shown")
    assert 0 < shown < 30  # only systems under 35 W
    assert count(html, "points") == shown
    assert 'name="s"' in html and "<option selected>version</option>" in html  # axis_key_s -> s
    assert "Power_Efficiency" in html


def test_s29_url_opens_the_single_result(client: Any) -> None:
    html = ok(client, S29)
    assert "Result summary" in html and S29_RESULT in html and "Power report" in html


def test_derived_metric_values_are_right(client: Any) -> None:
    r = client.get("/api/v1/results", params={
        "experiment": POWER_EXP, "derived_metrics": "result['ppw'] = result['Result'] / result['Result_Power']",
        "filter": "result['Result_Power'] > 0", "limit": 1000})
    body = r.json()
    assert body["total"] > 0 and body["errors"]["derived_metrics"] == 0
    for rec in body["results"]:
        assert rec["ppw"] == pytest.approx(rec["Result"] / rec["Result_Power"])


def test_pareto_front_marks_rows(client: Any) -> None:
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&x=Result&y=Result_Power&pareto=max,min&per_page=500")
    n = len(re.findall(r'<tr class="front">', html))
    assert n >= 1 and "Pareto front:" in html


def test_group_by_and_sort_and_paging(client: Any) -> None:
    html = ok(client, "/?action=experiments&tags=closed-power&group=Organization&agg=max&x=Result&y=Result_Power")
    assert "<th><a" in html and "count" in html
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&sort=Result&desc=1&per_page=2&page=2")
    assert "Page 2 of" in html and 'id="prev"' in html


def test_export_csv_and_json_are_what_is_shown(client: Any) -> None:
    base = f"/?action=experiments&name={POWER_EXP}&filter=result['Result_Power']<30"
    shown = count(ok(client, base), "shown")
    data = client.get(base + "&export=json").json()
    assert len(data) == shown
    csv_text = client.get(base + "&export=csv").text
    assert len(csv_text.strip().splitlines()) == shown + 1


def test_compare_two_results_uses_the_mlcommons_delta(client: Any) -> None:
    recs = client.get("/api/v1/results", params={"experiment": POWER_EXP, "limit": 2}).json()["results"]
    a, b = recs[0], recs[1]
    html = ok(client, f"/?action=compare&a={a['uid']}&b={b['uid']}")
    expected = (1 - a["Result"] / b["Result"]) * 100
    assert f"{expected:+.2f} %" in html


def test_compare_two_systems(client: Any) -> None:
    recs = client.get("/api/v1/results", params={"experiment": POWER_EXP, "limit": 100}).json()["results"]
    systems = sorted({r["SystemName"] for r in recs})
    html = ok(client, "/?action=compare&tags=closed-power&system1=" + systems[0] + "&system2=" + systems[1])
    assert 'id="compare-systems"' in html


# -- safety: upstream problems -------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "__import__('os').system('touch /tmp/pwned-p1')",
    "getattr(__import__('o'+'s'), 'system')('id')",
    "result.__class__.__mro__",
    "(lambda: 1)()",
    "open('/etc/passwd').read()",
])
def test_p1_p2_filters_never_execute_code(client: Any, expr: str) -> None:
    for key in ("filter", "derived_metrics"):
        value = expr if key == "filter" else f"result['x'] = {expr}"
        r = client.get("/", params={"action": "experiments", "name": POWER_EXP, key: value})
        assert r.status_code == 400, r.text[:300]
        assert "Traceback" not in r.text


def test_p3_builder_never_runs_and_quotes_injection(client: Any) -> None:
    html = ok(client, "/?action=scripts&name=detect-os&@x=$(touch /tmp/pwned-p3)")
    assert "&#39;--x=$(touch /tmp/pwned-p3)&#39;" in html
    r = client.post("/?action=scripts&name=detect-os")
    assert r.status_code == 405


def test_p6_stored_html_is_escaped_and_links_checked(client: Any) -> None:
    for url in ("/?action=challenges&name=optimize-mlperf-power", "/?action=reports&name=power-report",
                "/?action=contributors", "/?action=reports"):
        html = ok(client, url)
        assert "<script>alert" not in html and "<img" not in html and "<b>" not in html
        assert 'href="javascript' not in html and "href='javascript" not in html
    r = client.get("/?action=experiments&title=<script>alert(1)</script>")
    assert "<script>alert(1)" not in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("url", [
    "/?action=experiments&name=../../etc",
    "/?action=scripts&name=..%2F..%2Fetc",
    "/?action=experiments&tags=a/b",
    "/?action=challenges&name=../x",
    "/?action=experiments&result_uid=not-a-uid",
    "/?action=experiments&type=3d",
    "/?action=experiments&page=abc",
    "/?action=howtorun&compute_uid=nope",
    "/?action=nonsense",
    "/?action=experiments&filter=" + "1+" * 600 + "1",
    "/api/v1/results?limit=-1",
])
def test_p8_bad_names_and_values_are_400_not_tracebacks(client: Any, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code)
    assert "Traceback" not in r.text


def test_404_pages(client: Any) -> None:
    for url in ("/nope", "/static/secret.py", "/api/v1/results/0123456789abcdef"):
        r = client.get(url)
        assert r.status_code == 404 and "Traceback" not in r.text


def test_long_urls_and_large_bodies_refused(client: Any) -> None:
    assert client.get("/?action=scripts&q=" + "a" * 9000).status_code == 414
    r = client.post("/api/v1/results", content=b"x" * 100, headers={"content-length": str(10 ** 9)})
    assert r.status_code == 413


def test_p10_empty_data_pages_do_not_crash(client: Any) -> None:
    ok(client, "/?action=experiments&tags=no-such-tag")
    ok(client, "/?action=experiments&name=" + POWER_EXP + "&filter=False")
    ok(client, "/?action=challenges&tags=nothing-here")


def test_p11_per_record_errors_are_counted_and_excluded(client: Any) -> None:
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&filter=result['no_such_key'] > 1")
    assert count(html, "shown") == 0 and "excluded by a failing filter" in html
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&derived_metrics=result['z'] = 1/0")
    assert "failing derived metric" in html


def test_p12_same_key_for_x_and_colour_and_legend_shows_values(client: Any) -> None:
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&x=Result&y=Result_Power&c=Result")
    assert count(html, "points") > 0
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&x=Result&y=Result_Power&c=Organization")
    assert '"name": "Dell"' in html


def test_p15_contributor_lookup_keeps_case(client: Any) -> None:
    assert "Some Org" in ok(client, "/?action=contributors&name=OrgOnly")


def test_p17_state_is_in_the_url(client: Any) -> None:
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&x=Result&y=Result_Power&logx=1&pareto=max,min")
    link = re.search(r'id="self-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "logx=1" in link and "pareto=max%2Cmin" in link and "y=Result_Power" in link
    assert ok(client, link).count('<tr class="front">') == html.count('<tr class="front">')


def test_private_skips_and_hidden(client: Any) -> None:
    html = ok(client, "/?action=reports")
    assert "Secret" not in html
    assert "Hidden Person" not in ok(client, "/?action=contributors")


def test_challenge_status_edges(client: Any) -> None:
    html = ok(client, "/?action=challenges")
    assert "Opens on 2099 Jan 1" in html and "Finished on 2020 Mar 1" in html


def test_dry_run_plan_preview_runs_nothing(client: Any, tmp_path: Any) -> None:
    html = ok(client, "/?action=scripts&name=run-mlperf-inference&plan=1")
    assert 'id="plan"' in html and "run-mlperf-inference" in html


def test_reproducibility_table_and_reproduce_command(client: Any) -> None:
    html = ok(client, "/?action=reproduce&dims=info.host_system")
    assert "repro-detect-os" in html and "a1b2c3d4e5f60718" in html and "<td>Linux</td>" in html
    assert '<td class="ok">yes</td>' in html
    html = ok(client, "/?action=experiments&result_uid=a1b2c3d4e5f60718")
    assert "cm run experiment --tags=repro,detect,os -- cm run script detect,os --repro" in html
    assert 'class="badge ok">functional' in html


def test_p4_recipe_code_is_never_imported_by_the_server(client: Any, sample_repo: Any, tmp_path: Any) -> None:
    marker = tmp_path / "imported.txt"
    folder = sample_repo / "script" / "evil-recipe"
    folder.mkdir(parents=True)
    (folder / "_cm.yaml").write_text("alias: evil-recipe\nuid: e711000000000001\nautomation_alias: script\n"
                                     "automation_uid: 5b4e0237da074764\ntags: [evil, recipe]\n"
                                     "input_mapping: {x: CM_X}\n")
    code = f"open({str(marker)!r}, 'w').write('imported')\ndef preprocess(i):\n    open({str(marker)!r}, 'w').write('ran')\n"
    (folder / "customize.py").write_text(code)
    (folder / "run.sh").write_text(f"echo ran > {marker}\n")
    html = ok(client, "/?action=scripts&name=evil-recipe&plan=1&@x=1")
    assert 'id="plan"' in html and "evil-recipe" in html
    assert not marker.exists()


def test_p16_install_page_has_no_destructive_commands(client: Any) -> None:
    html = ok(client, "/?action=install")
    assert "rm cache" not in html and "tree/master" not in ok(client, "/?action=scripts&name=detect-os")


def test_result_in_two_experiments_follows_the_named_one(client: Any) -> None:
    from tests.playground.conftest import EDGE_EXP

    uid = client.get("/api/v1/results", params={"experiment": S29_NAME, "limit": 2}).json()["results"][1]["uid"]
    for name in (S29_NAME, EDGE_EXP):
        html = ok(client, f"/?action=experiments&name={name}&result_uid={uid}")
        assert re.search(rf'Experiment <a href="[^"]+">{re.escape(name)}</a>', html)


def test_plot_labels_are_text_and_bar_plots_work(client: Any) -> None:
    html = ok(client, f"/?action=experiments&name={POWER_EXP}&x=Result&y=Result_Power&type=bar"
                      "&title=<a href=javascript:alert(1)>t</a>")
    data = re.search(r'id="plot-data">(.*?)</script>', html, re.S).group(1)
    assert "<a" not in data and "\\u003ca" not in data and '"type": "bar"' in data


def test_catalog_pages_through_many_recipes(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large collection is listed a page at a time; the page number lives in the URL and is clamped."""
    from colmind.playground import pages

    monkeypatch.setattr(pages, "CATALOG_PAGE", 5)
    first = ok(client, "/?action=scripts")
    total = int(re.search(r"Found (\d+) automation recipes", first).group(1))  # type: ignore[union-attr]
    pages_count = -(-total // 5)
    assert total > 5 and f"Page 1 of {pages_count}" in first and 'id="prev"' not in first
    listed = lambda html: re.findall(r'<li><a href="/\?action=scripts&amp;name=([^"%]+)', html)  # noqa: E731
    assert len(listed(first)) == 5
    second = ok(client, "/?action=scripts&page=2")
    assert f"Page 2 of {pages_count}" in second and 'id="prev"' in second
    assert not set(listed(first)) & set(listed(second))
    assert f"Page {pages_count} of {pages_count}" in ok(client, "/?action=scripts&page=999999")
    assert "Page 1 of" in ok(client, "/?action=scripts&page=-3")
