"""Reconciliation: from an incident's death and injury claims to a proposed low / best / high.

Pure functions over plain values, so the rules can be read and tested on their own.
The rules (also on the public methodology page):

1. Only claims about deaths (and, apart, about the injured) count. A claim counts once however
   many reports carry it: the FLA's statement relayed by AFP, by AP and by an aggregator is one
   claim with three citations, not three figures.
2. Some claims are listed but move no figure: refuted claims; claims that give no number ("losses
   on both sides", "all"); a claimant's refusal to comment; and a sub-count, which counts part of
   another claim's figure ("among them five soldiers") and is never counted on its own.
   Claims of other kinds (responsibility, territory, materiel, detentions) never enter it.
3. Claims are grouped by whose losses they concern: an actor, civilians, unknown, or several
   groups at once. A claim about several groups ("five killed, mostly drivers and guards") forms
   its own group and is counted once; it is never split between the groups it names.
4. In each group, a party acknowledging its own losses sets a floor: the low is never below the
   largest number the party admits about itself. Acknowledging someone else's losses, or the
   clashes without a figure, sets no floor.
5. low = the smallest credible number (raised to the floor); high = the largest number stated;
   an open-ended claim ("more than fifty") stretches neither bound beyond its own lower figure,
   and the group says its high is open ("51+").
6. best = the median of the claims' central figures, taken from the most verified tier
   available (confirmed, then corroborated, then the rest), kept within [low, high].
7. A group is contested when two credible claims (not refuted, not disputed) cannot both be
   true: one's lower figure is above another's upper figure. A sub-count never conflicts with
   its whole, nor with the other claims: it measures a different quantity. A group is
   corroborated when independent claims (different claimants, not the same statement carried
   again) give figures that can all be true at once.
8. The total adds the groups up. Claims about unknown losses, or about several groups, may
   overlap with a named group, which the reasons say.
9. Per side: a group of an actor's losses counts for side A or side B by that actor's side in
   the incident (an actor on neither or on both sides counts under unknown); civilians count as
   civilians; unknown losses and claims about several groups count under unknown. Each side's
   low, best and high are the sums of its groups, so the sides add up to the total.
10. The injured are reconciled the same way, into an estimate of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from statistics import median

from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from incidents.models import RECONCILED_KINDS, Claim, ClaimKind, LossesOf, Side, Stance, Verification

TIER_ORDER = [Verification.CONFIRMED, Verification.CORROBORATED]

# Group keys that are not an actor's.
CIVILIANS, UNKNOWN, MIXED = LossesOf.CIVILIANS.value, LossesOf.UNKNOWN.value, LossesOf.MIXED.value

# The per-side estimates, keyed as the incident's columns are prefixed (models.ESTIMATE_PREFIXES),
# named in the reader's language when a page renders.
SIDE_LABELS = {
    "deaths_a": _("Side A"),
    "deaths_b": _("Side B"),
    "deaths_civilians": _("Civilians"),
    "deaths_unknown": pgettext_lazy("whose deaths", "Unknown"),
}
SIDE_OF = {Side.A.value: "deaths_a", Side.B.value: "deaths_b"}

# The reasons that name what a kind counts, one whole sentence per kind: a translation may need
# another word order, gender or case for deaths than for injuries.
NO_CLAIMS = {ClaimKind.FATALITIES: _("No fatality claims."), ClaimKind.INJURIES: _("No injury claims.")}
NO_NUMBER = {
    ClaimKind.FATALITIES: _("No fatality claim gives a number; there is no estimate to propose."),
    ClaimKind.INJURIES: _("No injury claim gives a number; there is no estimate to propose."),
}
OVERLAP = {
    ClaimKind.FATALITIES: _(
        "Claims about unidentified dead, or about several groups at once, may count some of the "
        "same people as a named group."
    ),
    ClaimKind.INJURIES: _(
        "Claims about unidentified injured, or about several groups at once, may count some of the "
        "same people as a named group."
    ),
}


def _floor_reason(kind: str, floor: int, names: str) -> str:
    values = {"floor": floor, "names": names}
    if kind == ClaimKind.INJURIES:
        return (
            ngettext(
                "Floor of %(floor)s: %(names)s acknowledged %(floor)s of its own injured.",
                "Floor of %(floor)s: %(names)s acknowledged %(floor)s of its own injured.",
                floor,
            )
            % values
        )
    return (
        ngettext(
            "Floor of %(floor)s: %(names)s acknowledged %(floor)s of its own dead.",
            "Floor of %(floor)s: %(names)s acknowledged %(floor)s of its own dead.",
            floor,
        )
        % values
    )


def _tier_reason(verification: str, count: int) -> str:
    if verification == Verification.CONFIRMED:
        return ngettext(
            "Best estimate from the confirmed claim(s) only.", "Best estimate from the confirmed claim(s) only.", count
        )
    return ngettext(
        "Best estimate from the corroborated claim(s) only.",
        "Best estimate from the corroborated claim(s) only.",
        count,
    )


def _side_reason(side: str, parts: str) -> str:
    sentences = {
        "deaths_a": _("Side A adds up: %(parts)s."),
        "deaths_b": _("Side B adds up: %(parts)s."),
        "deaths_civilians": _("Civilians add up: %(parts)s."),
        "deaths_unknown": _("Unknown adds up: %(parts)s."),
    }
    return sentences[side] % {"parts": parts}


def _listing(estimates: Iterable[Estimate]) -> str:
    """Each group's label and best figure ("FLA 3, Army 5")."""
    return gettext(", ").join(gettext("%(group)s %(best)s") % {"group": e.label, "best": e.best} for e in estimates)


