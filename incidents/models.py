"""The archive's domain: incidents, the event taxonomy, actors, sources and claims.

QuerySets come first: each public read starts from one of their methods, so the
rules of what the public may see live in exactly one place.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents.history import tracked
from incidents.search_document import SEARCH_DOCUMENT_SQL, TsvectorField

# Help texts and labels are translated lazily, in the language of the page that shows them.
StrOrPromise = str | Promise

# --- Vocabularies ----------------------------------------------------------------------------


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class TimePrecision(models.TextChoices):
    """How the time of day was reported: a clock time (exact or approximate), a part of the day, or none."""

    NONE = "", _("Not reported")
    EXACT = "exact", _("At")
    AROUND = "around", _("Around")
    DAWN = "dawn", _("At dawn")
    EARLY_MORNING = "early_morning", _("Early morning")
    MORNING = "morning", _("In the morning")
    MIDDAY = "midday", _("Around midday")
    AFTERNOON = "afternoon", _("In the afternoon")
    EVENING = "evening", _("In the evening")
    NIGHT = "night", _("At night")


# The precisions that carry a clock time; the others name a part of the day, or nothing.
CLOCK_TIME_PRECISIONS = (TimePrecision.EXACT, TimePrecision.AROUND)


class GeoPrecision(models.TextChoices):
    EXACT = "exact", _("Exact location")
    NEAR = "near", _("Near the named place")
    ADMIN2 = "admin2", _("Second-order administrative area")
    ADMIN1 = "admin1", _("First-order administrative area (region)")
    COUNTRY = "country", _("Country only")


class Grading(models.TextChoices):
    """How strong the evidence is overall (the Airwars scale)."""

    CONFIRMED = "confirmed", _("Confirmed")
    FAIR = "fair", _("Fair")
    WEAK = "weak", _("Weak")
    CONTESTED = "contested", _("Contested")
    DISCOUNTED = "discounted", _("Discounted")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class ActorKind(models.TextChoices):
    """ACLED's eight actor categories."""

    STATE_FORCES = "state_forces", _("State forces")
    REBEL_GROUP = "rebel_group", _("Rebel group")
    POLITICAL_MILITIA = "political_militia", _("Political militia")
    IDENTITY_MILITIA = "identity_militia", _("Identity militia")
    RIOTERS = "rioters", _("Rioters")
    PROTESTERS = "protesters", _("Protesters")
    CIVILIANS = "civilians", _("Civilians")
    EXTERNAL_OTHER = "external_other", _("External/other forces")


class RelationKind(models.TextChoices):
    SUCCESSOR_OF = "successor_of", _("is the successor of")
    PART_OF = "part_of", _("is part of")
    SUPPORTED_BY = "supported_by", _("is supported by")
    COMMANDED_BY = "commanded_by", _("is commanded by")
    ALLIED_WITH = "allied_with", _("is allied with")


class Side(models.TextChoices):
    A = "A", _("Side A")
    B = "B", _("Side B")


