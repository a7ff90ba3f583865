"""The ``/api/v1/`` router. Each app's ``api.py`` registers its viewsets here with ``register``;
``project.urls`` imports every app's api module, then includes ``grouped_urls()``."""

from django.urls import include, re_path
from rest_framework.routers import DefaultRouter

router = DefaultRouter()


def register(prefix: str, viewset, basename: str | None = None) -> None:
    router.register(prefix, viewset, basename=basename or viewset.model._meta.model_name)


def registered_viewsets():
    return [viewset for _prefix, viewset, _basename in router.registry]


def grouped_urls() -> list:
    """The router's URLs (500 and more, which Django would try in turn), grouped under their prefix:
    a request is matched against one short test per prefix, then against its own prefix's routes
    only. Same routes, names and views; the routes of different prefixes never overlap, so only the
    order within a prefix matters, and it is kept."""
    prefixes = [prefix for prefix, _viewset, _basename in router.registry]
    groups: dict[str, list] = {}
    ungrouped = []  # the API root, and the list routes with a format suffix ("clients.json")
    for pattern in router.urls:
        regex = str(pattern.pattern)
        prefix = next((p for p in prefixes if regex.startswith(f"^{p}/")), None)
        if prefix is None:
            ungrouped.append(pattern)
            continue
        rest = "^" + regex[len(prefix) + 2 :]  # "^clients/(?P<pk>[^/.]+)/$" -> "^(?P<pk>[^/.]+)/$"
        groups.setdefault(prefix, []).append(re_path(rest, pattern.callback, pattern.default_args, pattern.name))
    # (The prefix goes into the regex as it is, as the router's own routes have it.)
    return [re_path(f"^{prefix}/", include(patterns)) for prefix, patterns in groups.items()] + ungrouped
