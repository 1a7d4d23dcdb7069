"""The words screens show for the inbox's stored codes (the ``label`` filter).

Kinds: ``inbox_status`` (``InboxStatus``) and ``review_state`` (``ReviewState``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shopadmin.core.i18n import register_labels
from shopadmin.inbox.models import InboxStatus, ReviewState

register_labels("inbox_status", {
    InboxStatus.RECEIVED: _l("received"),
    InboxStatus.APPLIED: _l("applied"),
    InboxStatus.REVIEW: _l("to review"),
    InboxStatus.UNMATCHED: _l("unmatched"),
    InboxStatus.REJECTED: _l("rejected"),
})

register_labels("review_state", {
    ReviewState.PENDING: _l("pending"),
    ReviewState.APPROVED: _l("approved"),
    ReviewState.REJECTED: _l("rejected"),
})
