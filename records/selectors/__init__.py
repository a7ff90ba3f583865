"""Reads of the records app: the figures of the statistics (9 j) and work assessment (9 k)
reports (``reports``), missed inspections (9 h, ``inspections``), rows as they stood from the
audit trail (4.2, ``audit``), and the landing page's overview (``common``)."""