class Role(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    ASSOCIATED = "associated", _("Associated")
    SUPPORTING = "supporting", _("Supporting")


class SourceKind(models.TextChoices):
    NEWS_AGENCY = "news_agency", _("News agency")
    NEWS_OUTLET = "news_outlet", _("News outlet")
    PARTY_STATEMENT = "party_statement", _("Statement by a party to the conflict")
    GOVERNMENT_STATEMENT = "government_statement", _("Government or military statement")
    NGO_REPORT = "ngo_report", _("NGO report")
    SOCIAL_MEDIA = "social_media", _("Social media post or video")
    EXPERT = "expert", _("Expert")
    LOCAL_SOURCE = "local_source", _("Local source")
    DATASET = "dataset", _("Event dataset (e.g. ACLED)")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    """Source reliability on the Admiralty scale."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class ClaimKind(models.TextChoices):
    FATALITIES = "fatalities", _("Fatalities")
    INJURIES = "injuries", _("Injuries")
    DETAINED = "detained", _("Detained or abducted")
    MATERIEL_DESTROYED = "materiel_destroyed", _("Materiel destroyed")
    MATERIEL_DAMAGED = "materiel_damaged", _("Materiel damaged")
    MATERIEL_CAPTURED = "materiel_captured", _("Materiel captured")
    TERRITORY = "territory", _("Territory or position")
    RESPONSIBILITY = "responsibility", _("Responsibility")
    OCCURRENCE = "occurrence", _("Occurrence")
    OTHER = "other", _("Other")


class LossesOf(models.TextChoices):
    ACTOR = "actor", _("An actor")
    CIVILIANS = "civilians", _("Civilians")
    MIXED = "mixed", _("Several groups")
    UNKNOWN = "unknown", _("Unknown or unspecified")


# The kinds of claim whose figures reconciliation turns into estimates.
RECONCILED_KINDS = (ClaimKind.FATALITIES, ClaimKind.INJURIES)


class Stance(models.TextChoices):
    ASSERTION = "assertion", _("Assertion")
    DENIAL = "denial", _("Denial")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    DECLINED = "declined", _("Declined to comment / no response")


class Attribution(models.TextChoices):
    """How firmly a responsibility claim ties the act to the actor it names."""

    CLAIMED = "claimed", _("Claimed (by the actor itself)")
    ATTRIBUTED = "attributed", _("Attributed")
    SUSPECTED = "suspected", _("Suspected")
    SUPPOSED = "supposed", _("Supposed to belong to")


class Movement(models.TextChoices):
    """What a territory or position claim says a force did."""

    TOOK_CONTROL = "took_control", _("Took control of")
    WITHDREW = "withdrew", _("Withdrew from")
    RETREATED_TO = "retreated_to", _("Retreated to")
    HELD = "held", _("Held")


class IncidentRelationKind(models.TextChoices):
    """<subject> <kind> <object>; each kind reads the other way round too (``INVERSE_LABELS``)."""

    FOLLOW_ON = "follow_on", _("is a follow-on to")
    SAME_EVENT = "same_event", _("reports the same event as")
    PART_OF = "part_of", _("is part of the wider operation")


INCIDENT_RELATION_INVERSE_LABELS = {
    IncidentRelationKind.FOLLOW_ON: _("was followed by"),
    IncidentRelationKind.SAME_EVENT: _("reports the same event as"),
    IncidentRelationKind.PART_OF: _("includes"),
}


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    CORROBORATED = "corroborated", _("Corroborated")
    DISPUTED = "disputed", _("Disputed")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUTED = "refuted", _("Refuted")


# Statuses in which an incident has never been public, so deleting it loses nothing published.
DELETABLE_STATUSES = (Status.DRAFT, Status.IN_REVIEW)


class TextLanguage(models.TextChoices):
    """The interface's languages, in which an incident's title and summary may be written or translated."""

    EN = "en", _("English")
    FR = "fr", _("French")
    AR = "ar", _("Arabic")


class EstimateMethod(models.TextChoices):
    NONE = "", _("No estimate yet")
    PROPOSAL = "proposal", _("Figures computed from the claims, accepted")
    OVERRIDE = "override", _("Editors' override")


# --- QuerySets: the one place that decides visibility ------------------------------------


class IncidentQuerySet(models.QuerySet):
    def published(self) -> IncidentQuerySet:
        """Incidents the public may list, count, search and export."""
        return self.filter(status=Status.PUBLISHED)

    def with_public_page(self) -> IncidentQuerySet:
        """Incidents with a public page: published ones, and retracted ones as their notice."""
        return self.filter(status__in=[Status.PUBLISHED, Status.RETRACTED])

    def retracted(self) -> IncidentQuerySet:
        """Retracted incidents: their ids and dates are public so mirrors can delete them."""
        return self.filter(status=Status.RETRACTED)

    def once_published(self) -> IncidentQuerySet:
        """Incidents the public has seen: published, retracted, or published once and moved since.

        Changes to these are public knowledge; changes to the others (drafts, first reviews)
        must not show in anything the public can observe, response times included.
        """
        return self.filter(published_at__isnull=False)

    def deletable(self) -> IncidentQuerySet:
        """Incidents that may still be deleted: once published, an incident is retracted instead, and
        a correction's draft goes by withdrawing its correction."""
        return self.filter(status__in=DELETABLE_STATUSES, revision_of__isnull=True)

    def for_list(self) -> IncidentQuerySet:
        return self.select_related("event_type", "sub_event_type")

    def for_detail(self) -> IncidentQuerySet:
        return self.select_related("event_type", "sub_event_type").prefetch_related(
            models.Prefetch(
                "incident_actors",
                queryset=IncidentActor.objects.select_related("actor").order_by("side", "role", "actor__name"),
            ),
            models.Prefetch(
                "claims",
                queryset=Claim.objects.select_related("claimant", "losses_actor", "responsible_actor", "speaker")
                .prefetch_related(
                    models.Prefetch(
                        "citations", queryset=Citation.objects.select_related("source", "speaker").order_by("pk")
                    )
                )
                .order_by("kind", "losses_of", "losses_actor__name", "pk"),
            ),
            models.Prefetch(
                "incident_sources",
                queryset=IncidentSource.objects.select_related("source").order_by("source__published_on", "pk"),
            ),
        )


def _has_published_link(model: type[models.Model], field: str, ref: str = "pk") -> IsNull:
    """True when a ``model`` row points at this row through ``field`` from a published incident.

    A scalar subquery with LIMIT 1 rather than EXISTS: inside an OR, PostgreSQL turns EXISTS
    into a hash over every link of every published incident (millions of rows), while this
    form stops at the first link and lets an ordered, limited list stop after one page.
    """
    links = model.objects.filter(**{field: OuterRef(ref), "incident__status": Status.PUBLISHED})
    first = links.order_by().values("pk")[:1]
    return IsNull(Subquery(first), False)


def _involvement(ref: str = "pk") -> Q:
    """The actor named by ``ref`` takes part in a published incident, as a party or in a claim."""
    return (
        Q(_has_published_link(IncidentActor, "actor", ref))
        | Q(_has_published_link(Claim, "claimant", ref))
        | Q(_has_published_link(Claim, "losses_actor", ref))
        | Q(_has_published_link(Claim, "responsible_actor", ref))
    )


class ActorQuerySet(models.QuerySet):
    def published(self) -> ActorQuerySet:
        """Actors that appear in a published incident, as a party or in a claim, and the actors
        related to them. Every test is correlated to the actor at hand, so checking a few
        actors never evaluates the whole actor table."""
        return self.filter(
            _involvement()
            | Exists(ActorRelation.objects.filter(Q(subject=OuterRef("pk")) & _involvement("object")))
            | Exists(ActorRelation.objects.filter(Q(object=OuterRef("pk")) & _involvement("subject")))
        )

    def involved_in(self, incidents: models.QuerySet) -> ActorQuerySet:
        """Actors that are a party to, claim about, or lose in one of ``incidents``."""
        ids = incidents.order_by().values("pk")
        return self.filter(
            Exists(IncidentActor.objects.filter(actor=OuterRef("pk"), incident__in=ids))
            | Exists(Claim.objects.filter(claimant=OuterRef("pk"), incident__in=ids))
            | Exists(Claim.objects.filter(losses_actor=OuterRef("pk"), incident__in=ids))
            | Exists(Claim.objects.filter(responsible_actor=OuterRef("pk"), incident__in=ids))
        )


class ActorRelationQuerySet(models.QuerySet):
    def public(self) -> ActorRelationQuerySet:
        """Relations whose two ends are public (a relation to an actor seen in no published
        incident would reveal that actor)."""
        public = Actor.objects.published()
        return self.filter(subject__in=public, object__in=public)

    def public_of(self, actor: Actor) -> ActorRelationQuerySet:
        """The public relations of ``actor``."""
        return self.filter(Q(subject=actor) | Q(object=actor)).public().select_related("subject", "object")


def _has_published_citation(field: str, ref: str = "pk") -> IsNull:
    """True when a citation of a claim of a published incident points at this row through ``field``."""
    links = Citation.objects.filter(**{field: OuterRef(ref), "claim__incident__status": Status.PUBLISHED})
    return IsNull(Subquery(links.order_by().values("pk")[:1]), False)


class SourceQuerySet(models.QuerySet):
    def published(self) -> SourceQuerySet:
        """Sources cited by a published incident (confidential ones are redacted on output)."""
        return self.filter(Q(_has_published_link(IncidentSource, "source")) | Q(_has_published_citation("source")))

    def matching_public_text(self, text: str) -> SourceQuerySet:
        """Sources whose outlet or title contains ``text``: never a confidential one, which
        would be found by the very words it withholds."""
        return self.filter(Q(outlet__icontains=text) | Q(title__icontains=text), confidential=False)

    def cited_by(self, incidents: models.QuerySet) -> SourceQuerySet:
        """Sources cited by one of ``incidents``, directly or through a claim's citation."""
        ids = incidents.order_by().values("pk")
        return self.filter(
            Exists(IncidentSource.objects.filter(source=OuterRef("pk"), incident__in=ids))
            | Exists(Citation.objects.filter(source=OuterRef("pk"), claim__incident__in=ids))
        )


class PersonQuerySet(models.QuerySet):
    def speaking(self) -> PersonQuerySet:
        """People a published incident names as speaking (in a claim or a citation), confidential
        ones included: their words are public, their identity is withheld."""
        return self.filter(Q(_has_published_link(Claim, "speaker")) | Q(_has_published_citation("speaker")))

    def public(self) -> PersonQuerySet:
        """People the public may see: never a confidential one, and only once a published incident
        names them as speaking, so a draft's people stay unseen."""
        return self.filter(confidential=False).speaking()


class ClaimQuerySet(models.QuerySet):
    def published(self) -> ClaimQuerySet:
        return self.filter(incident__status=Status.PUBLISHED)

    def of_incidents(self, incidents: models.QuerySet) -> ClaimQuerySet:
        return self.filter(incident__in=incidents.order_by().values("pk"))

    def for_list(self) -> ClaimQuerySet:
        return self.select_related(
            "incident", "claimant", "losses_actor", "responsible_actor", "speaker"
        ).prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.select_related("source", "speaker").order_by("pk"))
        )


