"""Reads of chapter 8 for pages and the API, one module per topic: ``overview`` (the landing page
and the client area across 8.1-8.3), ``live`` (8.1), ``valuation`` (the 8.3 valuation method, its
metric sources and the reproducibility check) and ``valuation_inputs`` (what a valuation is
computed from)."""