@dataclass(frozen=True)
class ClaimFacts:
    """What reconciliation needs to know about one claim."""

    group: str  # a stable key: "actor:<id>", "civilians", "unknown" or "mixed"
    group_label: str
    claimant: str
    low: int | None
    high: int | None
    wording: str = ""
    stance: str = Stance.ASSERTION
    verification: str = Verification.UNVERIFIED
    kind: str = ClaimKind.FATALITIES
    claim_id: int | None = None
    # "actor:<id>" when the claimant is an actor: its own losses are the group with the same key.
    claimant_key: str = ""
    # Who the claim comes from: two claims with the same origin are not independent.
    origin: str = ""
    # The claim whose figure this one counts part of, if it is a sub-count.
    part_of: int | None = None

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
    def own_losses(self) -> bool:
        """The claimant speaks of its own losses (the only acknowledgement that sets a floor)."""
        return bool(self.claimant_key) and self.claimant_key == self.group

    @property
    def source_of(self) -> str:
        return self.origin or self.claimant

    @property
    def central(self) -> float:
        assert self.low is not None
        return self.low if self.high is None else (self.low + self.high) / 2

    def describe(self) -> str:
        if self.wording:
            return gettext("%(claimant)s: “%(wording)s”") % {"claimant": self.claimant, "wording": self.wording}
        return gettext("%(claimant)s: %(figure)s") % {"claimant": self.claimant, "figure": self.number_text()}

    def number_text(self) -> str:
        if self.low is None:
            return gettext("no number")
        if self.high is None:
            return gettext("at least %(low)s") % {"low": self.low}
        if self.low == self.high:
            return str(self.low)
        return gettext("%(low)s–%(high)s") % {"low": self.low, "high": self.high}


@dataclass
class Estimate:
    group: str
    label: str
    low: int | None = None
    best: int | None = None
    high: int | None = None
    high_open: bool = False
    contested: bool = False
    corroborated_by: int = 0  # independent claims that agree, when two or more do
    side: str = ""  # the per-side estimate a group counts in (a key of SIDE_LABELS)
    reasons: list[str] = field(default_factory=list)

    @property
    def has_numbers(self) -> bool:
        return self.low is not None

    @property
    def side_label(self) -> str:
        return str(SIDE_LABELS.get(self.side, ""))

    @property
    def counts_for(self) -> str:
        """The side a group counts for, where its own label does not say it (an actor's, several groups')."""
        return "" if self.group in (CIVILIANS, UNKNOWN) else self.side_label


