"""A faster rendering of the migration state for a model a migration creates.

Django keeps the migration state's models rendered while it applies migrations, and on every
``CreateModel`` it renders again the new model, the models it points to and every model related to
those, recursively: here nearly every model, since almost all of them point to the agency. A first
``migrate`` of the embedded default thereby rendered about 11,000 model classes for 113 new models,
most of its time. A model that did not exist yet replaces no class, so rendering it alone into the
registry (as Django's own app loading defines one model after another) gives the same models, with
the same relations: ``fast_model_creation()`` does that for the length of a ``migrate``. Every
other change of the state (a field, an index, a constraint, a renamed or removed model) re-renders
as Django does."""

from __future__ import annotations

import contextlib

from django.db.migrations.state import ProjectState

_django_add_model = ProjectState.add_model


def _add_model(self: ProjectState, model_state) -> None:
    model_key = model_state.app_label, model_state.name_lower
    if "apps" not in self.__dict__ or model_key in self.models:
        _django_add_model(self, model_state)
        return
    try:
        self.apps.get_model(*model_key)
    except LookupError:
        pass
    else:  # a model of an unmigrated app: Django's way
        _django_add_model(self, model_state)
        return
    self.models[model_key] = model_state
    if self._relations is not None:
        self.resolve_model_relations(model_key)
    self.apps.render_multiple([model_state])


@contextlib.contextmanager
def fast_model_creation():
    """Within the block, a migration's new model is rendered alone into the rendered state."""
    ProjectState.add_model = _add_model
    try:
        yield
    finally:
        ProjectState.add_model = _django_add_model
