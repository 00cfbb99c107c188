from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incident archive"

    def ready(self) -> None:
        from incidents import lookups

        lookups.register()
