from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def attr(obj, name: str):
    """``{{ row|attr:"get_status_display" }}``: an attribute or a no-argument method."""
    value = getattr(obj, name, "")
    return value() if callable(value) else value


@register.simple_tag(takes_context=True)
def nav_current(context, url_name: str) -> str:
    """``aria-current="page"`` for the navigation link of the section being shown."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        prefix = reverse(url_name)
    except Exception:
        return ""
    path = request.path
    current = path == prefix if prefix == "/" else path.startswith(prefix)
    return 'aria-current="page"' if current else ""
