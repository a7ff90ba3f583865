"""Writes of chapter 10, one module per topic: ``questionnaires``, ``campaigns`` (10.1, with the
public survey), ``complaints`` (customer protection, 10.1), ``improvement`` (10.2) and, above
campaigns and improvement, ``followups`` (the follow-up surveys of 10.2 that need both); shared
helpers in ``common``. Views, the API, admin, tasks and commands call these; each is keyword-only,
typed and atomic."""
