"""The council report (raadsrapportage) as PDF: a printed view of the published store, like the dashboard.

content.py selects and formats, charts.py draws (matplotlib SVG), rapport.html.j2 and rapport.css lay
out, render.py makes the PDF with WeasyPrint, route.py serves it at /rapport.pdf.
"""

from dashboard.rapport.content import UnknownPeildatum
from dashboard.rapport.render import pdf_from_html, report_pdf, write_report

__all__ = ["UnknownPeildatum", "pdf_from_html", "report_pdf", "write_report"]