class CitationQuerySet(models.QuerySet):
    def published(self) -> CitationQuerySet:
        return self.filter(claim__incident__status=Status.PUBLISHED)

    def of_incidents(self, incidents: models.QuerySet) -> CitationQuerySet:
        return self.filter(claim__incident__in=incidents.order_by().values("pk"))


class IncidentRelationQuerySet(models.QuerySet):
    def public(self) -> IncidentRelationQuerySet:
        """Relations whose two ends are both published."""
        return self.filter(subject__status=Status.PUBLISHED, object__status=Status.PUBLISHED)

    def public_of(self, incident: Incident) -> IncidentRelationQuerySet:
        """The public relations of ``incident``."""
        return self.filter(Q(subject=incident) | Q(object=incident)).public().select_related("subject", "object")


# --- Taxonomy ------------------------------------------------------------------------------


class EventType(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text=_("Event type, e.g. 'Battles'."))
    slug = models.SlugField(max_length=100, unique=True, help_text=_("Stable identifier used in URLs and exports."))
    description = models.TextField(blank=True, help_text=_("What incidents of this type have in common."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SubEventType(models.Model):
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.PROTECT,
        related_name="sub_event_types",
        help_text=_("The event type this sub-type belongs to."),
    )
    name = models.CharField(max_length=100, help_text=_("Sub-event type, e.g. 'Armed clash'."))
    slug = models.SlugField(max_length=100, unique=True, help_text=_("Stable identifier used in URLs and exports."))
    description = models.TextField(blank=True, help_text=_("What distinguishes this sub-type."))

    class Meta:
        ordering = ["event_type__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event_type", "name"], name="subeventtype_unique_name_per_type"),
            # Target of the composite foreign key that ties an incident's sub-type to its type.
            models.UniqueConstraint(fields=["id", "event_type"], name="subeventtype_id_event_type"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type.name}: {self.name}"


# --- Actors --------------------------------------------------------------------------------


@tracked()
class Actor(models.Model):
    name = models.CharField(max_length=200, help_text=_("Name the archive uses for this actor."))
    slug = models.SlugField(max_length=200, unique=True, help_text=_("Stable identifier used in the actor's URL."))
    kind = models.CharField(max_length=32, choices=ActorKind.choices, help_text=_("ACLED actor category."))
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 code of the actor's home country; empty for transnational actors."),
    )
    description = models.TextField(blank=True, help_text=_("Neutral, public description of the actor."))
    internal_notes = models.TextField(blank=True, help_text=_("Editors only; never shown to the public."))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"), name="actor_country_iso"),
        ]
        indexes = [
            GinIndex(fields=["name"], name="actor_name_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["slug"], name="actor_slug_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["kind"], name="actor_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actor-detail", kwargs={"slug": self.slug})


@tracked()
class ActorAlias(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text=_("Another name, acronym or spelling, in any script."))
    language = models.CharField(
        max_length=16, blank=True, help_text=_("BCP 47 language tag of the alias, e.g. 'fr', 'ar', 'ru'.")
    )

    class Meta:
        ordering = ["actor", "name"]
        verbose_name_plural = _("actor aliases")
        constraints = [models.UniqueConstraint(fields=["actor", "name"], name="alias_unique_per_actor")]
        indexes = [GinIndex(fields=["name"], name="alias_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.name


@tracked()
class ActorRelation(models.Model):
    """A dated relation: <subject> <kind> <object>, e.g. Africa Corps is the successor of Wagner."""

    subject = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="relations_out")
    kind = models.CharField(max_length=32, choices=RelationKind.choices)
    object = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="relations_in")
    start_date = models.DateField(null=True, blank=True, help_text=_("When the relation began, if known."))
    end_date = models.DateField(null=True, blank=True, help_text=_("When it ended; empty while it holds."))
    note = models.TextField(blank=True, help_text=_("Public note on the relation and its evidence."))

    objects = ActorRelationQuerySet.as_manager()

    class Meta:
        ordering = ["subject__name", "kind"]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=models.F("object")), name="relation_not_reflexive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="relation_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "object", "start_date"],
                name="relation_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()} {self.object}"


# --- Sources -------------------------------------------------------------------------------


