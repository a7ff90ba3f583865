"""Clause 9, "paper or electronic": every record list and every report as CSV, XLSX or PDF.

- ``tables``: the three formats of a table (CSV, XLSX, A4 PDF in a CID font every reader carries);
- ``datasets``: the record lists (rows, columns, filters) and their files;
- ``reports``: the statistics (9 j) and work assessment (9 k) reports as files;
- ``common``: how a person, a moment, a tick and a figure read in a cell."""
