"""The methodology page's texts that are written elsewhere, marked here for translation.

The reconciliation rules are ``incidents.reconcile``'s docstring (``reconciliation_rules``) and the
grading notes are ``incidents.presenters.GRADING_NOTES``: both stay English where they are written, and
the page translates them at render time (``{% translate rule %}``). ``makemessages`` only finds strings
marked in source, so they are listed here; a test holds these copies to the texts they copy, so a rule
reworded there without its copy here fails instead of silently showing English.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

RECONCILIATION_RULES: tuple[str, ...] = (
    gettext_noop(
        "Only claims about deaths (and, apart, about the injured) count. A claim counts once however many "
        "reports carry it: the FLA's statement relayed by AFP, by AP and by an aggregator is one claim with "
        "three citations, not three figures."
    ),
    gettext_noop(
        'Some claims are listed but move no figure: refuted claims; claims that give no number ("losses on '
        'both sides", "all"); a claimant\'s refusal to comment; and a sub-count, which counts part of another '
        'claim\'s figure ("among them five soldiers") and is never counted on its own. Claims of other kinds '
        "(responsibility, territory, materiel, detentions) never enter it."
    ),
    gettext_noop(
        "Claims are grouped by whose losses they concern: an actor, civilians, unknown, or several groups at "
        'once. A claim about several groups ("five killed, mostly drivers and guards") forms its own group '
        "and is counted once; it is never split between the groups it names."
    ),
    gettext_noop(
        "In each group, a party acknowledging its own losses sets a floor: the low is never below the largest"
        " number the party admits about itself. Acknowledging someone else's losses, or the clashes without a"
        " figure, sets no floor."
    ),
    gettext_noop(
        "low = the smallest credible number (raised to the floor); high = the largest number stated; an "
        'open-ended claim ("more than fifty") stretches neither bound beyond its own lower figure, and the '
        'group says its high is open ("51+").'
    ),
    gettext_noop(
        "best = the median of the claims' central figures, taken from the most verified tier available "
        "(confirmed, then corroborated, then the rest), kept within [low, high]."
    ),
    gettext_noop(
        "A group is contested when two credible claims (not refuted, not disputed) cannot both be true: one's"
        " lower figure is above another's upper figure. A sub-count never conflicts with its whole, nor with "
        "the other claims: it measures a different quantity. A group is corroborated when independent claims "
        "(different claimants, not the same statement carried again) give figures that can all be true at "
        "once."
    ),
    gettext_noop(
        "The total adds the groups up. Claims about unknown losses, or about several groups, may overlap with"
        " a named group, which the reasons say."
    ),
    gettext_noop(
        "Per side: a group of an actor's losses counts for side A or side B by that actor's side in the "
        "incident (an actor on neither or on both sides counts under unknown); civilians count as civilians; "
        "unknown losses and claims about several groups count under unknown. Each side's low, best and high "
        "are the sums of its groups, so the sides add up to the total."
    ),
    gettext_noop("The injured are reconciled the same way, into an estimate of their own."),
)

GRADING_NOTES: tuple[str, ...] = (
    gettext_noop(
        "The incident and its main figures are established by independent, credible sources or acknowledged "
        "by the party responsible."
    ),
    gettext_noop("Two or more credible sources report the incident and broadly agree on what happened."),
    gettext_noop("A single source, or sources that cannot be checked, report the incident."),
    gettext_noop("Credible sources disagree on what happened or who is responsible."),
    gettext_noop("The archive judges the reports unreliable or refuted; the record is kept for transparency."),
)