@dataclass
class Proposal:
    """The proposal for one kind of loss: by group, by side and in total; the deaths' proposal
    carries the injuries' as ``injuries``."""

    groups: list[Estimate]
    total: Estimate
    sides: list[Estimate] = field(default_factory=list)
    kind: str = ClaimKind.FATALITIES
    injuries: Proposal | None = None
    # Computes it again from what it was computed from (``propose``, ``propose_for_claims``), in
    # the active language: the claims' labels too (whose losses, a withheld source) are translated.
    recompute: Callable[[], Proposal] | None = field(default=None, repr=False, compare=False)

    @property
    def contested(self) -> bool:
        return self.total.contested

    def rationale(self) -> str:
        """The total's reasons (and the injured's) as one text in English, whatever the reader's
        language: accepting the proposal stores it, and stored text and files do not depend on who
        asked. The reasons on a page are in the reader's language."""
        proposal = self
        if self.recompute is not None:
            with translation.override("en"):
                proposal = self.recompute()
        text = " ".join(proposal.total.reasons)
        if proposal.injuries and proposal.injuries.groups:
            text += " The injured: " + " ".join(proposal.injuries.total.reasons)
        return text


def _tiered(claims: list[ClaimFacts]) -> list[ClaimFacts]:
    for tier in TIER_ORDER:
        chosen = [c for c in claims if c.verification == tier]
        if chosen:
            return chosen
    return claims


def _not_counted(claim: ClaimFacts) -> str | None:
    """Why ``claim`` is listed without moving the estimate (rule 2), or None if it counts."""
    if claim.verification == Verification.REFUTED:
        return gettext("Ignored %(claim)s: the claim is refuted.") % {"claim": claim.describe()}
    if claim.stance == Stance.DECLINED:
        return gettext("Listed but not counted %(claim)s: the claimant declined to comment.") % {
            "claim": claim.describe()
        }
    if claim.part_of is not None:
        return gettext("Not counted on its own %(claim)s: it counts part of another claim's figure.") % {
            "claim": claim.describe()
        }
    if not claim.quantified:
        return gettext("Listed but not counted %(claim)s: it gives no number.") % {"claim": claim.describe()}
    return None


def estimate_group(group: str, label: str, claims: Iterable[ClaimFacts], kind: str = ClaimKind.FATALITIES) -> Estimate:
    # Which kind's sentences the reasons use (a kind that is not reconciled reads as deaths).
    said_as = ClaimKind(kind) if kind in NO_CLAIMS else ClaimKind.FATALITIES
    estimate = Estimate(group=group, label=label)
    usable: list[ClaimFacts] = []
    for claim in claims:
        if claim.kind != kind:
            continue
        reason = _not_counted(claim)
        if reason:
            estimate.reasons.append(reason)
        else:
            usable.append(claim)
    if not usable:
        if not estimate.reasons:
            estimate.reasons.append(str(NO_CLAIMS[said_as]))
        return estimate

    acknowledgements = [c for c in usable if c.stance == Stance.ACKNOWLEDGEMENT and c.own_losses]
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

    listing = gettext("; ").join(c.describe() for c in usable)
    estimate.reasons.append(
        ngettext("Counted %(count)s claim(s): %(claims)s.", "Counted %(count)s claim(s): %(claims)s.", len(usable))
        % {"count": len(usable), "claims": listing}
    )
    if group == MIXED:
        estimate.reasons.append(
            gettext(
                "A claim about several groups at once forms its own group and counts once; it is not split "
                "between the groups it names, and counts under unknown for the sides."
            )
        )
    if acknowledgements and floor >= min(lows):
        names = gettext(", ").join(sorted({c.claimant for c in acknowledgements}))
        estimate.reasons.append(_floor_reason(said_as, floor, names))
    if estimate.high_open:
        estimate.reasons.append(
            gettext("The high is open: a claim gives only a lower figure (%(high)s+).") % {"high": high}
        )
    if tier is not usable:
        estimate.reasons.append(_tier_reason(tier[0].verification, len(tier)))
    else:
        estimate.reasons.append(gettext("Best estimate is the median of the claims' central figures."))

    conflict = conflicting_pair(usable)
    if conflict:
        estimate.contested = True
        highest_low, lowest_high = conflict
        estimate.reasons.append(
            gettext("Contested: %(claim)s cannot be reconciled with %(other)s.")
            % {"claim": highest_low.describe(), "other": lowest_high.describe()}
        )
    else:
        origins = independent_origins(usable)
        if len(origins) > 1:
            estimate.corroborated_by = len(origins)
            estimate.reasons.append(
                ngettext(
                    "Corroborated by %(count)s independent claims (%(claimants)s): their figures agree.",
                    "Corroborated by %(count)s independent claims (%(claimants)s): their figures agree.",
                    len(origins),
                )
                % {"count": len(origins), "claimants": gettext(", ").join(origins)}
            )
    return estimate


