"""Account operations (chapters 6-7).

Chapter 6 (basic operations, 6.1-6.7) lives in the ``basic`` modules of ``models``, ``services``,
``selectors``, ``api``, ``forms`` and ``views``; chapter 7 (advanced operations, 7.1-7.4) in their
topic modules, the same names in every layer: ``comments`` (7.1), ``hot_topics`` (7.2),
``audience`` (7.3), ``ip_persona`` (7.4); platform data in through ``metrics`` (daily metrics) and
``imports`` (the bulk endpoints' queue and file imports). The clause checks are in
``conformance/<topic>.py``, the rules' constants in ``rules``.

Platform data in. No platform is called live: account and video daily metrics, comments, hot
lists and fan portraits arrive through bulk API endpoints (``/api/v1/account-daily-metrics/bulk/``
and the like: thousands of rows per request, all or nothing, each refusal naming the row and the
field), signed webhook events, or CSV/XLSX files (UTF-8, UTF-8 with BOM, GBK) imported by a task
that shows its progress; a file's accepted rows are committed and its rejected rows listed. Every
path is an idempotent upsert keyed by (account, date), (video, date) or the platform's id.
Platform field names are mapped to ours in ``platform_fields``. Ingest goes through PostgreSQL's
COPY into a staging table and one ``INSERT ... ON CONFLICT`` (``bulk``); ``bench/ingest.py``
measures it beside a raw COPY.

7.1 sentiment. ``sentiment.classify(text) -> (label, score)``: rules over a lexicon written for
short-video comments (``sentiment_lexicon``), with a naive-Bayes fallback trained on the labelled
comments of ``accounts_ops/data/sentiment_tuning.tsv``. Macro-F1 0.946 on 298 held-out comments written
by other people (``python bench/sentiment.py``). See ``sentiment`` for the breakdown.
"""
