"""An archive with something to hide: published incidents beside drafts, incidents in review,
a retracted one, a confidential source and a confidential person, people named only by drafts,
links to drafts and editors' notes, each carrying a marker string that must never reach the
public."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from incidents import models
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
)

SECRET_MARKERS = (
    "DRAFT-MARKER",
    "REVIEW-MARKER",
    "RETRACTED-MARKER",
    "INTERNAL-MARKER",
    "CONFIDENTIAL-OUTLET-MARKER",
    "CONFIDENTIAL-AUTHOR-MARKER",
    "CONFIDENTIAL-TITLE-MARKER",
    "confidential-url-marker",
    "CONFIDENTIAL-PERSON-MARKER",
    "confidential-person-slug",
    "DRAFT-PERSON-MARKER",
    "draft-person-slug",
)


@dataclass
class Archive:
    kidal: models.Incident
    gao: models.Incident
    bamako: models.Incident
    draft: models.Incident
    in_review: models.Incident
    retracted: models.Incident
    fama: models.Actor
    africa_corps: models.Actor
    fla: models.Actor
    hidden_actor: models.Actor
    afp: models.Source
    informant: models.Source
    hidden_source: models.Source
    spokesman: models.Person
    witness: models.Person
    draft_person: models.Person
    ambush_claim: models.Claim
    informant_claim: models.Claim

    @property
    def published(self) -> list[models.Incident]:
        return [self.kidal, self.gao, self.bamako]


def build_archive() -> Archive:
    fama = ActorFactory(name="Malian Armed Forces", slug="fama", kind=models.ActorKind.STATE_FORCES)
    africa_corps = ActorFactory(name="Africa Corps", slug="africa-corps", kind=models.ActorKind.EXTERNAL_OTHER)
    fla = ActorFactory(name="Azawad Liberation Front", slug="fla", internal_notes="INTERNAL-MARKER actor")
    models.ActorAlias.objects.create(actor=fla, name="جبهة تحرير أزواد", language="ar")
    hidden_actor = ActorFactory(name="DRAFT-MARKER militia", slug="draft-marker-militia")

    afp = SourceFactory(outlet="AFP", title="Convoy ambushed near Anefif", internal_notes="INTERNAL-MARKER source")
    informant = SourceFactory(
        kind=models.SourceKind.LOCAL_SOURCE,
        outlet="CONFIDENTIAL-OUTLET-MARKER",
        author="CONFIDENTIAL-AUTHOR-MARKER",
        title="CONFIDENTIAL-TITLE-MARKER",
        url="https://example.org/confidential-url-marker",
        confidential=True,
    )
    hidden_source = SourceFactory(outlet="DRAFT-MARKER gazette")

    kidal = IncidentFactory(
        published=True,
        title="Ambush of a logistics convoy on the Anefif–Aguelhok road",
        summary="A convoy was ambushed.",
        admin1="Kidal",
        fatalities_low=10,
        fatalities_best=15,
        fatalities_high=40,
        contested=True,
        tags=["convoy", "ambush"],
        internal_notes="INTERNAL-MARKER incident",
    )
    gao = IncidentFactory(
        published=True,
        title="Clash near Gao",
        admin1="Gao",
        start_date=datetime.date(2025, 5, 2),
        latitude=16.27,
        longitude=-0.04,
        fatalities_best=3,
    )
    bamako = IncidentFactory(
        published=True,
        title="Protest in Bamako",
        admin1="Bamako",
        start_date=datetime.date(2024, 11, 20),
        latitude=None,
        longitude=None,
        geo_precision=models.GeoPrecision.ADMIN1,
    )
    draft = IncidentFactory(title="DRAFT-MARKER incident", summary="DRAFT-MARKER summary")
    in_review = IncidentFactory(title="REVIEW-MARKER incident", status=models.Status.IN_REVIEW)
    retracted = IncidentFactory(
        title="RETRACTED-MARKER incident",
        status=models.Status.RETRACTED,
        retraction_notice="Withdrawn: the event was a duplicate.",
        retracted_at=timezone.now(),
    )

    IncidentActorFactory(incident=kidal, actor=fama, side=models.Side.A, role=models.Role.PRIMARY)
    IncidentActorFactory(incident=kidal, actor=africa_corps, side=models.Side.A, role=models.Role.SUPPORTING)
    IncidentActorFactory(incident=kidal, actor=fla, side=models.Side.B, role=models.Role.PRIMARY)
    IncidentActorFactory(incident=gao, actor=fama, side=models.Side.A)
    IncidentActorFactory(incident=draft, actor=hidden_actor, side=models.Side.A)

    models.IncidentSource.objects.create(incident=kidal, source=afp)
    spokesman = PersonFactory(
        name="Mohamed Maouloud Ramadan",
        slug="mohamed-maouloud-ramadan",
        description="Spokesman of the Azawad Liberation Front.",
        internal_notes="INTERNAL-MARKER person",
    )
    models.PersonAlias.objects.create(person=spokesman, name="Muhammad Maulud Ramadan", language="en")
    models.PersonAlias.objects.create(person=spokesman, name="محمد مولود رمضان", language="ar")
    models.PersonAffiliation.objects.create(person=spokesman, actor=fla, role="spokesman")
    # An actor seen only in a draft: the affiliation would reveal it.
    models.PersonAffiliation.objects.create(person=spokesman, actor=hidden_actor, role="DRAFT-MARKER adviser")
    witness = PersonFactory(
        name="CONFIDENTIAL-PERSON-MARKER", slug="confidential-person-slug", confidential=True,
        description="CONFIDENTIAL-PERSON-MARKER description",
    )  # fmt: skip
    models.PersonAlias.objects.create(person=witness, name="CONFIDENTIAL-PERSON-MARKER alias")
    draft_person = PersonFactory(name="DRAFT-PERSON-MARKER", slug="draft-person-slug")

    ambush_claim = ClaimFactory(
        incident=kidal,
        source=afp,
        speaker=spokesman,
        claimant=fla,
        losses_of=models.LossesOf.ACTOR,
        losses_actor=fama,
        quantity_low=10,
        quantity_high=40,
        quantity_text="several dozen",
        internal_notes="INTERNAL-MARKER claim",
    )
    # The informant repeats the FLA's claim: a second citation, on a date the public must not see.
    CitationFactory(
        claim=ambush_claim,
        source=informant,
        quote="Ils étaient plusieurs dizaines.",
        language="fr",
        translation="There were several dozen of them.",
        published_on=datetime.date(2025, 6, 14),
    )
    informant_claim = ClaimFactory(
        incident=kidal,
        source=informant,
        speaker=witness,
        quantity_low=15,
        quantity_high=15,
        quantity_text="around 15",
    )
    models.Citation.objects.filter(claim=informant_claim).update(speaker=witness)
    draft_claim = ClaimFactory(
        incident=draft, source=hidden_source, quote="DRAFT-MARKER quote", translation="DRAFT-MARKER translation"
    )
    models.Citation.objects.filter(claim=draft_claim).update(speaker=draft_person)
    ClaimFactory(incident=in_review, source=hidden_source, quote="REVIEW-MARKER quote", speaker=draft_person)
    # A link between two published incidents shows; a link to a draft does not.
    models.IncidentRelation.objects.create(subject=gao, kind=models.IncidentRelationKind.FOLLOW_ON, object=kidal)
    models.IncidentRelation.objects.create(
        subject=draft, kind=models.IncidentRelationKind.SAME_EVENT, object=kidal, note="DRAFT-MARKER link"
    )

    return Archive(
        kidal=kidal,
        gao=gao,
        bamako=bamako,
        draft=draft,
        in_review=in_review,
        retracted=retracted,
        fama=fama,
        africa_corps=africa_corps,
        fla=fla,
        hidden_actor=hidden_actor,
        afp=afp,
        informant=informant,
        hidden_source=hidden_source,
        spokesman=spokesman,
        witness=witness,
        draft_person=draft_person,
        ambush_claim=ambush_claim,
        informant_claim=informant_claim,
    )
