"""The study report (layer L5): one self-contained ``report.html``, ``report.md`` and ``report.json``.

- :func:`write_report` -- write the three files for a :class:`~causalx.study.StudyResult`.
- :func:`report_dict` -- the JSON payload (validated by ``report.schema.json`` in this package).
- :func:`report_schema` -- that JSON Schema, as a dict.
"""

from causalx.report._write import report_dict, report_schema, write_report

__all__ = ["report_dict", "report_schema", "write_report"]
