"""Hostile text in every field a user controls comes out of every dashboard page and report as
text (issue 11 §1, stored XSS).

Two demo workspaces receive the same work through the dashboard and the API: one with the
hostile values of ``tests/hostile.py`` (a data set's part ids, descriptions, plants, name, end
user and file names; sales and inventory files; parties; applications with their reference,
exporter, consignee, end user and items; a party list's source, file name and entries; a
reviewer's reason), the other with their benign twins. Each page of the hostile workspace must
parse to the same elements and attributes as its twin, link to no script, and show the hostile
values as text; the reports also as Markdown (rendered) and PDF (its text), and served with a
policy under which no script can run.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import httpx2
import pytest

from rarex.io import readers
from rarex.reports.escape import visible
from tests.clock import TODAY
from tests.hostile import (
    CHUNKS,
    PAYLOADS,
    assert_inert_html,
    assert_inert_markdown,
    assert_inert_pdf,
    benign,
    hostile,
    parse_html,
    value,
)
from tests.web.conftest import form_token
from tests.web.hostile_workspace import World, as_sent, hostile_workspace


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, World]]:
    """The hostile workspace and its twin (SQLite: PostgreSQL cannot store a NUL)."""
    folder = tmp_path_factory.mktemp("hostile")
    with (
        hostile_workspace(f"sqlite:///{folder / 'hostile.db'}", folder / "hostile", hostile) as bad,
        hostile_workspace(f"sqlite:///{folder / 'benign.db'}", folder / "benign", benign) as good,
    ):
        yield bad, good


# ----------------------------------------------------------------- the pages

Page = Callable[[World], tuple[str, list[str]]]


def _overview(day: str) -> Page:
    def page(w: World) -> tuple[str, list[str]]:
        top = w.data.ids["EVM-200"]
        return f"/{day}", [*w.names, *w.end_users, top, w.data.descriptions[top]]

    return page


def _product(index: int) -> Page:
    def page(w: World) -> tuple[str, list[str]]:
        product = w.products[index]
        return (
            f"/assessments/{w.assessments[0]}/products/{quote(product, safe='')}",
            [product, w.data.descriptions[product]],
        )

    return page


PAGES: dict[str, Page] = {
    "overview": _overview(""),
    "overview replayed": _overview("?as_of=2025-10-20"),
    "assessment": lambda w: (
        f"/assessments/{w.assessments[0]}",
        [w.names[0], *w.products, *(w.data.descriptions[p] for p in w.products)],
    ),
    **{f"product {i}": _product(i) for i in range(7)},
    "missing product": lambda w: (
        f"/assessments/{w.assessments[0]}/products/{quote(w.make(PAYLOADS[0]), safe='')}",
        [w.make(PAYLOADS[0])],
    ),
    "rules timeline": lambda w: ("/rules/timeline", []),
    "applications": lambda w: ("/applications", [*w.references, *w.applicants[2::3]]),
    "screening": lambda w: (
        "/screening",
        [*w.listed, w.reason, w.source, f"imported from {as_sent(w.list_file)}"],
    ),
    "exposure": lambda w: (
        f"/exposure?version={w.versions[0]}",
        [w.names[0], w.end_users[0], w.data.ids["EVM-200"]],
    ),
    "exposure resumed": lambda w: (
        f"/exposure?version={w.versions[0]}&resume_on=2027-01-04",
        [w.data.ids["EVM-200"]],
    ),
    "upload form": lambda w: ("/upload", []),
    "login": lambda w: (f"/login?next={quote(w.make(PAYLOADS[1]))}", []),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_shows_hostile_text_as_text(name: str, worlds: tuple[World, World]) -> None:
    bad, good = worlds
    (path, shown), (twin_path, _) = PAGES[name](bad), PAGES[name](good)
    page, twin = bad.client.get(path), good.client.get(twin_path)
    assert page.status_code == twin.status_code, page.text
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert_inert_html(page.text, twin.text, shown, name)


def _with_bad_value(path: Path, column: str, bad: str) -> bytes:
    """The CSV file with ``bad`` in ``column`` of its first row."""
    with path.open(encoding="utf-8", newline="") as handle:  # a CR in a value stays a CR
        rows = list(csv.DictReader(handle))
    rows[0][column] = bad
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_refused_uploads_show_the_hostile_value_as_text(worlds: tuple[World, World]) -> None:
    bad = f"1 {CHUNKS[0]}"
    for form, column in (("/upload", "unit_value"), ("/exposure", "annual_revenue")):
        pages = []
        for world in worlds:
            token = form_token(world.client.get(form).text)
            if form == "/upload":
                parts = _with_bad_value(world.data.parts, column, world.make(bad))
                sent = world.client.post(
                    "/upload",
                    data={
                        "csrf_token": token,
                        "name": value(world.make, "Refused", CHUNKS[1]),
                        "as_of": TODAY.isoformat(),
                        "end_user": value(world.make, "Refused user"),
                    },
                    files={"parts": (world.file("parts"), parts, "text/csv")},
                )
            else:
                sales = _with_bad_value(world.data.sales, column, world.make(bad))
                sent = world.client.post(
                    "/exposure/commercial",
                    data={"csrf_token": token, "version_id": str(world.versions[0])},
                    files={"sales": (world.file("sales"), sales, "text/csv")},
                )
            pages.append(sent)
        assert pages[0].status_code == pages[1].status_code == 422, form
        shown = [f"{column}: not a number: {readers.shown(bad)}"]
        assert_inert_html(pages[0].text, pages[1].text, shown, f"refused upload on {form}")


def test_re_screening_shows_the_changes_as_text(worlds: tuple[World, World]) -> None:
    pages = [
        w.client.post(
            "/screening/rescreen", data={"csrf_token": form_token(w.client.get("/screening").text)}
        )
        for w in worlds
    ]
    assert pages[0].status_code == pages[1].status_code == 200
    assert "What changed" in pages[0].text
    assert_inert_html(pages[0].text, pages[1].text, [worlds[0].listed[0]], "re-screening")


# ----------------------------------------------------------------- the reports


def _report_values(w: World, data_set: bool = True) -> list[str]:
    """What a report shows: the data set's name (not the Markdown report), the end user, the
    products' ids and descriptions."""
    named = [w.names[0]] if data_set else []
    return [*named, w.end_users[0], *w.products, *(w.data.descriptions[p] for p in w.products)]


