"""HTML and Markdown reports for a compliance officer: the answer first, then the reasons."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from rarex.core.assess import Assessment
from rarex.core.rulebook import RuleBook
from rarex.reports.serialise import assessment_document

OUTCOME_LABEL = {
    "prohibited": "Prohibited",
    "presumption_of_denial": "Licence in principle denied",
    "case_by_case": "Licence, reviewed case by case",
    "licence_required": "Licence required",
    "incomplete_data": "Incomplete data: cannot be cleared",
    "no_licence_required": "No licence required",
}


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("rarex.reports", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = lambda outcome: OUTCOME_LABEL.get(outcome, outcome)
    env.filters["pct"] = lambda value: "—" if value is None else f"{value:.4%}"
    return env


def _context(document: dict[str, Any], rulebook: RuleBook) -> dict[str, Any]:
    titles = {i.id: i.title.en for i in rulebook.instruments.values()}
    numbers = {
        i.id: (i.number if isinstance(i.number, str) else i.number.value) if i.number else ""
        for i in rulebook.instruments.values()
    }
    counted = list(document["results"])
    summary: dict[str, int] = {}
    for result in counted:
        summary[result["outcome"]] = summary.get(result["outcome"], 0) + 1
    differs = [r for r in counted if r["outcome"] != r["worst_case_outcome"]]
    return {
        "doc": document,
        "titles": titles,
        "numbers": numbers,
        "summary": summary,
        "differs": differs,
        "labels": OUTCOME_LABEL,
    }


def render_document(document: dict[str, Any], rulebook: RuleBook, fmt: str) -> str:
    """A stored assessment document as ``html`` or ``md``."""
    template = "report.html.j2" if fmt == "html" else "report.md.j2"
    return _environment(fmt == "html").get_template(template).render(**_context(document, rulebook))


def render_html(assessment: Assessment, rulebook: RuleBook) -> str:
    return render_document(assessment_document(assessment, rulebook), rulebook, "html")


def render_markdown(assessment: Assessment, rulebook: RuleBook) -> str:
    return render_document(assessment_document(assessment, rulebook), rulebook, "md")
