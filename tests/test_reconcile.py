"""The reconciliation rules, on hand-made claims and edge cases."""

from __future__ import annotations

import pytest
from django.utils import translation

from incidents import services
from incidents.models import (
    ESTIMATE_PREFIXES,
    ClaimKind,
    EstimateMethod,
    Incident,
    LossesOf,
    Side,
    Stance,
    Verification,
)
from incidents.reconcile import ClaimFacts, actor_sides, conflicting_pair, corroboration, estimate_group, propose
from incidents.services import ESTIMATE_FIELDS, proposal_estimate
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
)


@pytest.fixture(autouse=True)
def _english():
    # The reasons are asserted in English, whatever language an earlier test's request left active.
    with translation.override("en"):
        yield


def claim(low, high=None, *, group="actor:1", label="FLA", claimant="Army", same=True, **kwargs) -> ClaimFacts:
    if same and high is None and low is not None:
        high = low
    return ClaimFacts(group=group, group_label=label, claimant=claimant, low=low, high=high, **kwargs)


def test_no_claims_proposes_nothing():
    proposal = propose([])
    assert proposal.total.low is None and proposal.total.best is None and proposal.total.high is None
    assert not proposal.contested
    assert "no estimate" in " ".join(proposal.total.reasons).lower()


def test_one_claim_is_its_own_estimate():
    estimate = estimate_group("actor:1", "FLA", [claim(10, wording="10 enemy combatants")])
    assert (estimate.low, estimate.best, estimate.high) == (10, 10, 10)
    assert not estimate.contested


def test_an_explicit_zero_is_an_estimate_of_zero():
    estimate = estimate_group("civilians", "Civilians", [claim(0, wording="no civilian was hurt")])
    assert (estimate.low, estimate.best, estimate.high) == (0, 0, 0)
    assert estimate.has_numbers


def test_an_open_ended_claim_gives_a_floor_and_an_open_high():
    estimate = estimate_group("actor:1", "FLA", [claim(11, None, same=False, wording="more than ten")])
    assert (estimate.low, estimate.best, estimate.high) == (11, 11, 11)
    assert estimate.high_open
    assert any("open" in reason for reason in estimate.reasons)


def test_an_unquantified_claim_is_listed_but_not_counted():
    estimate = estimate_group("civilians", "Civilians", [claim(None, wording="all")])
    assert estimate.low is None
    assert any("gives no number" in reason and "“all”" in reason for reason in estimate.reasons)


def test_refuted_claims_are_ignored():
    estimate = estimate_group(
        "actor:1", "FLA", [claim(10), claim(500, verification=Verification.REFUTED, claimant="A blog")]
    )
    assert (estimate.low, estimate.high) == (10, 10)
    assert any("refuted" in reason for reason in estimate.reasons)


def test_acknowledged_own_losses_are_a_floor():
    estimate = estimate_group(
        "actor:1",
        "FLA",
        [claim(3, stance=Stance.ACKNOWLEDGEMENT, claimant="FLA", claimant_key="actor:1"), claim(1, claimant="Locals")],
    )
    assert estimate.low == 3
    assert estimate.best >= 3
    assert "Floor of 3: FLA acknowledged 3 of its own dead." in estimate.reasons


def test_acknowledging_someone_elses_losses_sets_no_floor():
    # The army acknowledges that FLA fighters died: an acknowledgement, but not of its own losses.
    estimate = estimate_group(
        "actor:1",
        "FLA",
        [claim(3, stance=Stance.ACKNOWLEDGEMENT, claimant="Army", claimant_key="actor:2"), claim(1, claimant="Locals")],
    )
    assert (estimate.low, estimate.high) == (1, 3)
    assert not any("Floor" in reason for reason in estimate.reasons)


def test_claims_that_cannot_both_be_true_make_a_group_contested():
    # The seed story: the army says 10 FLA fighters died; the FLA admits 3.
    estimate = estimate_group(
        "actor:1",
        "FLA",
        [
            claim(10, claimant="Malian army", claimant_key="actor:2"),
            claim(3, claimant="FLA", claimant_key="actor:1", stance=Stance.ACKNOWLEDGEMENT),
        ],
    )
    assert estimate.contested
    assert (estimate.low, estimate.high) == (3, 10)
    assert any("Contested" in reason for reason in estimate.reasons)


def test_overlapping_claims_are_not_contested():
    estimate = estimate_group("actor:1", "FLA", [claim(5, 12, same=False), claim(10, 15, same=False)])
    assert not estimate.contested
    assert (estimate.low, estimate.high) == (5, 15)


def test_a_disputed_claim_alone_does_not_make_a_group_contested():
    estimate = estimate_group("actor:1", "FLA", [claim(5), claim(50, verification=Verification.DISPUTED)])
    assert not estimate.contested
    assert estimate.high == 50