@tracked()
class Source(models.Model):
    kind = models.CharField(max_length=32, choices=SourceKind.choices, help_text=_("What kind of source this is."))
    outlet = models.CharField(max_length=200, blank=True, help_text=_("Outlet, publisher or issuing body."))
    title = models.CharField(max_length=500, blank=True, help_text=_("Headline or title of the item."))
    author = models.CharField(max_length=200, blank=True, help_text=_("Author, or the person speaking."))
    url = models.URLField(max_length=1000, blank=True, help_text=_("Where the item was published."))
    archived_url = models.URLField(max_length=1000, blank=True, help_text=_("A web archive copy of the item."))
    published_on = models.DateField(null=True, blank=True, help_text=_("Publication date."))
    language = models.CharField(max_length=16, blank=True, help_text=_("BCP 47 language tag, e.g. 'en', 'fr'."))
    reliability = models.CharField(
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.F,
        help_text=_("Reliability of the source on the Admiralty scale (A best, F cannot be judged)."),
    )
    confidential = models.BooleanField(
        default=False,
        help_text=_(
            "Protect the source's identity: the public, the API and exports see only its kind. "
            "Unticking it asks a reviewer to make the source public."
        ),
    )
    disclosure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False, help_text=_("Who asked for this confidential source to be made public."),
    )  # fmt: skip
    disclosure_requested_at = models.DateTimeField(
        "asked to be made public",
        null=True,
        blank=True,
        editable=False,
        help_text=_("When it was asked; empty when nobody is asking."),
    )
    internal_notes = models.TextField(blank=True, help_text=_("Editors only; never shown to the public."))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "outlet"]
        indexes = [
            models.Index(fields=["kind"], name="source_kind_idx"),
            GinIndex(fields=["outlet"], name="source_outlet_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            # A request to make a record public is pending only while the record is confidential.
            models.CheckConstraint(
                condition=Q(disclosure_requested_at__isnull=True) | Q(confidential=True),
                name="source_disclosure_request_confidential",
            ),
        ]

    # The fields that name a source. For a confidential one the public sees none of them (pages,
    # API, exports), and erase_source_identity removes them from the data and its history.
    IDENTITY_FIELDS = ("outlet", "title", "author", "url", "archived_url")
    # What the public does not see of a confidential source: its identity, and the details that
    # could single it out among few (when it spoke, in which language, how reliable it is).
    WITHHELD_FIELDS = (*IDENTITY_FIELDS, "published_on", "language", "reliability")
    # The fields the editors' label is made of, in order; the public label names only the kind.
    LABEL_FIELDS = ("outlet", "author", "title")
    WITHHELD = "identity withheld"

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("source-detail", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        """The editors' name for the source; use ``public_label`` anywhere the public can see."""
        parts = [p for p in (getattr(self, name) for name in self.LABEL_FIELDS) if p]
        return " — ".join(parts) or self.get_kind_display()

    @property
    def public_label(self) -> str:
        if self.confidential:
            # In the reader's language; files name it in English (withheld_label, cells.source_public_label).
            return gettext("%(kind)s, identity withheld") % {"kind": self.get_kind_display()}
        return self.label

    @classmethod
    def withheld_label(cls, kind_label: str) -> str:
        """How the public pages and exports name a confidential source, given its kind's label."""
        return f"{kind_label}, {cls.WITHHELD}"


# --- People --------------------------------------------------------------------------------


@tracked()
class Person(models.Model):
    """Someone who speaks in the reporting: a spokesman, an official, an expert, a witness."""

    name = models.CharField(max_length=200, help_text=_("Name the archive uses for this person."))
    slug = models.SlugField(max_length=200, unique=True, help_text=_("Stable identifier used in the person's URL."))
    description = models.TextField(blank=True, help_text=_("Neutral, public description, e.g. 'Sahel expert'."))
    confidential = models.BooleanField(
        default=False,
        help_text=_(
            "Protect the person's identity: the public, the API and exports never see them, "
            "only that someone whose identity is withheld spoke. "
            "Unticking it asks a reviewer to make the person public."
        ),
    )
    disclosure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False, help_text=_("Who asked for this confidential person to be made public."),
    )  # fmt: skip
    disclosure_requested_at = models.DateTimeField(
        "asked to be made public",
        null=True,
        blank=True,
        editable=False,
        help_text=_("When it was asked; empty when nobody is asking."),
    )
    internal_notes = models.TextField(blank=True, help_text=_("Editors only; never shown to the public."))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    WITHHELD = "identity withheld"

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("people")
        indexes = [GinIndex(fields=["name"], name="person_name_trgm", opclasses=["gin_trgm_ops"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(disclosure_requested_at__isnull=True) | Q(confidential=True),
                name="person_disclosure_request_confidential",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person-detail", kwargs={"slug": self.slug})

    @property
    def public_name(self) -> str:
        return f"A person, {self.WITHHELD}" if self.confidential else self.name


@tracked()
class PersonAlias(models.Model):
    """Another spelling or transliteration of a person's name (Muhammad Maulud Ramadan)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text=_("Another spelling, transliteration or name, in any script."))
    language = models.CharField(
        max_length=16, blank=True, help_text=_("BCP 47 language tag of the spelling, e.g. 'fr', 'ar'.")
    )

    class Meta:
        ordering = ["person", "name"]
        verbose_name_plural = _("person aliases")
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="person_alias_unique")]
        indexes = [GinIndex(fields=["name"], name="person_alias_name_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.name


@tracked()
class PersonAffiliation(models.Model):
    """A person's tie to an actor, over dates: the FLA's spokesman, an army officer."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="affiliations")
    role = models.CharField(max_length=200, blank=True, help_text=_("The person's role, e.g. 'spokesman'."))
    start_date = models.DateField(null=True, blank=True, help_text=_("When the affiliation began, if known."))
    end_date = models.DateField(null=True, blank=True, help_text=_("When it ended; empty while it holds."))

    class Meta:
        ordering = ["person", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="affiliation_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["person", "actor", "role", "start_date"], name="affiliation_unique", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        role = f"{self.role}, " if self.role else ""
        return f"{self.person}: {role}{self.actor}"


# --- Incidents -----------------------------------------------------------------------------


# Each estimate is a (low, best, high) triple of columns named <prefix>_low, _best and _high: the
# total deaths first, then UCDP's per-side deaths, then the injured.
ESTIMATE_PREFIXES = (
    "fatalities",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "injuries",
)


def _estimate_field(help_text: StrOrPromise) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(null=True, blank=True, help_text=help_text)


def _ordered_estimate(prefix: str, name: str = "") -> list[models.CheckConstraint]:
    """low <= best <= high for one estimate triple, each bound checked only when both are set."""
    name = name or f"incident_{prefix}"
    pairs = (("low", "best"), ("best", "high"), ("low", "high"))
    return [
        models.CheckConstraint(
            condition=Q(**{f"{prefix}_{a}__isnull": True})
            | Q(**{f"{prefix}_{b}__isnull": True})
            | Q(**{f"{prefix}_{a}__lte": models.F(f"{prefix}_{b}")}),
            name=f"{name}_{a}_le_{b}",
        )
        for a, b in pairs
    ]


def _link_version() -> models.PositiveIntegerField:
    """Optimistic locking for a row edited inside the incident's form, so that deleting it checks
    the version too; bulk inserts that do not name the column get the first version."""
    return models.PositiveIntegerField(default=1, db_default=1, editable=False)


@tracked(exclude=["search_document"])
class Incident(models.Model):
    """One violent event. Its primary key is the stable public identifier; ids are never reused."""

    title = models.CharField(max_length=300, help_text=_("Short, neutral title naming the place and what happened."))
    summary = models.TextField(blank=True, help_text=_("Neutral public summary; attribute contested facts to claims."))
    # The title and summary in the reader's language: editors' translations, shown instead of the
    # original when present (incidents.templatetags.archive_i18n). Plain fields, so history,
    # corrections and imports treat them like any other. Database defaults: bulk inserts omit them.
    text_language = models.CharField(
        max_length=2,
        choices=TextLanguage.choices,
        default=TextLanguage.EN,
        db_default=TextLanguage.EN.value,
        help_text=_("The language the title and summary are written in."),
    )
    title_en = models.CharField(
        max_length=300, blank=True, default="", db_default="", help_text=_("The title translated into English.")
    )
    summary_en = models.TextField(
        blank=True, default="", db_default="", help_text=_("The summary translated into English.")
    )
    title_fr = models.CharField(
        max_length=300, blank=True, default="", db_default="", help_text=_("The title translated into French.")
    )
    summary_fr = models.TextField(
        blank=True, default="", db_default="", help_text=_("The summary translated into French.")
    )
    title_ar = models.CharField(
        max_length=300, blank=True, default="", db_default="", help_text=_("The title translated into Arabic.")
    )
    summary_ar = models.TextField(
        blank=True, default="", db_default="", help_text=_("The summary translated into Arabic.")
    )
    start_date = models.DateField(help_text=_("First day of the incident (or of the period, see precision)."))
    end_date = models.DateField(help_text=_("Last day; the same as the start for a one-day incident."))
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How precisely the date is known."),
    )
    time_of_day = models.TimeField(null=True, blank=True, help_text=_("Local time it began, if reported."))
    time_precision = models.CharField(
        max_length=16,
        choices=TimePrecision.choices,
        default=TimePrecision.NONE,
        blank=True,
        db_default="",
        help_text=_(
            "How the time was reported: a clock time ('at 10:20', 'around 10:20') or a part of the day "
            "('at dawn'), which leaves the time empty."
        ),
    )
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2 country code, e.g. 'ML' for Mali."))
    admin1 = models.CharField(max_length=100, blank=True, help_text=_("First-order administrative area (region)."))
    admin2 = models.CharField(max_length=100, blank=True, help_text=_("Second-order administrative area (cercle)."))
    location = models.CharField(
        max_length=200, blank=True, help_text=_("Named place or road, e.g. 'Anefif–Aguelhok road'.")
    )
    latitude = models.FloatField(null=True, blank=True, help_text=_("WGS 84 latitude in decimal degrees."))
    longitude = models.FloatField(null=True, blank=True, help_text=_("WGS 84 longitude in decimal degrees."))
    geo_precision = models.CharField(
        max_length=8,
        choices=GeoPrecision.choices,
        default=GeoPrecision.ADMIN1,
        help_text=_("How precisely the coordinates locate the incident."),
    )
    # Served by the incident_type_date and incident_subtype indexes.
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,
        help_text=_("ACLED-style event type."),
    )
    sub_event_type = models.ForeignKey(
        SubEventType,
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,
        help_text=_("Sub-event type; must belong to the event type."),
    )
    fatalities_low = models.PositiveIntegerField(null=True, blank=True, help_text=_("Lowest credible total of deaths."))
    fatalities_best = models.PositiveIntegerField(null=True, blank=True, help_text=_("The archive's best estimate."))
    fatalities_high = models.PositiveIntegerField(null=True, blank=True, help_text=_("Highest credible total."))
    fatalities_high_open = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("The highest figure is open-ended: a claim gives only a lower figure ('more than 50')."),
    )
    deaths_a_low = _estimate_field(_("Lowest credible deaths on side A."))
    deaths_a_best = _estimate_field(_("Best estimate of deaths on side A."))
    deaths_a_high = _estimate_field(_("Highest credible deaths on side A."))
    deaths_b_low = _estimate_field(_("Lowest credible deaths on side B."))
    deaths_b_best = _estimate_field(_("Best estimate of deaths on side B."))
    deaths_b_high = _estimate_field(_("Highest credible deaths on side B."))
    deaths_civilians_low = _estimate_field(_("Lowest credible civilian deaths."))
    deaths_civilians_best = _estimate_field(_("Best estimate of civilian deaths."))
    deaths_civilians_high = _estimate_field(_("Highest credible civilian deaths."))
    deaths_unknown_low = _estimate_field(_("Lowest credible deaths on no known side (or several at once)."))
    deaths_unknown_best = _estimate_field(_("Best estimate of deaths on no known side (or several at once)."))
    deaths_unknown_high = _estimate_field(_("Highest credible deaths on no known side (or several at once)."))
    injuries_low = _estimate_field(_("Lowest credible total of injured."))
    injuries_best = _estimate_field(_("Best estimate of the injured."))
    injuries_high = _estimate_field(_("Highest credible total of injured."))
    estimate_stale = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text=_(
            "Claims changed after the estimate was accepted or overridden (set by the database); "
            "cleared when editors accept or override again."
        ),
    )
    fatalities_method = models.CharField(
        max_length=8,
        choices=EstimateMethod.choices,
        default=EstimateMethod.NONE,
        blank=True,
        help_text=_("Whether the estimate is the archive's proposal as accepted, or an editors' override."),
    )
    fatalities_rationale = models.TextField(
        blank=True, help_text=_("Public explanation of the estimate; required for an override.")
    )
    contested = models.BooleanField(
        default=False, help_text=_("Credible claims about the losses do not agree (set from the reconciliation).")
    )
    grading = models.CharField(
        max_length=12,
        choices=Grading.choices,
        default=Grading.WEAK,
        help_text=_("Overall strength of the evidence."),
    )
    tags = ArrayField(
        models.SlugField(max_length=50),
        default=list,
        blank=True,
        help_text=_("Comma-separated lower-case tags, e.g. 'convoy,ied'."),
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        editable=False,
        help_text=_("The incident this duplicate was merged into; its id redirects there."),
    )
    revision_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
        editable=False,
        help_text=_("The published incident this draft corrects; applied onto it once a reviewer approves."),
    )
    retraction_notice = models.TextField(
        blank=True, help_text=_("Public notice shown in place of a retracted incident.")
    )
    internal_notes = models.TextField(blank=True, help_text=_("Editors only; never shown to the public."))
    # A database default too: the bulk import's INSERT names its columns.
    confidential_wording_confirmed = models.TextField(
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_(
            "Public wording that names a confidential source, confirmed as deliberate by a reviewer "
            "(one 'where: wording' a line); anything else naming one stops submission and publication."
        ),
    )
    import_key = models.CharField(
        max_length=100,
        blank=True,
        help_text=_(
            "Key of the row this incident was imported from (e.g. 'ACLED:MLI12345'); "
            "claims files may refer to the incident by it. Unique when set."
        ),
    )

    # Who did what: read with the incident, never searched by, so not indexed (every index
    # costs every write; removing a user scans for their incidents once).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False,
    )  # fmt: skip
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False,
    )  # fmt: skip
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False,
    )  # fmt: skip
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Optimistic locking: a save must name the version it was based on.
    version = models.PositiveIntegerField(default=1, editable=False)

    search_document = TsvectorField(SEARCH_DOCUMENT_SQL)

    actors = models.ManyToManyField(Actor, through="IncidentActor", related_name="incidents")
    sources = models.ManyToManyField(Source, through="IncidentSource", related_name="incidents")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        permissions = [
            ("submit_incident", "Can submit an incident for review"),
            ("publish_incident", "Can publish and retract incidents"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="incident_end_after_start"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="incident_country_iso"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90), name="incident_latitude"
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="incident_longitude",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_coordinates_paired",
            ),
            *_ordered_estimate("fatalities", "incident_fatalities"),
            *(constraint for prefix in ESTIMATE_PREFIXES[1:] for constraint in _ordered_estimate(prefix)),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status=Status.RETRACTED), name="incident_merged_is_retracted"
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="incident_not_merged_into_itself"),
            models.CheckConstraint(
                condition=Q(time_of_day__isnull=True) | Q(time_precision__in=CLOCK_TIME_PRECISIONS),
                name="incident_time_has_clock_precision",
            ),
            models.CheckConstraint(
                condition=Q(time_of_day__isnull=False) | ~Q(time_precision__in=CLOCK_TIME_PRECISIONS),
                name="incident_clock_precision_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(fatalities_method=EstimateMethod.OVERRIDE) | ~Q(fatalities_rationale=""),
                name="incident_override_has_rationale",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RETRACTED) | ~Q(retraction_notice=""),
                name="incident_retraction_has_notice",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="incident_published_has_date",
            ),
            models.UniqueConstraint(
                fields=["import_key"], condition=~Q(import_key=""), name="incident_import_key_unique"
            ),
            # A correction's draft is never public itself: the reviewer's approval applies it onto
            # the published incident. One open correction per incident at a time.
            models.CheckConstraint(
                condition=Q(revision_of__isnull=True)
                | Q(status__in=DELETABLE_STATUSES, published_at__isnull=True, import_key=""),
                name="incident_revision_never_public",
            ),
            models.UniqueConstraint(
                fields=["revision_of"], condition=Q(revision_of__isnull=False), name="incident_one_open_revision"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-start_date", "-id"], name="incident_status_date"),
            # The editors' list shows every status, newest first, and its date drill-down reads min/max.
            models.Index(fields=["-start_date", "-id"], name="incident_date"),
            models.Index(fields=["country", "start_date"], name="incident_country_date"),
            models.Index(fields=["event_type", "start_date"], name="incident_type_date"),
            models.Index(fields=["sub_event_type"], name="incident_subtype"),
            models.Index(fields=["admin1"], name="incident_admin1"),
            models.Index(fields=["grading"], name="incident_grading"),
            models.Index(fields=["fatalities_best"], name="incident_fatalities_best"),
            # The public list sorted by fatalities, unknown figures last in both directions; the
            # ascending index read backwards also serves PostgreSQL's default descending order.
            models.Index(
                models.F("fatalities_best").desc(nulls_last=True),
                models.F("id").desc(),
                name="incident_pub_fatalities_desc",
                condition=Q(status=Status.PUBLISHED),
            ),
            models.Index(
                fields=["fatalities_best", "id"], name="incident_pub_fatalities", condition=Q(status=Status.PUBLISHED)
            ),
            models.Index(fields=["contested"], name="incident_contested", condition=Q(contested=True)),
            # The public data stamp: the newest change to a once-published incident, read at the
            # top of this index whatever the drafts do.
            models.Index(
                fields=["updated_at"], name="incident_public_updated", condition=Q(published_at__isnull=False)
            ),
            GinIndex(fields=["tags"], name="incident_tags"),
            GinIndex(fields=["search_document"], name="incident_search"),
            GinIndex(fields=["location"], name="incident_location_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incident-detail", kwargs={"pk": self.pk})

    @property
    def is_deletable(self) -> bool:
        return self.status in DELETABLE_STATUSES and self.revision_of_id is None

    @property
    def is_revision(self) -> bool:
        return self.revision_of_id is not None


@tracked()
class IncidentActor(models.Model):
    """An actor's part in an incident: ACLED's actor1/actor2 are side A/B, primary role."""

    # Both foreign keys are served by the composite indexes below.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="incident_actors", db_index=False)
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="incident_actors", db_index=False)
    side = models.CharField(max_length=1, choices=Side.choices, help_text=_("Which side of the incident."))
    role = models.CharField(
        max_length=12,
        choices=Role.choices,
        default=Role.PRIMARY,
        help_text=_("Primary party, associated actor, or supporting force."),
    )
    note = models.CharField(max_length=300, blank=True, help_text=_("Public note on the actor's part."))
    version = _link_version()

    class Meta:
        ordering = ["side", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "actor", "side"], name="incident_actor_unique")]
        indexes = [models.Index(fields=["actor", "incident"], name="incident_actor_by_actor")]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_side_display()}, {self.get_role_display()})"


