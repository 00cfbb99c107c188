"""History for rows written in bulk.

pghistory's triggers write one event per inserted row. The bulk writers (the imports in
incidents.imports.engine and the synthetic data of generate_incidents) pause the insert triggers
instead, inside their transaction: the triggers' condition reads ``settings.HISTORY_PAUSED``,
so a paused trigger is not called at all. The imports then record the same events with one
INSERT ... SELECT per table; synthetic benchmark data keeps no insert events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def insert_history_paused(cursor) -> Iterator[None]:
    """Rows inserted inside the block get no insert event from the triggers.

    Call it inside ``transaction.atomic()``. The setting is transaction-local; it is cleared at
    the end of the block, since an enclosing transaction would otherwise keep it. After an
    error, the rollback of the atomic block clears it with everything else.
    """
    cursor.execute("SELECT set_config(%s, 'on', true)", [settings.HISTORY_PAUSED])
    yield
    cursor.execute("SELECT set_config(%s, '', true)", [settings.HISTORY_PAUSED])
