"""Operation records (chapter 9 of T/CASME 短视频平台代运营服务规范) and the audit trail (4.2).

- The six record types of clause 9: assets with their check-outs (9 g), daily inspection lists
  made for every active account each day with their follow-ups (9 h), usage records (9 i), data
  statistics reports (9 j) and work assessment reports (9 k) built monthly and on demand, and
  image records (9 l). Each is dated and attributed; none is deleted, a wrong one is voided with
  its reason (``services.record_void``).
- Every record list and report exports to CSV, XLSX and A4 PDF (``exports``); long exports and
  report builds run as tasks whose progress the pages show.
- The audit trail (``audit``, ``models.AuditEvent``): every create, change and delete of tenant
  data, with who, when, which fields from what to what, and the channel. On PostgreSQL it is
  written by database triggers, so bulk writes (``bulk_create``, ``QuerySet.update``), raw SQL and
  cascades are covered, and the table is append-only (UPDATE, DELETE, TRUNCATE refused). On SQLite
  (the embedded default) it is kept by the application from model signals: bulk writes are
  covered on PostgreSQL only.
- Conformance checks for clause 9 (each record type kept for the client and period) and 4.2
  (every change about the client is in the trail the client can read).
"""
