"""The ``/api/v1/`` router. Each app's ``api.py`` registers its viewsets here with ``register``;
``agency.urls`` imports every app's api module, then includes ``router.urls``."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()


def register(prefix: str, viewset, basename: str | None = None) -> None:
    router.register(prefix, viewset, basename=basename or viewset.model._meta.model_name)


def registered_viewsets():
    return [viewset for _prefix, viewset, _basename in router.registry]
