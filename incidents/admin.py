from django.contrib import admin

from incidents.admin_import import IncidentImportExportMixin
from incidents.models import Incident


@admin.register(Incident)
class IncidentAdmin(IncidentImportExportMixin, admin.ModelAdmin):
    list_display = ["id", "title", "status"]
