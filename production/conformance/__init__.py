"""Clause checks of chapter 5, judged from the stage changes recorded in the period.

Each gate passed in the period is looked at as it stood when it was passed: the script approved
before shooting began (5.1), the clips accepted when shooting ended (5.2), the five steps finished
when the cut went to the client (5.3). A period in which no video passed the gate gives "not
applicable" for that clause: there was nothing to judge.

One module per clause (``scripts`` 5.1, ``shoots`` 5.2, ``post`` 5.3) and ``common`` for what they
share. ``agency.conformance.autodiscover`` imports this package; importing the modules here
registers their checks.
"""

from __future__ import annotations

from production.conformance import post, scripts, shoots

__all__ = ["post", "scripts", "shoots"]
