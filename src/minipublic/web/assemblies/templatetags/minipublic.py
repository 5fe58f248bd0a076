"""Template helpers: ``{% load minipublic %}``.

``{% can "change" "phase" as allowed %}`` asks the permission table for the
person viewing the page about the ``assembly`` in the context (or pass
``assembly=...``), so templates hide links a person cannot follow.
"""

from django import template

from minipublic.web.permissions import request_can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, subject: str, assembly=None, obj=None) -> bool:
    request = context.get("request")
    if request is None:
        return False
    if assembly is None:
        assembly = context.get("assembly")
    return request_can(request, action, subject, assembly=assembly, obj=obj)


@register.simple_tag(takes_context=True)
def app_tabs(context, assembly=None) -> list:
    """The staff tabs other apps add (see :mod:`minipublic.web.hooks`)."""
    from minipublic.web.hooks import nav_tabs

    request = context.get("request")
    assembly = assembly if assembly is not None else context.get("assembly")
    if request is None or assembly is None:
        return []
    return nav_tabs(request, assembly)


@register.filter(is_safe=True)
def tab_title(value: str) -> str:
    """The browser tab's title: ``"Members · Aberwen Climate Assembly · minipublic"``.

    Pages fill ``{% block title %}``; base.html passes it through this filter,
    which adds the site's name after a separator (or gives the site's name
    alone when the page set none).
    """
    text = " ".join(str(value).split())
    return f"{text} · minipublic" if text else "minipublic"