def test_the_best_estimate_prefers_confirmed_claims():
    estimate = estimate_group(
        "actor:1", "FLA", [claim(2), claim(40), claim(12, verification=Verification.CONFIRMED, claimant="UN")]
    )
    assert estimate.best == 12
    assert (estimate.low, estimate.high) == (2, 40)


def test_the_total_adds_the_groups_and_inherits_contest():
    proposal = propose(
        [
            claim(10, claimant="Army"),
            claim(3, claimant="FLA", claimant_key="actor:1", stance=Stance.ACKNOWLEDGEMENT),
            claim(24, None, same=False, group="actor:2", label="Africa Corps", claimant="FLA"),
            claim(13, 17, same=False, group="unknown", label="Unknown", claimant="FLA"),
        ]
    )
    assert [g.label for g in proposal.groups] == ["Africa Corps", "FLA", "Unknown"]
    total = proposal.total
    assert total.low == 3 + 24 + 13
    assert total.high == 10 + 24 + 17
    assert total.contested
    assert any("same people" in reason for reason in total.reasons)


def test_other_kinds_of_claim_do_not_enter_the_estimate():
    proposal = propose([claim(21, kind=ClaimKind.MATERIEL_DESTROYED)])
    assert proposal.groups == []
    assert proposal.total.low is None


def test_a_refusal_to_comment_moves_nothing():
    estimate = estimate_group(
        "actor:1", "FLA", [claim(4, claimant="Locals"), claim(None, claimant="Army", stance=Stance.DECLINED)]
    )
    assert (estimate.low, estimate.best, estimate.high) == (4, 4, 4)
    assert "Listed but not counted Army: no number: the claimant declined to comment." in estimate.reasons


def test_a_sub_count_is_not_counted_on_its_own_and_never_conflicts_with_its_whole():
    whole = claim(30, claimant="Army", claim_id=1, group="unknown", label="Unknown")
    # "among them 12 civilians": fewer than the whole, and about a part of it.
    part = claim(12, claimant="Army", claim_id=2, part_of=1, group="unknown", label="Unknown")
    proposal = propose([whole, part])
    (group,) = proposal.groups
    assert (group.low, group.best, group.high) == (30, 30, 30)
    assert not group.contested
    assert any("Not counted on its own" in reason and "another claim's figure" in reason for reason in group.reasons)
    assert conflicting_pair([whole, part]) is None
    # Without the link the same two figures cannot both be the whole: they conflict.
    assert conflicting_pair([whole, claim(12, claimant="Army", group="unknown")]) is not None


def test_a_sub_count_of_other_claims_is_never_flagged_for_materiel_either():
    vehicles = claim(21, kind=ClaimKind.MATERIEL_DESTROYED, claimant="FLA", claim_id=7, wording="21 vehicles")
    armoured = claim(4, kind=ClaimKind.MATERIEL_DESTROYED, claimant="FLA", part_of=7, wording="armoured among them")
    assert conflicting_pair([vehicles, armoured]) is None
    assert corroboration([vehicles, armoured]) == 0


def test_two_independent_claims_with_one_figure_corroborate():
    army = claim(10, claimant="Malian army", origin="actor:2")
    un = claim(10, claimant="UN mission", origin="actor:3")
    estimate = estimate_group("actor:1", "FLA", [army, un])
    assert estimate.corroborated_by == 2
    assert "Corroborated by 2 independent claims (Malian army, UN mission): their figures agree." in estimate.reasons
    assert (estimate.low, estimate.best, estimate.high) == (10, 10, 10)


def test_two_claims_by_one_claimant_or_conflicting_claims_do_not_corroborate():
    monday = claim(10, claimant="Malian army", origin="actor:2")
    tuesday = claim(10, claimant="Malian army", origin="actor:2")
    assert estimate_group("actor:1", "FLA", [monday, tuesday]).corroborated_by == 0
    other = claim(40, claimant="UN mission", origin="actor:3")
    conflicted = estimate_group("actor:1", "FLA", [monday, other])
    assert conflicted.contested and conflicted.corroborated_by == 0
    assert not any("Corroborated" in reason for reason in conflicted.reasons)


def test_a_claim_about_several_groups_is_a_group_of_its_own_counted_once_under_unknown():
    drivers = claim(5, group="mixed", label="Several groups", claimant="Transport union", wording="five killed")
    fla = claim(3, group="actor:1", label="FLA", claimant="FLA")
    proposal = propose([drivers, fla], sides={"actor:1": "B"})
    assert [g.label for g in proposal.groups] == ["FLA", "Several groups"]
    mixed = proposal.groups[1]
    assert (mixed.low, mixed.best, mixed.high) == (5, 5, 5)
    assert mixed.side == "deaths_unknown"
    assert any("forms its own group and counts once" in r and "under unknown" in r for r in mixed.reasons)
    assert proposal.total.best == 8  # five once, not once per group it names
    sides = {side.group: side.best for side in proposal.sides}
    assert sides == {"deaths_a": None, "deaths_b": 3, "deaths_civilians": None, "deaths_unknown": 5}
    assert any("several groups at once" in reason for reason in proposal.total.reasons)


