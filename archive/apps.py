from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    """Django's admin app, with the archive's two-factor admin site as ``admin.site``."""

    default_site = "archive.admin_site.ArchiveAdminSite"
