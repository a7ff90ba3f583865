"""Writes of chapter 8 that have rules, one module per topic: ``live`` (8.1 live sessions, their
products, run sheet, team and results), ``visits`` (8.2 store-visit bookings) and ``valuation``
(8.3 adverse events and account valuations); ``common`` holds what they share.

Views, the API, admin and tasks call these. Each validates before it writes and raises
``ValidationError`` naming the field; nothing is half-written (each runs in one transaction).
"""