def test_groups_count_for_the_side_their_actor_is_on_and_the_sides_add_up():
    proposal = propose(
        [
            claim(10, group="actor:1", label="FLA", claimant="Army"),
            claim(20, 30, same=False, group="actor:2", label="Army", claimant="FLA"),
            claim(4, group="actor:3", label="Africa Corps", claimant="FLA"),
            claim(2, group="actor:4", label="Militia on both sides", claimant="FLA"),
            claim(3, group="actor:5", label="Bystander group", claimant="FLA"),
            claim(6, group="civilians", label="Civilians", claimant="UN"),
            claim(51, None, same=False, group="unknown", label="Unknown", claimant="FLA"),
        ],
        sides=actor_sides([(1, "B"), (2, "A"), (3, "A"), (4, "A"), (4, "B")]),
    )
    sides = {side.group: (side.low, side.best, side.high, side.high_open) for side in proposal.sides}
    assert sides["deaths_a"] == (24, 29, 34, False)
    assert sides["deaths_b"] == (10, 10, 10, False)
    assert sides["deaths_civilians"] == (6, 6, 6, False)
    # The actor on both sides and the actor on neither count under unknown, with the unknown dead.
    assert sides["deaths_unknown"] == (56, 56, 56, True)
    total = proposal.total
    assert (total.low, total.best, total.high) == tuple(
        sum(side[i] for side in sides.values() if side[i] is not None) for i in range(3)
    )
    assert total.high_open
    estimate = proposal_estimate(proposal)
    assert estimate["fatalities_high_open"] is True
    assert (estimate["deaths_a_low"], estimate["deaths_a_best"], estimate["deaths_a_high"]) == (24, 29, 34)
    assert estimate["deaths_unknown_best"] == 56


def test_a_responsibility_claim_moves_no_estimate():
    claimed = claim(12, kind=ClaimKind.RESPONSIBILITY, claimant="JNIM", wording="killed 12 soldiers")
    proposal = propose([claimed])
    assert proposal.groups == [] and proposal.total.low is None
    with_deaths = propose([claimed, claim(4, claimant="Army")])
    assert (with_deaths.total.low, with_deaths.total.best, with_deaths.total.high) == (4, 4, 4)


def test_injuries_reconcile_like_deaths_into_their_own_proposal():
    injured = [
        claim(8, kind=ClaimKind.INJURIES, claimant="Army", claimant_key="actor:2", group="actor:2", label="Army"),
        claim(20, kind=ClaimKind.INJURIES, claimant="FLA", claimant_key="actor:1", group="actor:2", label="Army"),
        claim(
            5,
            kind=ClaimKind.INJURIES,
            claimant="Army",
            claimant_key="actor:2",
            group="actor:2",
            label="Army",
            stance=Stance.ACKNOWLEDGEMENT,
        ),
    ]
    proposal = propose([*injured, claim(3, claimant="FLA")])
    assert (proposal.total.low, proposal.total.best, proposal.total.high) == (3, 3, 3)
    injuries = proposal.injuries
    (army,) = injuries.groups
    # The same rules: the army's acknowledged 5 is a floor, its 8 and the FLA's 20 conflict.
    assert (army.low, army.best, army.high) == (5, 8, 20)
    assert army.contested
    assert "Floor of 5: Army acknowledged 5 of its own injured." in army.reasons
    assert (injuries.total.low, injuries.total.best, injuries.total.high) == (5, 8, 20)
    assert not proposal.contested  # the deaths' contest is the deaths' own
    estimate = proposal_estimate(proposal)
    assert (estimate["injuries_low"], estimate["injuries_best"], estimate["injuries_high"]) == (5, 8, 20)
    assert "The injured:" in estimate["fatalities_rationale"]


def test_no_injury_claims_propose_no_injured():
    proposal = propose([claim(3)])
    assert proposal.injuries.groups == [] and proposal.injuries.total.low is None
    assert "No injury claim gives a number" in proposal.injuries.total.reasons[0]


def test_the_estimate_fields_cover_every_triple_and_the_open_high():
    for prefix in ESTIMATE_PREFIXES:
        for bound in ("low", "best", "high"):
            assert f"{prefix}_{bound}" in ESTIMATE_FIELDS
    assert "fatalities_high_open" in ESTIMATE_FIELDS
    assert set(proposal_estimate(propose([])).keys()) == set(ESTIMATE_FIELDS)