@tracked()
class IncidentSource(models.Model):
    # Both foreign keys are served by the composite indexes below.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="incident_sources", db_index=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="incident_sources", db_index=False)
    note = models.CharField(max_length=300, blank=True, help_text=_("Public note on what this source contributes."))
    version = _link_version()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "source"], name="incident_source_unique")]
        indexes = [models.Index(fields=["source", "incident"], name="incident_source_by_source")]

    def __str__(self) -> str:
        return str(self.source)


@tracked()
class Claim(models.Model):
    """One attributed statement about one incident: who said what, where, and how sure we are."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        help_text=_("The actor asserting it, when not the reporting outlet itself (e.g. the FLA, carried by AFP)."),
    )
    speaker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text=_("The person who made the statement, if named (e.g. the FLA's spokesman)."),
    )
    kind = models.CharField(max_length=20, choices=ClaimKind.choices, help_text=_("What the claim is about."))
    losses_of = models.CharField(
        max_length=10,
        choices=LossesOf.choices,
        default=LossesOf.UNKNOWN,
        help_text=_("Whose losses the claim concerns."),
    )
    losses_actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_about_losses",
        help_text=_("The actor whose losses these are (only when 'whose losses' is an actor)."),
    )
    quantity_low = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Lowest number the wording allows; empty when no number is given.")
    )
    quantity_high = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Highest number the wording allows; empty when open-ended ('more than ten')."),
    )
    losses_note = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Who the losses are, in the claim's words, e.g. 'mostly drivers and guards'; "
            "required when the claim concerns several groups."
        ),
    )
    quantity_text = models.CharField(
        max_length=200, blank=True, help_text=_("The verbatim wording of the quantity, e.g. 'several dozen'.")
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sub_counts",
        help_text=_(
            "When this figure counts part of another claim's (armoured vehicles among the vehicles "
            "destroyed): that claim. A sub-count never conflicts with its whole."
        ),
    )
    responsible_actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_of_responsibility",
        help_text=_("For a responsibility claim: the actor held responsible."),
    )
    attribution = models.CharField(
        max_length=12,
        choices=Attribution.choices,
        blank=True,
        help_text=_("For a responsibility claim: how firmly the act is tied to that actor."),
    )
    movement = models.CharField(
        max_length=16,
        choices=Movement.choices,
        blank=True,
        help_text=_("For a territory or position claim: what the force did."),
    )
    place = models.CharField(
        max_length=200, blank=True, help_text=_("The place the claim names, e.g. where a force withdrew to.")
    )
    stance = models.CharField(
        max_length=16, choices=Stance.choices, default=Stance.ASSERTION, help_text=_("What the claimant does.")
    )
    verification = models.CharField(
        max_length=12,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        help_text=_("How far the archive has verified the claim."),
    )
    verification_note = models.TextField(blank=True, help_text=_("Public note on the verification status."))
    internal_notes = models.TextField(blank=True, help_text=_("Editors only; never shown to the public."))
    # Served by the partial claim_revises index below.
    revises = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
        help_text=_("In a correction's draft: the published claim this copy revises (empty for a new claim)."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_high__isnull=True)
                | Q(quantity_low__isnull=False, quantity_low__lte=models.F("quantity_high")),
                name="claim_quantity_low_le_high",
            ),
            models.CheckConstraint(
                condition=Q(losses_of=LossesOf.ACTOR, losses_actor__isnull=False)
                | (~Q(losses_of=LossesOf.ACTOR) & Q(losses_actor__isnull=True)),
                name="claim_losses_actor_iff_actor",
            ),
            models.CheckConstraint(
                condition=~Q(losses_of=LossesOf.MIXED) | ~Q(losses_note=""), name="claim_mixed_losses_described"
            ),
            models.CheckConstraint(
                condition=Q(responsible_actor__isnull=True) | Q(kind=ClaimKind.RESPONSIBILITY),
                name="claim_responsible_actor_only_for_responsibility",
            ),
            models.CheckConstraint(
                condition=Q(responsible_actor__isnull=True, attribution="")
                | Q(responsible_actor__isnull=False) & ~Q(attribution=""),
                name="claim_attribution_iff_responsible_actor",
            ),
            models.CheckConstraint(
                condition=Q(movement="") | Q(kind=ClaimKind.TERRITORY), name="claim_movement_only_for_territory"
            ),
            models.CheckConstraint(condition=~Q(part_of=models.F("id")), name="claim_not_part_of_itself"),
            # Target of the composite foreign key that keeps a sub-count on its whole's incident.
            models.UniqueConstraint(fields=["id", "incident"], name="claim_id_incident"),
        ]
        indexes = [
            models.Index(fields=["kind"], name="claim_kind_idx"),
            models.Index(fields=["revises"], name="claim_revises", condition=Q(revises__isnull=False)),
        ]

    def __str__(self) -> str:
        wording = self.quantity_text or self.get_kind_display()
        who = self.claimant or self.speaker
        return f"{who}: {wording}" if who else wording

    @property
    def losses_label(self) -> str:
        if self.losses_of == LossesOf.ACTOR and self.losses_actor_id:
            return self.losses_actor.name
        if self.losses_of == LossesOf.MIXED and self.losses_note:
            return gettext("%(kind)s: %(whose)s") % {"kind": self.get_losses_of_display(), "whose": self.losses_note}
        return self.get_losses_of_display()


@tracked()
class Citation(models.Model):
    """One report carrying a claim: the outlet, its words, their language and the editor's translation.

    A claim relayed by three outlets is one claim with three citations, and counts once.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    # Served by the citation_by_source index below.
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        db_index=False,
        help_text=_("The report carrying it."),
    )
    speaker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citations",
        help_text=_("The person quoted in this report, when the report names someone other than the claim's speaker."),
    )
    quote = models.TextField(blank=True, help_text=_("The exact quotation, in this report's words and language."))
    language = models.CharField(max_length=16, blank=True, help_text=_("BCP 47 language tag of the quotation."))
    translation = models.TextField(blank=True, help_text=_("The editor's translation of the quotation into English."))
    published_on = models.DateField(null=True, blank=True, help_text=_("When this report carried the claim."))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CitationQuerySet.as_manager()

    # What the public does not see of a citation whose source is confidential: when that source
    # spoke, as for the source itself (Source.WITHHELD_FIELDS). The words stay, and so does their
    # language, which the words show anyway and which pages need to render them.
    WITHHELD_FIELDS = ("published_on",)

    class Meta:
        ordering = ["claim", "pk"]
        constraints = [models.UniqueConstraint(fields=["claim", "source"], name="citation_unique_per_claim")]
        indexes = [models.Index(fields=["source", "claim"], name="citation_by_source")]

    def __str__(self) -> str:
        return f"{self.source}: {self.claim}"


