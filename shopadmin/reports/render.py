"""Report files: PDF (fpdf2 with DejaVu Sans, so "€" and accents print) and CSV (injection-safe)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from shopadmin.core.csvsafe import csv_text
from shopadmin.reports.base import Report, ReportContext

log = logging.getLogger(__name__)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
CHUNK = 200  # rows per table block: the heading repeats and progress is reported per block

Progress = Callable[[int, int], None]


def filename(report: Report, generated_at: datetime, extension: str) -> str:
    """``report-available-stock_2026-11-22_160838.pdf``."""
    return f"report-{report.slug}_{generated_at.strftime('%Y-%m-%d_%H%M%S')}.{extension}"


def _font_path() -> Path:
    configured = current_app.config.get("SHOPADMIN_PDF_FONT") if has_app_context() else None
    return Path(configured) if configured else DEJAVU


def render_csv(report: Report, rows: Sequence[Sequence[Any]]) -> bytes:
    # UTF-8 with a BOM: spreadsheets then read accents and "€" right.
    header = [str(column.label) for column in report.columns]
    return ("\ufeff" + csv_text(header, rows)).encode("utf-8")


def render_pdf(report: Report, ctx: ReportContext, rows: Sequence[Sequence[Any]], generated_at: datetime,
               progress: Progress | None = None) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    font_path = _font_path()
    clean: Callable[[str], str]
    if font_path.exists():
        pdf.add_font("Body", "", str(font_path))
        bold = DEJAVU_BOLD if font_path == DEJAVU and DEJAVU_BOLD.exists() else font_path
        pdf.add_font("Body", "B", str(bold))
        family, clean = "Body", _same
    else:
        # No Unicode font: Helvetica covers Latin-1 only; say so on the page rather than fail.
        log.warning("PDF font %s is missing (install fonts-dejavu-core); falling back to Helvetica", font_path)
        family, clean = "Helvetica", _latin1
    pdf.set_title(clean(str(report.title)))
    pdf.set_creator("shopadmin")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, clean(str(report.title)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    summary = "; ".join(f"{label}: {value}" for label, value in report.param_summary(ctx))
    stamp = _("Generated %(at)s UTC, %(count)s rows", at=generated_at.strftime("%Y-%m-%d %H:%M:%S"), count=len(rows))
    pdf.multi_cell(0, 4, clean(f"{stamp}. {summary}"), new_x="LMARGIN", new_y="NEXT")
    if family == "Helvetica":
        pdf.multi_cell(0, 4, "Font DejaVuSans not found: characters outside Latin-1 are replaced by '?'.",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, "", 7)
    total = sum(column.width for column in report.columns)
    widths = [pdf.epw * column.width / total for column in report.columns]
    aligns = ["RIGHT" if column.numeric else "LEFT" for column in report.columns]
    heading = [clean(str(column.label)) for column in report.columns]
    if not rows:
        pdf.cell(0, 6, clean(_("No rows.")), new_x="LMARGIN", new_y="NEXT")
    for start in range(0, len(rows), CHUNK):
        with pdf.table(col_widths=widths, text_align=aligns, line_height=4, first_row_as_headings=True,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(225, 235, 245))) as table:
            table.row(heading)
            for row in rows[start:start + CHUNK]:
                table.row([clean("" if value is None else str(value)) for value in row])
        if progress is not None:
            progress(min(start + CHUNK, len(rows)), len(rows))
    return bytes(pdf.output())


def _same(text: str) -> str:
    return text


def _latin1(text: str) -> str:
    return text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")
