from django.contrib.auth.management import create_permissions
from django.db import migrations

# What editors and reviewers may do with the records of migration 0016, as 0004 grants for the others.
PERMISSIONS = {
    "citation": ["add", "change", "delete", "view"],
    "person": ["add", "change", "view"],
    "personalias": ["add", "change", "delete", "view"],
    "personaffiliation": ["add", "change", "delete", "view"],
    "incidentrelation": ["add", "change", "delete", "view"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=["Editor", "Reviewer"]):
        for model, actions in PERMISSIONS.items():
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(content_type__app_label="incidents", codename=f"{action}_{model}")
                )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Reviewer"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="incidents", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0016_claims_citations_people")]

    operations = [migrations.RunPython(grant, revoke)]
