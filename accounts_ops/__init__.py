"""Account operations (chapters 6-7).

Every layer (``models``, ``services``, ``selectors``, ``api``, ``forms``, ``views``, ``conformance``)
is split by the same topics: chapter 6 (basic operations) ``direction`` 6.1, ``profile`` 6.2,
``pinned`` 6.3, ``inbox`` 6.4, ``local`` 6.5, ``promotion`` 6.6, ``ads`` 6.7; chapter 7 (advanced
operations) ``comments`` 7.1, ``hot_topics`` 7.2, ``audience`` 7.3, ``ip_persona`` 7.4; platform
data in through ``metrics`` (daily metrics) and ``imports`` (the bulk endpoints' queue and file
imports); ``overview`` for the chapters' landing pages, ``common`` for what topics share. The
standard's numbers are in ``rules``.

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
