"""Staff pages of the records app (clause 9), and the audit trail that client people read too (4.2).

One module per record type (``assets`` 9 g, ``inspections`` 9 h, ``usage`` 9 i, ``reports`` 9 j
and 9 k, ``images`` 9 l), the trail (``audit``) and ``exports``; ``common`` holds the landing page,
the record list and voiding. ``records.urls`` names each page.
"""
