"""Explicit-field serializers for the public API.

Nothing here lists ``__all__``: a field reaches the public only when it is named below.
Confidential sources keep their id and kind; every identifying field is null, and so is the
date of a citation of one (its words stay). A confidential person is never named: where they speak
the API says only that someone whose identity is withheld did.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from incidents.changelog import PUBLIC_CORRECTIONS
from incidents.columns import INCIDENTS
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    Correction,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentSource,
    Person,
    PersonAffiliation,
    PersonAlias,
    Source,
)


class SelectableFieldsMixin:
    """Shows only the fields named in ``context["fields"]`` when there is one (the API's
    ``fields=``, validated by the view); nested serializers show all of theirs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.context.get("fields")
        if chosen is not None:
            for name in set(self.fields) - set(chosen):
                self.fields.pop(name)


class SourceSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(source="public_label", read_only=True, help_text="Public name of the source.")

    class Meta:
        model = Source
        fields = ("id", "kind", "name", "confidential", *Source.WITHHELD_FIELDS)
        extra_kwargs = {name: {"allow_null": True} for name in Source.WITHHELD_FIELDS}

    def to_representation(self, instance: Source) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.confidential:
            data.update(dict.fromkeys(name for name in Source.WITHHELD_FIELDS if name in data))
        return data


class ActorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ("id", "slug", "name", "kind")


class ActorAliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActorAlias
        fields = ("name", "language")


class ActorSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    aliases = ActorAliasSerializer(many=True, read_only=True)

    class Meta:
        model = Actor
        fields = ("id", "slug", "name", "kind", "country", "description", "aliases", "updated_at")


class ActorRelationSerializer(serializers.ModelSerializer):
    subject = ActorRefSerializer(read_only=True)
    object = ActorRefSerializer(read_only=True)

    class Meta:
        model = ActorRelation
        fields = ("subject", "kind", "object", "start_date", "end_date", "note")


class ActorDetailSerializer(ActorSerializer):
    relations = serializers.SerializerMethodField(help_text="Dated relations with other public actors.")

    class Meta(ActorSerializer.Meta):
        fields = (*ActorSerializer.Meta.fields, "relations")

    def get_relations(self, actor: Actor) -> list[dict]:
        relations = self.context["relations"]
        return ActorRelationSerializer(relations, many=True).data


class PersonRefSerializer(serializers.ModelSerializer):
    """Who spoke: their name and slug, or for a confidential person only that their identity is withheld."""

    name = serializers.CharField(source="public_name", read_only=True, help_text="The person's public name.")
    slug = serializers.SlugField(read_only=True, allow_null=True, help_text="Null when the identity is withheld.")

    class Meta:
        model = Person
        fields = ("name", "slug")

    def to_representation(self, instance: Person) -> dict[str, Any]:
        if instance.confidential:
            return {"name": instance.public_name, "slug": None}
        return super().to_representation(instance)