def _served_as_a_download(response: httpx2.Response, suffix: str) -> None:
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["content-disposition"].endswith(f'{suffix}"')
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize("route", ["/assessments/{id}/report.html", "/api/assessments/{id}/report"])
def test_the_html_report_is_inert_and_allows_only_its_own_style(
    route: str, worlds: tuple[World, World]
) -> None:
    bad, good = worlds
    report = bad.client.get(route.format(id=bad.assessments[0]))
    twin = good.client.get(route.format(id=good.assessments[0]))
    _served_as_a_download(report, ".html")
    # control characters show as symbols in a report, which may be printed to a terminal
    shown = [visible(v) for v in _report_values(bad)]
    assert_inert_html(report.text, twin.text, shown, route)
    parsed = parse_html(report.text)
    assert not any(tag == "script" for tag, _ in parsed.elements)
    assert [n for (tag, _), n in parsed.elements.items() if tag == "style"] == [1]
    assert not any("style" in attributes for _, attributes in parsed.elements)
    style = re.search(r"<style>(.*?)</style>", report.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}';" in report.headers["content-security-policy"]
    assert f"style-src &#39;sha256-{digest}&#39;" in report.text  # the file opened from disk


def test_the_markdown_report_renders_no_link_image_or_html(worlds: tuple[World, World]) -> None:
    bad, good = worlds
    route = "/api/assessments/{id}/report?format=md"
    report = bad.client.get(route.format(id=bad.assessments[0]))
    twin = good.client.get(route.format(id=good.assessments[0]))
    _served_as_a_download(report, ".md")
    assert report.headers["content-type"].startswith("text/markdown")
    assert_inert_markdown(report.text, twin.text, _report_values(bad, False), "markdown report")


def test_the_pdf_report_shows_hostile_text_as_text(worlds: tuple[World, World]) -> None:
    bad, _ = worlds
    report = bad.client.get(f"/assessments/{bad.assessments[0]}/report.pdf")
    _served_as_a_download(report, ".pdf")
    assert_inert_pdf(report.content, _report_values(bad), "pdf report")


def test_product_links_lead_to_their_product_whatever_its_id(worlds: tuple[World, World]) -> None:
    bad, _ = worlds
    pages = [f"/assessments/{bad.assessments[0]}", "/"]
    links = {
        url
        for page in pages
        for url in parse_html(bad.client.get(page).text).urls
        if url.startswith(f"/assessments/{bad.assessments[0]}/products/")
    }
    assert len({link.split("?")[0] for link in links}) == len(bad.products)
    for link in links:
        # a URL as a browser takes it from the page: nothing in it to drop or to guess
        assert re.fullmatch(r"[A-Za-z0-9/%._~?=&-]+", link), link
        product = bad.client.get(link)
        assert product.status_code == 200, link
        part_id = unquote(link.split("/")[4].split("?")[0])
        assert part_id in bad.products
        assert part_id in "".join(parse_html(product.text).text)
