"""The assessment report as PDF (fpdf2), with the same content as the HTML report: the answer
per product first, then each finding with its measure, clause, status, reasons and sources."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from rarex import __version__
from rarex.core.rulebook import RuleBook
from rarex.reports.render import OUTCOME_LABEL

FONT = "DejaVu"
MISSING = "[…]"  # stands for a run of characters the font has no glyphs for (Chinese script)


def _font_dir() -> Path:
    return Path(str(resources.files("rarex.reports") / "fonts"))


@cache
def _repertoire() -> frozenset[int]:
    with TTFont(_font_dir() / "DejaVuSansCondensed.ttf", lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """``text`` with each run of characters the PDF font cannot show replaced by ``[…]``."""
    known = _repertoire()
    out: list[str] = []
    for char in text:
        if ord(char) in known or char in "\n\t":
            out.append(char)
        elif not out or out[-1] != MISSING:
            out.append(MISSING)
    return "".join(out)


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, f"rarex {__version__}: page {self.page_no()}/{{nb}}", align="C")


def render_pdf(document: dict[str, Any], rulebook: RuleBook) -> bytes:
    """A stored assessment document as a PDF file."""
    pdf = _Report(format="A4")
    pdf.set_title(f"rarex assessment as of {document['as_of']}")
    pdf.set_creator(f"rarex {__version__}")
    pdf.add_font(FONT, "", str(_font_dir() / "DejaVuSansCondensed.ttf"))
    pdf.add_font(FONT, "B", str(_font_dir() / "DejaVuSansCondensed-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    def text(body: str, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(
            0, size * 0.5, printable(body), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(gap)

    shipment = document["shipment"]
    text(f"Export-control assessment as of {document['as_of']}", 16, bold=True, gap=3)
    text(
        f"Shipment from {shipment['export_from'] or '(not given)'} to "
        f"{shipment['destination'] or '(not given)'}; end user "
        f"{shipment['end_user'] or '(not given)'} ({shipment['end_user_type']}); "
        f"end use {shipment['end_use']}. Data: {document['source']}.",
        9,
    )
    text(f"Rulebook sha256 {document['rulebook']['sha256']}", 8)
    if document["assumptions"]:
        assumed = ", ".join(f"{k}={v}" for k, v in document["assumptions"].items())
        text(f"Assumptions: {assumed}", 9)
    for hit in document["listing_hits"]:
        text(
            f"End user matches {hit['listed_name']} on {hit['list']} ({hit['listing']}, "
            f"{hit['status']}, {hit['match']} match).",
            9,
            bold=True,
        )
    pdf.ln(2)
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=(40, 30, 30),
        headings_style=FontFace(family=FONT, emphasis="BOLD", fill_color=(235, 235, 235)),
        text_align="LEFT",
        line_height=5,
    ) as table:
        table.row(
            ("Product", f"Answer on {document['as_of']}", "If uncertain measures were in force")
        )
        for r in document["results"]:
            table.row(
                (
                    printable(f"{r['part_id']} {r['description']}"),
                    OUTCOME_LABEL[r["outcome"]],
                    OUTCOME_LABEL[r["worst_case_outcome"]],
                )
            )
    differs = [r for r in document["results"] if r["outcome"] != r["worst_case_outcome"]]
    pdf.ln(2)
    if differs:
        text(f"{len(differs)} answer(s) depend on measures whose status is uncertain.", 10, True)
    for r in document["results"]:
        _product(pdf, text, r, rulebook)
    pdf.ln(3)
    text(
        f"Text in scripts the PDF font cannot show (Chinese) appears as {MISSING}; the HTML "
        "report has it in full. Translations are unofficial; the Chinese originals govern. "
        "rarex is an aid to compliance work, not legal advice.",
        8,
    )
    return bytes(pdf.output())


def _product(pdf: FPDF, text: Any, r: dict[str, Any], rulebook: RuleBook) -> None:
    pdf.ln(3)
    text(f"{r['part_id']}: {OUTCOME_LABEL[r['outcome']]}", 13, bold=True)
    line = (
        f"{r['description']}. If the uncertain measures applied: "
        f"{OUTCOME_LABEL[r['worst_case_outcome']]}."
    )
    if r["content_share"] is not None:
        line += f" China-origin controlled content: {r['content_share']:.4%} of its value."
    if r["unknown_inputs"]:
        line += f" Inputs with unknown origin or value: {', '.join(r['unknown_inputs'])}."
    text(line, 9)
    for f in r["findings"]:
        instrument = rulebook.instruments.get(f["measure"])
        title = instrument.title.en if instrument else ""
        text(
            f"{f['measure']} {f['limb']} ({f['status'].replace('_', ' ')}): "
            f"{OUTCOME_LABEL[f['outcome']]}. {title}",
            9,
            bold=True,
            gap=0.5,
        )
        body = f["explanation"]
        if f["paths"]:
            body += " Paths: " + "; ".join(" > ".join(p) for p in f["paths"]) + "."
        text(body, 8.5, gap=0.5)
        for c in f["citations"]:
            text(f"[{c['source']}] {c['title']} {c['url']}", 7.5, gap=0.3)
        if f["verification"] != "official":
            text(f"Verification: {f['verification']}.", 7.5, gap=0.3)
        pdf.ln(1.5)
