"""Pages of video production: the board and calendar, a project's cockpit, the script and its
storyboard, shoots with their clips, post-production, the review thread (shared with the
client's approver) and the client's own production page. Writes go to ``production.services``.

One module per part of the chapter (``projects``, ``scripts``, ``shoots``, ``post``, ``review``,
``publishing``) and ``common`` for what the pages share; ``production.urls`` names each view by its
module.
"""
