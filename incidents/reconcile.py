"""Reconciliation: from an incident's fatality claims to a proposed low / best / high.

Pure functions over plain values, so the rules can be read and tested on their own.
The rules (also on the public methodology page):

1. Only fatality claims count. Refuted claims are ignored. A claim with no number
   ("losses on both sides", "all") is listed but cannot move an estimate.
2. Claims are grouped by whose losses they concern: an actor, civilians, or unknown.
3. In each group, an acknowledgement of own losses is a floor: the low is never
   below the largest number a party admits for itself.
4. low = the smallest credible number (raised to the floor); high = the largest number
   stated; an open-ended claim ("more than ten") stretches neither bound beyond its
   own lower figure, and the group says its high is open.
5. best = the median of the claims' central figures, taken from the most verified tier
   available (confirmed, then corroborated, then the rest), kept within [low, high].
6. A group is contested when two credible claims (not refuted, not disputed) cannot both
   be true: one's lower figure is above another's upper figure.
7. The total adds the groups up. Claims about unknown losses may overlap with a named
   group, which the reasons say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median

from incidents.models import Claim, ClaimKind, LossesOf, Stance, Verification

TIER_ORDER = [Verification.CONFIRMED, Verification.CORROBORATED]


@dataclass(frozen=True)
class ClaimFacts:
    """What reconciliation needs to know about one claim."""

    group: str  # a stable key: "actor:<id>", "civilians" or "unknown"
    group_label: str
    claimant: str
    low: int | None
    high: int | None
    wording: str = ""
    stance: str = Stance.ASSERTION
    verification: str = Verification.UNVERIFIED
    kind: str = ClaimKind.FATALITIES
    claim_id: int | None = None

    @property
    def quantified(self) -> bool:
        return self.low is not None

    @property
    def open_ended(self) -> bool:
        return self.low is not None and self.high is None

    @property
    def credible(self) -> bool:
        return self.verification not in (Verification.REFUTED, Verification.DISPUTED)

    @property
    def central(self) -> float:
        assert self.low is not None
        return self.low if self.high is None else (self.low + self.high) / 2

    def describe(self) -> str:
        wording = f"“{self.wording}”" if self.wording else self.number_text()
        return f"{self.claimant}: {wording}"

    def number_text(self) -> str:
        if self.low is None:
            return "no number"
        if self.high is None:
            return f"at least {self.low}"
        if self.low == self.high:
            return str(self.low)
        return f"{self.low}–{self.high}"


@dataclass
class Estimate:
    group: str
    label: str
    low: int | None = None
    best: int | None = None
    high: int | None = None
    high_open: bool = False
    contested: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def has_numbers(self) -> bool:
        return self.low is not None


@dataclass
class Proposal:
    groups: list[Estimate]
    total: Estimate

    @property
    def contested(self) -> bool:
        return self.total.contested


def _tiered(claims: list[ClaimFacts]) -> list[ClaimFacts]:
    for tier in TIER_ORDER:
        chosen = [c for c in claims if c.verification == tier]
        if chosen:
            return chosen
    return claims


def estimate_group(group: str, label: str, claims: Iterable[ClaimFacts]) -> Estimate:
    estimate = Estimate(group=group, label=label)
    usable: list[ClaimFacts] = []
    for claim in claims:
        if claim.kind != ClaimKind.FATALITIES:
            continue
        if claim.verification == Verification.REFUTED:
            estimate.reasons.append(f"Ignored {claim.describe()}: the claim is refuted.")
        elif not claim.quantified:
            estimate.reasons.append(f"Listed but not counted {claim.describe()}: it gives no number.")
        else:
            usable.append(claim)
    if not usable:
        if not estimate.reasons:
            estimate.reasons.append("No fatality claims.")
        return estimate

    acknowledgements = [c for c in usable if c.stance == Stance.ACKNOWLEDGEMENT]
    floor = max((c.low for c in acknowledgements), default=0)

    lows = [c.low for c in usable]
    low = max(min(lows), floor)
    stated_highs = [c.high if c.high is not None else c.low for c in usable]
    high = max(max(stated_highs), low)
    estimate.high_open = any(c.open_ended and c.low >= high for c in usable)

    tier = _tiered(usable)
    best = round(median(c.central for c in tier))
    best = min(max(best, low), high)

    estimate.low, estimate.best, estimate.high = low, best, high

    listing = "; ".join(c.describe() for c in usable)
    estimate.reasons.append(f"Counted {len(usable)} claim(s): {listing}.")
    if acknowledgements and floor >= min(lows):
        names = ", ".join(sorted({c.claimant for c in acknowledgements}))
        estimate.reasons.append(f"Floor of {floor}: {names} acknowledged {floor} of its own dead.")
    if estimate.high_open:
        estimate.reasons.append(f"The high is open: a claim gives only a lower figure ({high}).")
    if tier is not usable:
        estimate.reasons.append(f"Best estimate from the {tier[0].verification} claim(s) only.")
    else:
        estimate.reasons.append("Best estimate is the median of the claims' central figures.")

    conflict = conflicting_pair(usable)
    if conflict:
        estimate.contested = True
        highest_low, lowest_high = conflict
        estimate.reasons.append(
            f"Contested: {highest_low.describe()} cannot be reconciled with {lowest_high.describe()}."
        )
    return estimate


def conflicting_pair(claims: Iterable[ClaimFacts]) -> tuple[ClaimFacts, ClaimFacts] | None:
    """Rule 6: the two credible claims that cannot both be true (the highest lower figure, above
    the lowest upper figure), or None when the credible claims can all be true at once."""
    credible = [c for c in claims if c.quantified and c.credible]
    bounded = [c for c in credible if c.high is not None]
    if not credible or not bounded:
        return None
    highest_low = max(credible, key=lambda c: c.low)
    lowest_high = min(bounded, key=lambda c: c.high)
    return (highest_low, lowest_high) if highest_low.low > lowest_high.high else None


def propose(claims: Iterable[ClaimFacts]) -> Proposal:
    by_group: dict[str, list[ClaimFacts]] = {}
    labels: dict[str, str] = {}
    for claim in claims:
        if claim.kind != ClaimKind.FATALITIES:
            continue
        by_group.setdefault(claim.group, []).append(claim)
        labels[claim.group] = claim.group_label

    groups = [estimate_group(key, labels[key], group_claims) for key, group_claims in by_group.items()]
    groups.sort(key=lambda e: (e.group == "unknown", e.label))

    total = Estimate(group="total", label="All parties")
    counted = [g for g in groups if g.has_numbers]
    if not counted:
        total.reasons.append("No fatality claim gives a number; there is no estimate to propose.")
    else:
        total.low = sum(g.low for g in counted)
        total.best = sum(g.best for g in counted)
        total.high = sum(g.high for g in counted)
        total.high_open = any(g.high_open for g in counted)
        total.reasons.append("The total adds up the groups: " + ", ".join(f"{g.label} {g.best}" for g in counted) + ".")
        if any(g.group == "unknown" for g in counted) and len(counted) > 1:
            total.reasons.append("Claims about unidentified dead may count some of the same people as a named group.")
    total.contested = any(g.contested for g in groups)
    if total.contested:
        names = ", ".join(g.label for g in groups if g.contested)
        total.reasons.append(f"Contested: the claims about {names} do not agree.")
    return Proposal(groups=groups, total=total)


def facts_from_claim(claim: Claim) -> ClaimFacts:
    if claim.losses_of == LossesOf.ACTOR:
        group, label = f"actor:{claim.losses_actor_id}", claim.losses_actor.name
    else:
        group, label = claim.losses_of, claim.get_losses_of_display()
    first = next(iter(claim.citations.all()), None)
    claimant = claim.claimant.name if claim.claimant_id else first.source.public_label if first else "Unattributed"
    return ClaimFacts(
        group=group,
        group_label=label,
        claimant=claimant,
        low=claim.quantity_low,
        high=claim.quantity_high,
        wording=claim.quantity_text,
        stance=claim.stance,
        verification=claim.verification,
        kind=claim.kind,
        claim_id=claim.pk,
    )


def propose_for_claims(claims: Iterable[Claim]) -> Proposal:
    """The proposal for an incident's claims (pass them with claimant, losses_actor and citations__source loaded)."""
    return propose(facts_from_claim(c) for c in claims if c.kind == ClaimKind.FATALITIES)
