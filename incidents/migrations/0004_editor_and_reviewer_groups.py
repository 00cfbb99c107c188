from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "incident": ["add", "change", "view", "submit"],
    "incidentactor": ["add", "change", "delete", "view"],
    "incidentsource": ["add", "change", "delete", "view"],
    "claim": ["add", "change", "delete", "view"],
    "actor": ["add", "change", "view"],
    "actoralias": ["add", "change", "delete", "view"],
    "actorrelation": ["add", "change", "delete", "view"],
    "source": ["add", "change", "view"],
    "eventtype": ["view"],
    "subeventtype": ["view"],
}
REVIEWER_EXTRA = {
    "incident": ["delete", "publish"],
    "eventtype": ["add", "change"],
    "subeventtype": ["add", "change"],
}


def codename(model: str, action: str) -> str:
    return f"{action}_{model}"


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def grant(group, spec):
        for model, actions in spec.items():
            for action in actions:
                code = f"{action}_incident" if action in {"submit", "publish"} else codename(model, action)
                group.permissions.add(Permission.objects.get(content_type__app_label="incidents", codename=code))

    editor, _ = Group.objects.get_or_create(name="Editor")
    grant(editor, EDITOR_PERMISSIONS)
    reviewer, _ = Group.objects.get_or_create(name="Reviewer")
    grant(reviewer, EDITOR_PERMISSIONS)
    grant(reviewer, REVIEWER_EXTRA)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Reviewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_seed_acled_taxonomy"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
