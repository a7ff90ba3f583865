"""Forms of the chapter 8 pages, one module per topic: ``live`` (8.1), ``visits`` (8.2) and
``valuation`` (8.3); ``common`` holds what they share. Rows with rules are written by
``extensions.services``; these forms only collect and type the input."""
