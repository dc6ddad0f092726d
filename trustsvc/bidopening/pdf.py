"""The minutes as PDF: the same HTML printed by WeasyPrint.

Why WeasyPrint: it is the maintained HTML/CSS-to-PDF renderer for Python (BSD, releases every few
months) and draws text through Pango/HarfBuzz with fontconfig, so the CJK fonts Debian ships
(`fonts-noto-cjk`: Noto Sans CJK SC/TC) are found by name, shaped properly and embedded as subsets;
`:lang(zh-Hans)` / `:lang(zh-Hant)` pick the Simplified or Traditional glyph forms. One HTML source
serves the browser and the printer. Pure-Python PDF writers (fpdf2, ReportLab) would need the font
files located and registered by hand and the table layout redone in code.
"""

from __future__ import annotations

from trustsvc.errors import TrustsvcError


class PDFUnavailable(TrustsvcError):
    """WeasyPrint or the system libraries it needs (Pango) are missing."""


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango / its libraries not installed
        raise PDFUnavailable(f"PDF minutes need WeasyPrint and Pango ({exc.__class__.__name__}: {exc})"[:300]) from None
    return HTML(string=html).write_pdf()


__all__ = ["PDFUnavailable", "html_to_pdf"]
