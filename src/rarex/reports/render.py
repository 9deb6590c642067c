"""HTML and Markdown reports for a compliance officer: the answer first, then the reasons.

Everything a report shows from a data set, a shipment or the rulebook is text: every value
either template prints has its control characters made ``visible`` (a report may be printed
to a terminal), the HTML template is autoescaped, and the Markdown template passes every
value through ``markdown_text``. A served report carries ``report_headers``: a content
security policy that lets no script run and nothing load, except the report's own style
sheet (allowed by its hash).
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from rarex.core.assess import Assessment
from rarex.core.rulebook import RuleBook
from rarex.reports.escape import markdown_code, markdown_text, visible
from rarex.reports.serialise import assessment_document

OUTCOME_LABEL = {
    "prohibited": "Prohibited",
    "presumption_of_denial": "Licence in principle denied",
    "case_by_case": "Licence, reviewed case by case",
    "licence_required": "Licence required",
    "incomplete_data": "Incomplete data: cannot be cleared",
    "no_licence_required": "No licence required",
}


# The HTML report's only style: inline, so that the file stands alone, and allowed by its hash.
REPORT_CSS = (resources.files("rarex.reports") / "templates" / "report.css").read_text("utf-8")
_STYLE = "'sha256-" + base64.b64encode(hashlib.sha256(REPORT_CSS.encode()).digest()).decode() + "'"
# In the file itself (a <meta> element, for a report opened from disk) ...
REPORT_POLICY = f"default-src 'none'; style-src {_STYLE}; base-uri 'none'; form-action 'none'"
# ... and served: nor may it be framed, and it runs sandboxed (no script, no same origin).
REPORT_CSP = f"{REPORT_POLICY}; frame-ancestors 'none'; sandbox"


def report_headers(filename: str) -> dict[str, str]:
    """The headers a report is served with: downloaded as ``filename`` rather than shown in
    place, its type never sniffed, and ``REPORT_CSP``."""
    return {
        "Content-Security-Policy": REPORT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }


class _Markdown(str):
    """Markdown the template made itself (a code span), printed as it is."""


def _markdown_value(value: Any) -> str:
    return value if isinstance(value, _Markdown) else markdown_text(str(value))


def _html_value(value: Any) -> Any:
    return value if isinstance(value, Markup) else visible(str(value))  # escaped after this


def _environment(fmt: str) -> Environment:
    html = fmt == "html"
    env = Environment(
        loader=PackageLoader("rarex.reports", "templates"),
        autoescape=html,
        finalize=_html_value if html else _markdown_value,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = lambda outcome: OUTCOME_LABEL.get(outcome, outcome)
    env.filters["pct"] = lambda value: "—" if value is None else f"{value:.4%}"
    env.filters["code"] = lambda value: _Markdown(markdown_code(str(value)))
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
        "css": Markup(REPORT_CSS),
        "policy": REPORT_POLICY,
    }


def render_document(document: dict[str, Any], rulebook: RuleBook, fmt: str) -> str:
    """A stored assessment document as ``html`` or ``md``."""
    template = "report.html.j2" if fmt == "html" else "report.md.j2"
    return _environment(fmt).get_template(template).render(**_context(document, rulebook))


def render_html(assessment: Assessment, rulebook: RuleBook) -> str:
    return render_document(assessment_document(assessment, rulebook), rulebook, "html")


def render_markdown(assessment: Assessment, rulebook: RuleBook) -> str:
    return render_document(assessment_document(assessment, rulebook), rulebook, "md")