def conflicting_pair(claims: Iterable[ClaimFacts]) -> tuple[ClaimFacts, ClaimFacts] | None:
    """Rule 7: the two credible claims that cannot both be true (the highest lower figure, above
    the lowest upper figure), or None when the credible claims can all be true at once. A
    sub-count is left out: it counts a part, and a part is smaller than any whole."""
    credible = [c for c in claims if c.quantified and c.credible and c.part_of is None]
    bounded = [c for c in credible if c.high is not None]
    if not credible or not bounded:
        return None
    highest_low = max(credible, key=lambda c: c.low)
    lowest_high = min(bounded, key=lambda c: c.high)
    return (highest_low, lowest_high) if highest_low.low > lowest_high.high else None


def independent_origins(claims: Iterable[ClaimFacts]) -> list[str]:
    """The claimants of the credible, quantified whole claims, once each: reports carrying one
    claim again are repetition, and two claims by the same claimant are not independent."""
    origins: dict[str, str] = {}
    for claim in claims:
        if claim.quantified and claim.credible and claim.part_of is None:
            origins.setdefault(claim.source_of, claim.claimant)
    return list(origins.values())


def corroboration(claims: Iterable[ClaimFacts]) -> int:
    """How many independent claims agree on the figure, when two or more do and none conflicts; else 0."""
    claims = list(claims)
    if conflicting_pair(claims) is not None:
        return 0
    origins = independent_origins(claims)
    return len(origins) if len(origins) > 1 else 0


def _sum(group: str, label: str, parts: list[Estimate]) -> Estimate:
    """An estimate whose bounds are the sums of ``parts``' (those with numbers)."""
    estimate = Estimate(group=group, label=label)
    counted = [p for p in parts if p.has_numbers]
    if counted:
        estimate.low = sum(p.low for p in counted)
        estimate.best = sum(p.best for p in counted)
        estimate.high = sum(p.high for p in counted)
        estimate.high_open = any(p.high_open for p in counted)
    estimate.contested = any(p.contested for p in parts)
    return estimate


def side_of(group: str, sides: Mapping[str, str]) -> str:
    """The per-side estimate a group counts in (rule 9): ``sides`` maps "actor:<id>" to "A" or "B"
    for each actor on exactly one side of the incident."""
    if group == CIVILIANS:
        return "deaths_civilians"
    if group.startswith("actor:") and sides.get(group) in SIDE_OF:
        return SIDE_OF[sides[group]]
    return "deaths_unknown"


def _sides(groups: list[Estimate], sides: Mapping[str, str]) -> list[Estimate]:
    by_side: dict[str, list[Estimate]] = {key: [] for key in SIDE_LABELS}
    for group in groups:
        group.side = side_of(group.group, sides)
        by_side[group.side].append(group)
    estimates = []
    for key, label in SIDE_LABELS.items():
        estimate = _sum(key, str(label), by_side[key])
        counted = [g for g in by_side[key] if g.has_numbers]
        if counted:
            estimate.reasons.append(_side_reason(key, _listing(counted)))
        estimates.append(estimate)
    return estimates


