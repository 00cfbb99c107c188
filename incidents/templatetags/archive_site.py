"""The site's frame: `{% load archive_site %}` in base.html."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SEPARATOR = " · "


class PageTitleNode(template.Node):
    # Named "nodelist" so that {% block %} tags inside are found by {% extends %}.
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        return page_title(
            self.nodelist.render(context).strip(),
            site=conditional_escape(settings.ARCHIVE_NAME),
            is_home=_is_home(context),
        )


def _is_home(context: Context) -> bool:
    match = getattr(context.get("request"), "resolver_match", None)
    return getattr(match, "url_name", None) == "home"


def page_title(title: str, *, site: str, is_home: bool) -> SafeString:
    """The document's title: the page's own, then the site's name; never the site's name twice.

    The home page is the site, so its title stands alone; a page without a title of its own,
    or whose title already ends with the site's name, is not given it again.
    """
    # Both come escaped: the title rendered by the template engine, the site's name by the caller.
    if not title or title == site:
        return mark_safe(site)
    if is_home or title.endswith(SEPARATOR + site):
        return mark_safe(title)
    return mark_safe(f"{title}{SEPARATOR}{site}")


@register.tag("page_title")
def do_page_title(parser: Parser, token: Token) -> PageTitleNode:
    """``<title>{% page_title %}{% block title %}{% endblock %}{% endpage_title %}</title>``."""
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)
