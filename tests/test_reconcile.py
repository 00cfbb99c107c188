"""The reconciliation rules, on hand-made claims and edge cases."""

from __future__ import annotations

from incidents.models import ClaimKind, Stance, Verification
from incidents.reconcile import ClaimFacts, estimate_group, propose


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
        [claim(3, stance=Stance.ACKNOWLEDGEMENT, claimant="FLA"), claim(1, claimant="A local source")],
    )
    assert estimate.low == 3
    assert estimate.best >= 3


def test_claims_that_cannot_both_be_true_make_a_group_contested():
    # The seed story: the army says 10 FLA fighters died; the FLA admits 3.
    estimate = estimate_group(
        "actor:1", "FLA", [claim(10, claimant="Malian army"), claim(3, claimant="FLA", stance=Stance.ACKNOWLEDGEMENT)]
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
            claim(3, claimant="FLA", stance=Stance.ACKNOWLEDGEMENT),
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
