"""Pages of chapter 10, one module per topic: ``overview`` (the landing page and the client area),
``campaigns`` and ``questionnaires`` (10.1), ``complaints`` (customer protection, 10.1),
``improvement`` (10.2), ``public`` (the public survey, no login) and ``common`` (what they share)."""
