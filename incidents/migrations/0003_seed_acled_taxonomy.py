from django.db import migrations
from django.utils.text import slugify

# ACLED's 6 event types and their 25 sub-event types, as this migration seeds them.
ACLED_EVENT_TYPES: dict[str, list[str]] = {
    "Battles": [
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ],
    "Explosions/Remote violence": [
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ],
    "Violence against civilians": [
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ],
    "Protests": [
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ],
    "Riots": [
        "Violent demonstration",
        "Mob violence",
    ],
    "Strategic developments": [
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ],
}


def seed(apps, schema_editor):
    EventType = apps.get_model("incidents", "EventType")
    SubEventType = apps.get_model("incidents", "SubEventType")
    for name, sub_names in ACLED_EVENT_TYPES.items():
        event_type, _ = EventType.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        for sub_name in sub_names:
            # "Other" exists under one type only today, but slugs must stay unique if that changes.
            slug = slugify(sub_name) if sub_name != "Other" else f"{event_type.slug}-other"
            SubEventType.objects.get_or_create(slug=slug, defaults={"name": sub_name, "event_type": event_type})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_incident_permissions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
