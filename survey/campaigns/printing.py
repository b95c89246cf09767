"""QR codes and printable sheets: PNG/SVG codes, A4 posters for service windows and A4 sheets
of single-use token slips. Pure functions (no Flask, no database).

PDFs embed a subset of WenQuanYi Micro Hei (文泉驿微米黑, Debian's fonts-wqy-microhei: TrueType
outlines, Apache-2.0 or GPL-3+ with the font exception, so it may be embedded and shared), so
the Chinese shows in every viewer and print shop; SURVEY_PRINT_FONT may name another TrueType
file. ReportLab cannot embed CFF outlines (Noto Sans CJK's .otf). Without such a file the
sheets fall back to the CID font STSong-Light, which only viewers with Adobe's Asian fonts
show, and say so in the log. QR codes are drawn as vector rectangles from segno's module
matrix: crisp at any size, and cheap enough for 1,000 slips in a few seconds. The link printed
under a code is in lower case (``links.printed``) so people can type it.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

# TrueType CJK fonts that may be embedded, in order of preference (Debian's paths).
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
)
EMBEDDED_FONT = "WenQuanYiMicroHei"
FALLBACK_FONT = "STSong-Light"
QUIET_ZONE = 4  # modules around the symbol, as ISO/IEC 18004 asks


def font_file() -> str | None:
    chosen = os.environ.get("SURVEY_PRINT_FONT")
    if chosen:
        return chosen
    return next((path for path in FONT_FILES if os.path.exists(path)), None)


def _register_font() -> str:
    path = font_file()
    if path is not None:
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=0))
        return EMBEDDED_FONT
    logger.warning(
        "no TrueType CJK font found (apt-get install fonts-wqy-microhei, or set "
        "SURVEY_PRINT_FONT): posters and token slips name %s without embedding it",
        FALLBACK_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


FONT = _register_font()


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error="m")


def qr_png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale)
    return out.getvalue()


def qr_svg(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=scale)
    return out.getvalue()


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` with its quiet zone in the square (x, y, size), y upwards."""
    matrix = _qr(url).matrix
    modules = len(matrix) + 2 * QUIET_ZONE
    cell = size / modules
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + QUIET_ZONE + 1) * cell
        column, width = 0, len(row)
        while column < width:
            if row[column]:
                start = column
                while column < width and row[column]:
                    column += 1
                path.rect(x + (start + QUIET_ZONE) * cell, top, (column - start) * cell, cell)
            else:
                column += 1
    canvas.drawPath(path, stroke=0, fill=1)


def _centred(canvas: Canvas, text: str, y: float, size: float, width: float, x: float = 0):
    canvas.setFont(FONT, size)
    canvas.drawCentredString(x + width / 2, y, text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, FONT, size) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


@dataclass(frozen=True)
class Poster:
    campaign_title: str
    agency_name: str
    url: str  # the QR code's payload
    printed_url: str = ""  # the link printed under it, in lower case (links.printed)


def posters_pdf(posters: Sequence[Poster]) -> bytes:
    """One A4 page per agency, for its service window."""
    if not posters:
        raise ValueError("no poster to print")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle("评价二维码海报")
    width, height = A4
    for poster in posters:
        _centred(canvas, poster.campaign_title, height - 30 * mm, 16, width)
        y = height - 55 * mm
        for line in _wrap(poster.agency_name, 30, width - 40 * mm):
            _centred(canvas, line, y, 30, width)
            y -= 13 * mm
        size = 100 * mm
        _draw_qr(canvas, poster.url, (width - size) / 2, y - size - 5 * mm, size)
        y -= size + 20 * mm
        _centred(canvas, "请用手机扫描二维码，对本单位履职情况进行评价", y, 16, width)
        canvas.setFont(FONT, 10)
        canvas.drawCentredString(width / 2, y - 9 * mm, poster.printed_url or poster.url)
        _centred(canvas, "评价匿名进行，不记录个人信息", 20 * mm, 11, width)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@dataclass(frozen=True)
class Slip:
    url: str  # the QR code's payload
    token: str
    rater_agency: str | None = None
    printed_url: str = ""  # the link printed under it, in lower case (links.printed)


LINK_FONT = "Courier"  # monospaced: every letter of the code stands apart
LINK_SIZES = (7.5, 7, 6.5, 6)  # pt, the largest that fits the slip's width is used


def _link_lines(link: str, width: float) -> list[tuple[str, float]]:
    """The printed link as (line, size): the address up to its last "/" on one line and the
    code on the next (a whole link is some 55 letters, wider than a slip at a readable size),
    each in the largest size that fits ``width``."""
    head, _, code = link.rpartition("/")

    def fitted(text: str) -> tuple[str, float]:
        fits = (s for s in LINK_SIZES if pdfmetrics.stringWidth(text, LINK_FONT, s) <= width)
        return text, next(fits, LINK_SIZES[-1])

    return [fitted(f"{head}/"), fitted(code)]


COLUMNS, ROWS = 3, 5


def token_sheet_pdf(campaign_title: str, slips: Sequence[Slip]) -> bytes:
    """A4 sheets of 3 × 5 slips with cut lines, one token each: its QR code, the link to
    type in lower case (``Slip.printed_url``) and the code in groups of four (for the
    survey page's code box)."""
    if not slips:
        raise ValueError("no token to print")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{campaign_title} 评价码")
    width, height = A4
    margin = 10 * mm
    slip_w = (width - 2 * margin) / COLUMNS
    slip_h = (height - 2 * margin) / ROWS
    per_page = COLUMNS * ROWS
    for index, slip in enumerate(slips):
        if index and index % per_page == 0:
            canvas.showPage()
        position = index % per_page
        x = margin + (position % COLUMNS) * slip_w
        y = height - margin - (position // COLUMNS + 1) * slip_h
        canvas.setDash(2, 2)
        canvas.setStrokeGray(0.6)
        canvas.rect(x, y, slip_w, slip_h, stroke=1, fill=0)
        canvas.setDash()
        top = y + slip_h - 6 * mm
        for line in _wrap(campaign_title, 8, slip_w - 6 * mm)[:2]:
            _centred(canvas, line, top, 8, slip_w, x)
            top -= 3.5 * mm
        if slip.rater_agency:
            for line in _wrap(f"评价单位：{slip.rater_agency}", 8, slip_w - 6 * mm)[:2]:
                _centred(canvas, line, top, 8, slip_w, x)
                top -= 3.5 * mm
        grouped = " ".join(slip.token[i : i + 4] for i in range(0, len(slip.token), 4))
        lines = [*_link_lines(slip.printed_url or slip.url, slip_w - 4 * mm), (grouped, 7.5)]
        # below the QR code: the link, the grouped code and the footer; the QR code shrinks
        # to leave them room (never below 25 mm, ~0.7 mm a module: it still scans)
        size = min(32 * mm, top - (y + 7 * mm + len(lines) * 3.2 * mm))
        _draw_qr(canvas, slip.url, x + (slip_w - size) / 2, top - size, size)
        line_y = top - size - 2.8 * mm
        for line, line_size in lines:
            canvas.setFont(LINK_FONT, line_size)
            canvas.drawCentredString(x + slip_w / 2, line_y, line)
            line_y -= 3.2 * mm
        _centred(canvas, "每个二维码仅限一人使用一次", y + 3.5 * mm, 7, slip_w, x)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
