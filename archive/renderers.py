"""How form widgets are drawn.

Django ships its widgets' templates for Jinja2 too, which draws them several times faster than
Django's template engine; an incident's change form draws a few thousand widgets (a claim row
has a couple of dozen). Templates only Django's engine has (the admin's wrapper around related
fields, this project's own) are drawn by it, as before.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str):  # noqa: ANN201 (either engine's template)
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
