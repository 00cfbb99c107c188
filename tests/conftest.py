from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editor"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", groups=["Reviewer"])


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="reviewer2", groups=["Reviewer"])


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client
