"""The editors' tool.

Every write goes through ``incidents.services``: saves carry the version the editor
started from (optimistic locking), workflow actions call the workflow services, and
history comes from the pghistory triggers, so it is the same whatever wrote the row.

One module per concern: ``forms`` (the version a form was opened on), ``widgets``,
``history`` (the history page and restore), ``base`` (the common editors' admin),
``queries`` (the changelist's own SQL), ``incident`` and ``workflow`` (incidents, their
workflow and estimate), ``corrections`` (proposing, reviewing and deciding corrections),
``records`` (claims, actors, sources, people, taxonomy), ``disclosure`` (making a confidential source
or person public on a reviewer's confirmation), ``imports``.
Django imports this package at start-up; registering here is what puts each admin on the site.
"""

from django.contrib import admin

from incidents.admin.corrections import CorrectionAdmin
from incidents.admin.incident import IncidentAdmin
from incidents.admin.records import (
    ActorAdmin,
    ClaimAdmin,
    EventTypeAdmin,
    PersonAdmin,
    SourceAdmin,
    SubEventTypeAdmin,
)
from incidents.models import Actor, Claim, Correction, EventType, Incident, Person, Source, SubEventType

admin.site.register(Incident, IncidentAdmin)
admin.site.register(Correction, CorrectionAdmin)
admin.site.register(Claim, ClaimAdmin)
admin.site.register(Actor, ActorAdmin)
admin.site.register(Source, SourceAdmin)
admin.site.register(Person, PersonAdmin)
admin.site.register(EventType, EventTypeAdmin)
admin.site.register(SubEventType, SubEventTypeAdmin)
