from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incident archive")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from incidents import labels, lookups, readmodel

        post_migrate.connect(readmodel.ensure, sender=self)

        lookups.register()
        labels.translate_default_labels(self)
