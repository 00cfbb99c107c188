from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors and reviewers read corrections and write them through the correction services, which check
# who may propose, approve and reject; the admin needs the model permissions to show them.
PERMISSIONS = {
    "correction": ["change", "view"],
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
    dependencies = [("incidents", "0018_corrections")]

    operations = [migrations.RunPython(grant, revoke)]
