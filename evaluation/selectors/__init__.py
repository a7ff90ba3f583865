"""Reads of chapter 10, one module per topic: ``campaigns`` (10.1 results, and the satisfaction
that decides a follow-up of 10.2), ``improvement`` (10.2) and ``overview`` (the landing page)."""
