"""Writes of chapter 10, one module per subject: ``questionnaires``, ``campaigns`` (10.1, with the
public survey), ``complaints`` (customer protection, 10.1) and ``improvement`` (10.2). Views, the
API, admin, tasks and commands call these; each is keyword-only, typed and atomic."""
