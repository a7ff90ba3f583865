"""Pages of chapter 8, one module per topic: ``overview`` (the landing page and the client area),
``live`` (8.1), ``visits`` (8.2) and ``valuation`` (8.3); ``common`` holds what they share. The
pages call ``extensions.services``; a refused write shows the service's message on the form."""
