"""Writes of video production (chapter 5). Pages, the API, admin and tasks call these.

A project moves one stage forward only through its gate (``project_advance``); each gate names
what is missing. Files are stored with their row or not at all: an upload is refused before it
is written, a failed insert removes the file it had stored, and a deleted row's file goes once
the deletion commits (``media_sweep_orphans`` catches what an outer rollback leaves behind).

One module per part of the chapter: ``projects`` (stages and their gates), ``scripts`` (5.1),
``shoots`` (5.2), ``post`` (5.3), ``review`` (the client's review of a cut), ``publishing``, and
``common`` for what they share. Callers import from the topic
modules."""