@tracked()
class IncidentRelation(models.Model):
    """A typed link between two incidents: <subject> <kind> <object>, shown from both ends."""

    subject = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(max_length=16, choices=IncidentRelationKind.choices)
    object = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="relations_in")
    note = models.CharField(max_length=300, blank=True, help_text=_("Public note on the link."))
    version = _link_version()

    objects = IncidentRelationQuerySet.as_manager()

    class Meta:
        ordering = ["subject", "kind", "object"]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=models.F("object")), name="incident_relation_not_reflexive"),
            models.UniqueConstraint(fields=["subject", "kind", "object"], name="incident_relation_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.subject_id} {self.get_kind_display()} #{self.object_id}"

    def label_from(self, incident: Incident) -> str:
        """The relation as read from ``incident``'s end."""
        if incident.pk == self.subject_id:
            return self.get_kind_display()
        return INCIDENT_RELATION_INVERSE_LABELS[IncidentRelationKind(self.kind)]

    def other_end(self, incident: Incident) -> Incident:
        return self.object if incident.pk == self.subject_id else self.subject


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CorrectionQuerySet(models.QuerySet):
    def public(self) -> CorrectionQuerySet:
        """Approved corrections of incidents with a public page: their date and reason are public."""
        return self.filter(status=CorrectionStatus.APPROVED, incident__status__in=[Status.PUBLISHED, Status.RETRACTED])

    def open(self) -> CorrectionQuerySet:
        return self.filter(status=CorrectionStatus.OPEN)


@tracked()
class Correction(models.Model):
    """A change to an incident the public has seen, proposed by one person and approved by another.

    A correction of a published incident is edited as a draft copy (``revision``: the incident,
    its claims, citations, actor and source links and relations), which the approval applies onto
    the published record. A correction of a retracted incident proposes a new public notice.
    The record stays once decided, with the changes as they were then.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="corrections")
    # Protected: a correction's draft goes only by its correction being decided or withdrawn.
    revision = models.OneToOneField(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        editable=False,
        help_text=_("The draft copy being edited, while the correction is open."),
    )
    reason = models.TextField(
        help_text=_("Public: why the record changes, e.g. 'Date corrected after the army's statement of 15 June'.")
    )
    notice = models.TextField(blank=True, help_text=_("For a retracted incident: the new public notice proposed."))
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN, editable=False
    )
    base_version = models.PositiveIntegerField(
        editable=False, help_text=_("The incident's version when the correction was proposed.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        db_index=False,
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejection_reason = models.TextField(blank=True, editable=False, help_text=_("Why the reviewer rejected it."))
    changes = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text=_("The changes as they stood when the correction was decided."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
            models.CheckConstraint(
                condition=Q(status=CorrectionStatus.OPEN, decided_at__isnull=True)
                | ~Q(status=CorrectionStatus.OPEN) & Q(decided_at__isnull=False, revision__isnull=True),
                name="correction_decided_iff_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status=CorrectionStatus.REJECTED) | ~Q(rejection_reason=""),
                name="correction_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(revision__isnull=True) | Q(notice=""), name="correction_revision_or_notice"
            ),
            models.UniqueConstraint(
                fields=["incident"], condition=Q(status=CorrectionStatus.OPEN), name="correction_one_open_per_incident"
            ),
        ]

    def __str__(self) -> str:
        return f"Correction {self.pk} to #{self.incident_id}"


class FacetSnapshot(models.Model):
    """The facet counts of a result set too large to count on each visit (the whole archive,
    at a million incidents), counted without a time budget by ``count_facets`` and shown, with
    their date, when the counts are out of reach."""

    key = models.CharField(max_length=64, unique=True, help_text=_("Digest of the filter parameters."))
    params = models.JSONField(default=dict, help_text=_("The filter parameters, as the URL gives them."))
    stamp = models.CharField(
        max_length=64, help_text=_("The newest change to an incident the public has seen, when counted.")
    )
    counted_at = models.DateTimeField()
    # Choice labels in the counts are translatable (lazy) strings: the encoder writes them as text.
    counts = models.JSONField(encoder=DjangoJSONEncoder)

    def __str__(self) -> str:
        return f"Facet counts of {self.params or 'every published incident'} at {self.counted_at:%Y-%m-%d %H:%M}"
