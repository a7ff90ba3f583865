"""The tenant core: agencies, memberships and roles, tenancy, the outbox, the base classes every
app builds on. It imports no app above it (the project package is ``project``)."""
