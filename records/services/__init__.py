"""Writes of the records app (clause 9). Views, the API, admin and tasks call these.

Every record of clause 9 is dated and attributed (``created_by``/``updated_by`` and the audit
trail), and none is deleted: ``common.record_void`` marks it void with a reason. One module per
record type: ``assets`` (9 g), ``inspections`` (9 h), ``usage`` (9 i), ``reports`` (9 j, 9 k),
``images`` (9 l), ``exports``."""