def test_accepting_a_proposal_without_figures_is_an_accepted_estimate_of_none():
    estimate = proposal_estimate(propose([claim(None, wording="losses on both sides")]))
    assert estimate["fatalities_method"] == EstimateMethod.PROPOSAL
    assert estimate["fatalities_best"] is None and estimate["estimate_stale"] is False


# --- On claims in the database: citations, people, sides -------------------------------------------


def seed_like() -> dict[str, object]:
    """The seed story's fatality claims: the army says 10 FLA fighters died, the FLA admits 3 and
    claims 24 of the Africa Corps; the FLA's statement is carried by AFP."""
    army = ActorFactory(name="Malian Armed Forces")
    corps = ActorFactory(name="Africa Corps")
    fla = ActorFactory(name="FLA")
    incident = IncidentFactory()
    IncidentActorFactory(incident=incident, actor=army, side=Side.A)
    IncidentActorFactory(incident=incident, actor=corps, side=Side.A)
    IncidentActorFactory(incident=incident, actor=fla, side=Side.B)
    afp = SourceFactory(outlet="AFP")
    ClaimFactory(
        incident=incident, source=SourceFactory(outlet="Army"), claimant=army,
        losses_of=LossesOf.ACTOR, losses_actor=fla, quantity_low=10, quantity_high=10,
    )  # fmt: skip
    admitted = ClaimFactory(
        incident=incident, source=afp, claimant=fla, losses_of=LossesOf.ACTOR, losses_actor=fla,
        stance=Stance.ACKNOWLEDGEMENT, quantity_low=3, quantity_high=3,
    )  # fmt: skip
    ClaimFactory(
        incident=incident, source=afp, claimant=fla, losses_of=LossesOf.ACTOR, losses_actor=corps,
        quantity_low=24, quantity_high=60, quantity_text="several dozen",
    )  # fmt: skip
    return {"incident": incident, "admitted": admitted, "army": army, "fla": fla, "corps": corps}


@pytest.mark.django_db
def test_one_claim_carried_by_three_outlets_counts_once():
    seed = seed_like()
    for outlet in ("AP", "Aggregator"):
        CitationFactory(claim=seed["admitted"], source=SourceFactory(outlet=outlet))
    assert seed["admitted"].citations.count() == 3

    proposal = services.incident_proposal(incident=seed["incident"])

    fla = next(g for g in proposal.groups if g.label == "FLA")
    # The army's 10 and the FLA's 3, each once: the median of 10 and 3, not of 10, 3, 3 and 3.
    assert (fla.low, fla.best, fla.high) == (3, 6, 10)
    assert fla.reasons[0].startswith("Counted 2 claim(s)")
    assert (proposal.total.low, proposal.total.best, proposal.total.high) == (27, 48, 70)


@pytest.mark.django_db
def test_adding_a_second_report_of_the_seed_claim_changes_nothing(editor):
    seed = seed_like()
    incident = services.incident_accept_proposal(incident=seed["incident"], user=editor)
    accepted = Incident.objects.values(*ESTIMATE_FIELDS).get(pk=incident.pk)

    CitationFactory(claim=seed["admitted"], source=SourceFactory(outlet="AP"), language="fr", quote="trois")

    assert Incident.objects.values(*ESTIMATE_FIELDS).get(pk=incident.pk) == accepted
    assert not accepted["estimate_stale"]
    assert proposal_estimate(services.incident_proposal(incident=incident)) == accepted
    assert (accepted["deaths_a_best"], accepted["deaths_b_best"]) == (42, 6)


@pytest.mark.django_db
def test_a_claim_without_a_claimant_is_named_by_its_speaker_or_its_first_report():
    incident = IncidentFactory()
    expert = PersonFactory(name="Sahel expert")
    official = PersonFactory(name="Secret Official", confidential=True)
    ClaimFactory(
        incident=incident,
        speaker=expert,
        source=SourceFactory(outlet="RFI"),
        quantity_low=7,
        quantity_high=7,
        quantity_text="seven",
    )
    ClaimFactory(
        incident=incident,
        speaker=official,
        source=SourceFactory(outlet="Radio"),
        quantity_low=7,
        quantity_high=7,
        quantity_text="seven",
    )
    ClaimFactory(
        incident=incident,
        source=SourceFactory(outlet="Studio Tamani"),
        quantity_low=7,
        quantity_high=7,
        quantity_text="seven",
    )

    reasons = " ".join(services.incident_proposal(incident=incident).groups[0].reasons)

    assert "Sahel expert: “seven”" in reasons
    assert "A person, identity withheld: “seven”" in reasons and "Secret Official" not in reasons
    assert "Studio Tamani — Report on the clashes: “seven”" in reasons
    assert "Corroborated by 3 independent claims" in reasons
