from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand

DEMO_ACCOUNTS = [
    ("editor", "Editor", "demo-editor-password"),
    ("reviewer", "Reviewer", "demo-reviewer-password"),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo editor and reviewer accounts and print their credentials."

    def handle(self, *args: object, **options: object) -> None:
        for username, group_name, password in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(f"Demo {group_name.lower()}: username {username!r}, password {password!r}")