def _propose_kind(claims: list[ClaimFacts], kind: str, sides: Mapping[str, str]) -> Proposal:
    kind = ClaimKind(kind)
    by_group: dict[str, list[ClaimFacts]] = {}
    labels: dict[str, str] = {}
    for claim in claims:
        if claim.kind != kind:
            continue
        by_group.setdefault(claim.group, []).append(claim)
        labels.setdefault(claim.group, claim.group_label)

    groups = [estimate_group(key, labels[key], group_claims, kind) for key, group_claims in by_group.items()]
    groups.sort(key=lambda e: (e.group in (UNKNOWN, MIXED), e.group == MIXED, e.label))

    total = _sum("total", gettext("All parties"), groups)
    counted = [g for g in groups if g.has_numbers]
    if not counted:
        total.reasons.append(str(NO_NUMBER[kind]))
    else:
        total.reasons.append(gettext("The total adds up the groups: %(parts)s.") % {"parts": _listing(counted)})
        vague = [g for g in counted if g.group in (UNKNOWN, MIXED)]
        if vague and len(counted) > 1:
            total.reasons.append(str(OVERLAP[kind]))
    if total.contested:
        names = gettext(", ").join(g.label for g in groups if g.contested)
        total.reasons.append(gettext("Contested: the claims about %(groups)s do not agree.") % {"groups": names})
    return Proposal(groups=groups, total=total, sides=_sides(groups, sides), kind=kind)


def propose(claims: Iterable[ClaimFacts], sides: Mapping[str, str] | None = None) -> Proposal:
    """The deaths' proposal, with the injuries' as its ``injuries``. ``sides`` maps "actor:<id>"
    to the actor's side ("A" or "B") in the incident."""
    claims = list(claims)
    sides = dict(sides or {})
    proposal = _propose_kind(claims, ClaimKind.FATALITIES, sides)
    proposal.injuries = _propose_kind(claims, ClaimKind.INJURIES, sides)
    proposal.recompute = lambda: propose(claims, sides)
    return proposal


def _claimant(claim: Claim) -> tuple[str, str]:
    """(label, origin key) of who makes ``claim``: its claimant actor, else the person speaking,
    else the report carrying it (the public label: a confidential source or person stays withheld)."""
    if claim.claimant_id:
        return claim.claimant.name, f"actor:{claim.claimant_id}"
    if claim.speaker_id:
        return claim.speaker.public_name, f"person:{claim.speaker_id}"
    citations = list(claim.citations.all())
    if citations:
        first = min(citations, key=lambda c: c.pk)
        return first.source.public_label, f"source:{first.source_id}"
    return gettext("An unnamed claimant"), f"claim:{claim.pk}"


def facts_from_claim(claim: Claim) -> ClaimFacts:
    """The facts of ``claim`` (load it with claimant, speaker, losses_actor and citations' sources)."""
    if claim.losses_of == LossesOf.ACTOR:
        group, label = f"actor:{claim.losses_actor_id}", claim.losses_actor.name
    elif claim.losses_of == LossesOf.MIXED:
        group, label = MIXED, claim.get_losses_of_display()
    else:
        group, label = claim.losses_of, claim.get_losses_of_display()
    claimant, origin = _claimant(claim)
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
        claimant_key=f"actor:{claim.claimant_id}" if claim.claimant_id else "",
        origin=origin,
        part_of=claim.part_of_id,
    )


def actor_sides(links: Iterable[tuple[int, str]]) -> dict[str, str]:
    """From (actor id, side) pairs of an incident's actor links: "actor:<id>" -> side, for the
    actors on exactly one side (rule 9)."""
    seen: dict[str, set[str]] = {}
    for actor_id, side in links:
        seen.setdefault(f"actor:{actor_id}", set()).add(side)
    return {key: next(iter(found)) for key, found in seen.items() if len(found) == 1}


def propose_for_claims(claims: Iterable[Claim], links: Iterable[tuple[int, str]] = ()) -> Proposal:
    """The proposal for an incident's claims (loaded as ``facts_from_claim`` says) and its actor
    links as (actor id, side) pairs."""
    claims, sides = [c for c in claims if c.kind in RECONCILED_KINDS], actor_sides(links)
    proposal = propose((facts_from_claim(c) for c in claims), sides)
    proposal.recompute = lambda: propose((facts_from_claim(c) for c in claims), sides)
    return proposal
