"""The reconciliation's reasons, side labels and the list's filter labels in French and Arabic;
what is stored or written to files stays English."""

from __future__ import annotations

import pytest
from django.utils import translation

from incidents import models, reconcile
from incidents.columns import INCIDENTS
from incidents.filters import IncidentFilter
from tests.factories import ActorFactory, ClaimFactory, IncidentActorFactory, IncidentFactory, SourceFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _language_restored():
    # A request's LocaleMiddleware leaves its language active in the thread: later tests assert English.
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def disputed() -> models.Incident:
    """FLA (side A) admits 3 of its own dead, the army says 20 of them died; the army and the UN
    mission agree on 7 civilians; an informant's report of the army's losses gives no number."""
    incident = IncidentFactory(published=True)
    fla, army, un = ActorFactory(name="FLA"), ActorFactory(name="Army"), ActorFactory(name="UN mission")
    IncidentActorFactory(incident=incident, actor=fla, side=models.Side.A)
    IncidentActorFactory(incident=incident, actor=army, side=models.Side.B)
    own = {"losses_of": models.LossesOf.ACTOR, "losses_actor": fla}
    ClaimFactory(
        incident=incident,
        claimant=fla,
        stance=models.Stance.ACKNOWLEDGEMENT,
        quantity_low=3,
        quantity_high=3,
        quantity_text="",
        **own,
    )
    ClaimFactory(incident=incident, claimant=army, quantity_low=20, quantity_high=20, quantity_text="", **own)
    civilians = {"losses_of": models.LossesOf.CIVILIANS, "quantity_low": 7, "quantity_high": 7, "quantity_text": ""}
    ClaimFactory(incident=incident, claimant=army, **civilians)
    ClaimFactory(incident=incident, claimant=un, **civilians)
    ClaimFactory(
        incident=incident,
        source=SourceFactory(kind=models.SourceKind.LOCAL_SOURCE, confidential=True),
        losses_of=models.LossesOf.ACTOR,
        losses_actor=army,
        quantity_low=None,
        quantity_high=None,
        quantity_text="",
    )
    return incident


def page(client, incident: models.Incident, language: str) -> str:
    response = client.get(incident.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_it_explains_the_proposal_in_english_by_default(client, disputed):
    body = page(client, disputed, "en")

    assert "Floor of 3: FLA acknowledged 3 of its own dead." in body
    assert "Contested: Army: 20 cannot be reconciled with FLA: 3." in body
    assert "Corroborated by 2 independent claims (Army, UN mission): their figures agree." in body
    assert "Listed but not counted Local source, identity withheld: no number: it gives no number." in body
    assert "(counts for: Side A)" in body
    assert "All parties" in body


def test_a_french_reader_reads_the_reasons_and_sides_in_french(client, disputed):
    body = page(client, disputed, "fr")

    assert f"Plancher de 3{NBSP}: FLA a reconnu 3 morts dans ses propres rangs." in body
    assert f"Contesté{NBSP}: Army{NBSP}: 20 est inconciliable avec FLA{NBSP}: 3." in body
    assert f"Corroboré par 2 revendications indépendantes (Army, UN mission){NBSP}: leurs chiffres concordent." in body
    assert (
        f"Mentionnée sans être comptée (Source locale, identité protégée{NBSP}: aucun nombre){NBSP}: "
        "elle ne donne aucun chiffre." in body
    )
    assert "Camp A)" in body and "Toutes les parties" in body
    assert "Floor of" not in body and "their figures agree" not in body and "(counts for: Side A)" not in body


def test_an_arabic_reader_reads_the_reasons_and_sides_in_arabic_with_the_dual(client, disputed):
    body = page(client, disputed, "ar")

    assert 'dir="rtl"' in body
    assert "الحد الأدنى 3: أقرّ FLA بمقتل 3 من عناصره." in body
    # Two claims: the Arabic dual, not the plural.
    assert "معزَّز بادعاءين مستقلين (Army، UN mission): رقماهما متوافقان." in body
    assert "متنازع عليه: لا يمكن التوفيق بين Army: 20 وFLA: 3." in body
    assert "الطرف أ)" in body and "جميع الأطراف" in body
    assert "Floor of" not in body and "All parties" not in body


def test_the_claims_counted_follow_each_languages_plural_forms(disputed):
    claims = [reconcile.facts_from_claim(c) for c in disputed.claims.select_related("claimant", "losses_actor")]
    civilians = [c for c in claims if c.group == reconcile.CIVILIANS]
    one = civilians[:1]
    expected = {
        "en": ("Counted 1 claim(s): Army: 7.", "Counted 2 claim(s): Army: 7; UN mission: 7."),
        "fr": (
            f"1 revendication prise en compte{NBSP}: Army{NBSP}: 7.",
            f"2 revendications prises en compte{NBSP}: Army{NBSP}: 7 ; UN mission{NBSP}: 7.",
        ),
        "ar": ("احتُسب ادعاء واحد: Army: 7.", "احتُسب ادعاءان: Army: 7؛ UN mission: 7."),
    }
    for language, (single, double) in expected.items():
        with translation.override(language):
            assert reconcile.estimate_group(reconcile.CIVILIANS, "", one).reasons[0] == single
            assert reconcile.estimate_group(reconcile.CIVILIANS, "", civilians).reasons[0] == double


def test_the_rationale_that_accepting_the_proposal_stores_is_english_whatever_the_language(disputed):
    claims = disputed.claims.select_related("claimant", "losses_actor").prefetch_related("citations__source")
    links = [(link.actor_id, link.side) for link in disputed.incident_actors.all()]
    with translation.override("en"):
        english = reconcile.propose_for_claims(claims, links)
    with translation.override("ar"):
        arabic = reconcile.propose_for_claims(claims, links)

        rationale = arabic.rationale()

    assert arabic.total.reasons != english.total.reasons
    assert rationale == " ".join(english.total.reasons)
    assert rationale.startswith("The total adds up the groups: Civilians 7, FLA 12.")


def test_the_sort_orders_filter_labels_and_change_log_labels_are_translated(client):
    response = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="fr")
    body = response.content.decode()
    assert "Bilan le plus lourd d’abord" in body and "Most fatalities first" not in body

    with translation.override("ar"):
        form = IncidentFilter({}).form
        assert str(form.fields["actor_a"].label) == "جهة فاعلة في الطرف أ"
        logged = {column.name: str(column.changelog.label) for column in INCIDENTS.columns if column.changelog}
        assert logged["deaths_a_low"] == "القتلى في الطرف أ (التقدير الأدنى)"
    with translation.override("fr"):
        assert str(form.fields["fatalities_min"].label) == "Morts, au moins"
        assert IncidentFilter({"fatalities_min": "-1"}).form.errors["fatalities_min"] == [
            "Un nombre entier de 0 à 2147483647."
        ]
