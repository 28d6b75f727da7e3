"""Reports of a run, all built from one document (:mod:`checks.report.document`, the JSON report's content):

- :mod:`~checks.report.table`: the terminal table, sized to the terminal;
- :mod:`~checks.report.markdown`: errata first, then every verdict;
- :mod:`~checks.report.html`: one self-contained page with filters and the evidence's plots
  (:mod:`~checks.report.figures` says what to draw, :mod:`~checks.report.svg` draws it);
- :mod:`~checks.report.show`: everything about one claim (``python -m checks show ID``), with the paper's text
  (:mod:`~checks.report.seed_text`) and the derivations its run called (:mod:`~checks.report.trace`);
- :mod:`~checks.report.card`: a result that shows itself in Jupyter (``checks.run``).
"""
from __future__ import annotations

from checks.report.document import Document, Record, document, listing_json, load_document, run_metadata, tally, to_json

#: The report formats of ``--format``.
FORMATS = ("table", "json", "markdown", "html")

__all__ = ["FORMATS", "Document", "Record", "document", "listing_json", "load_document", "run_metadata", "tally",
           "to_json"]