class CitationSerializer(serializers.ModelSerializer):
    """One report carrying a claim."""

    source = SourceSerializer(read_only=True)
    speaker = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Citation
        fields = ("id", "source", "quote", "language", "translation", "published_on", "speaker")
        extra_kwargs = {name: {"allow_null": True} for name in Citation.WITHHELD_FIELDS}

    def to_representation(self, instance: Citation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.source.confidential:
            data.update(dict.fromkeys(Citation.WITHHELD_FIELDS))
        return data


class ClaimSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    claimant = ActorRefSerializer(read_only=True, allow_null=True)
    speaker = PersonRefSerializer(read_only=True, allow_null=True)
    losses_actor = ActorRefSerializer(read_only=True, allow_null=True)
    responsible_actor = ActorRefSerializer(read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True, help_text="The reports carrying the claim.")

    class Meta:
        model = Claim
        fields = (
            "id",
            "incident",
            "kind",
            "losses_of",
            "losses_actor",
            "losses_note",
            "claimant",
            "speaker",
            "quantity_low",
            "quantity_high",
            "quantity_text",
            "part_of",
            "responsible_actor",
            "attribution",
            "movement",
            "place",
            "stance",
            "verification",
            "verification_note",
            "citations",
            "updated_at",
        )


class IncidentActorSerializer(serializers.ModelSerializer):
    actor = ActorRefSerializer(read_only=True)

    class Meta:
        model = IncidentActor
        fields = ("actor", "side", "role", "note")


class IncidentSourceSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = IncidentSource
        fields = ("source", "note")


class CorrectionSerializer(serializers.ModelSerializer):
    """An approved correction as the public reads it: when it was approved, and why."""

    date = serializers.DateTimeField(source="decided_at", read_only=True, help_text="When it was approved (UTC).")
    reason = serializers.CharField(read_only=True, help_text="Why the record changed, as its editor wrote it.")

    class Meta:
        model = Correction
        fields = ("date", "reason")


_CORRECTIONS_HELP = (
    "Approved corrections of the record since its publication, oldest first: each with the date it was "
    "approved and its public reason. Open or rejected proposals are never listed."
)


# The incident's own fields in the API (incidents.columns): in every list item, and in the detail only.
_INCIDENT_FIELDS = INCIDENTS.api_fields("list")
_INCIDENT_DETAIL_FIELDS = INCIDENTS.api_fields("detail")


class IncidentListSerializer(serializers.ModelSerializer):
    """The list item: the fields and their order. PostgreSQL writes the items (``incidents.listing``)."""

    event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    side_a = serializers.ListField(child=serializers.CharField(), help_text="Names of the actors on side A.")
    side_b = serializers.ListField(child=serializers.CharField(), help_text="Names of the actors on side B.")
    corrections = CorrectionSerializer(
        source=PUBLIC_CORRECTIONS, many=True, read_only=True, help_text=_CORRECTIONS_HELP
    )

    class Meta:
        model = Incident
        fields = (*_INCIDENT_FIELDS, "side_a", "side_b", "corrections")


class IncidentRelationSerializer(serializers.Serializer):
    """A link to another published incident, read from the incident at hand (``context["incident"]``)."""

    id = serializers.IntegerField(help_text="The other incident's id.")
    kind = serializers.ChoiceField(choices=IncidentRelation._meta.get_field("kind").choices)
    relation = serializers.CharField(help_text="How this incident relates to the other, e.g. 'was followed by'.")
    url = serializers.URLField(help_text="The other incident's public page.")
    note = serializers.CharField()

    def to_representation(self, relation: IncidentRelation) -> dict[str, Any]:
        incident = self.context["incident"]
        other = relation.other_end(incident)
        request = self.context.get("request")
        url = other.get_absolute_url()
        return {
            "id": other.pk,
            "kind": relation.kind,
            "relation": relation.label_from(incident),
            "url": request.build_absolute_uri(url) if request is not None else url,
            "note": relation.note,
        }


class IncidentDetailSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actors = IncidentActorSerializer(source="incident_actors", many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    sources = IncidentSourceSerializer(source="incident_sources", many=True, read_only=True)
    # Local wall-clock time without a UTC offset, so not an RFC 3339 "time".
    time_of_day = serializers.CharField(
        read_only=True, allow_null=True, help_text="Local time it began (HH:MM:SS), if reported."
    )
    related_incidents = serializers.SerializerMethodField(help_text="Links to other published incidents.")
    corrections = CorrectionSerializer(
        source=PUBLIC_CORRECTIONS, many=True, read_only=True, help_text=_CORRECTIONS_HELP
    )

    class Meta:
        model = Incident
        fields = (
            *_INCIDENT_FIELDS,
            *_INCIDENT_DETAIL_FIELDS,
            "actors",
            "claims",
            "sources",
            "related_incidents",
            "corrections",
        )

    @extend_schema_field(IncidentRelationSerializer(many=True))
    def get_related_incidents(self, incident: Incident) -> list[dict[str, Any]]:
        """The relations in ``context["relations"]`` (``IncidentRelation.objects.public_of``)."""
        context = {**self.context, "incident": incident}
        return IncidentRelationSerializer(self.context["relations"], many=True, context=context).data


class RetractionSerializer(serializers.ModelSerializer):
    merged_into = serializers.IntegerField(
        source="public_merged_into",
        read_only=True,
        allow_null=True,
        help_text="For a duplicate merged into another incident: that incident's id.",
    )

    class Meta:
        model = Incident
        fields = ("id", "retracted_at", "retraction_notice", "merged_into")


class PersonAliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonAlias
        fields = ("name", "language")


class PersonAffiliationSerializer(serializers.ModelSerializer):
    actor = ActorRefSerializer(read_only=True)

    class Meta:
        model = PersonAffiliation
        fields = ("actor", "role", "start_date", "end_date")


class PersonSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    """A person who speaks in published claims; affiliations only to actors that are public too."""

    aliases = PersonAliasSerializer(many=True, read_only=True, help_text="Other spellings and transliterations.")
    affiliations = PersonAffiliationSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ("id", "slug", "name", "description", "aliases", "affiliations", "updated_at")


class GeoJSONPointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[longitude, latitude] (RFC 7946)."
    )


class GeoJSONFeatureSerializer(serializers.Serializer):
    """The shape ``incidents.geojson`` writes for one incident (documentation for the schema)."""

    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = GeoJSONPointSerializer(allow_null=True, help_text="Null when the incident has no coordinates.")
    properties = serializers.DictField(help_text="The incident's fields, as in the JSON output.")


@extend_schema_serializer(many=False)
class GeoJSONFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = GeoJSONFeatureSerializer(many=True)
    count = serializers.IntegerField(min_value=0, help_text="How many incidents the filters select (a foreign member).")
    count_is_estimate = serializers.BooleanField(help_text="Whether count is the database's estimate.")
    links = serializers.ListField(
        child=serializers.DictField(), help_text="A 'next' link while more pages follow (a foreign member)."
    )
