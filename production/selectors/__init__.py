"""Reads for the production pages: the board, the calendar, a project's cockpit, a review thread
and the client's own view. Each runs a fixed number of queries, whatever the number of rows.

One module per part of the chapter (``projects``, ``shoots``, ``post``, ``review``, ``publishing``)
and ``common`` for what they share. Callers import from the topic
modules."""
