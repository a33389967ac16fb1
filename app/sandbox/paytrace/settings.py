"""How a stand-in PayTrace account is set up.

Three switches render the row shapes PayTrace's material leaves unverified (reference, "Not
verified"): a declined row as ``DECLINED`` or as the asked-for ``SALE``/``AUTHORIZATION``
with decline signals, declines in the unfiltered export or not, and a voided sale as
``VOID`` or as ``SALE`` with a changed status code. The ``DECLINED`` and ``VOID`` filters
return the ids either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from app.sandbox.paytrace.auth import TOKEN_LIFETIME_S

DECLINED_ROW_TYPES = ("DECLINED", "SALE")  # "SALE": the type that was asked for
VOIDED_ROW_TYPES = ("VOID", "SALE")  # "SALE": the original type, status code 109


@dataclass(frozen=True)
class StandInSettings:
    username: str = "demo"
    password: str = "demo"
    integrator_id: str = "DEMOINTEGRA1"
    merchant_zone: tzinfo | None = None  # None: the machine's local zone
    strict_integrator_id: bool = False  # True: a missing/wrong integrator_id is error 981
    token_lifetime_s: int = TOKEN_LIFETIME_S
    declined_row_type: str = "DECLINED"  # one of DECLINED_ROW_TYPES
    declined_in_unfiltered: bool = False  # True: the unfiltered export lists declines too
    voided_row_type: str = "VOID"  # one of VOIDED_ROW_TYPES

    def __post_init__(self) -> None:
        if self.declined_row_type not in DECLINED_ROW_TYPES:
            raise ValueError(f"declined rows read one of {DECLINED_ROW_TYPES}")
        if self.voided_row_type not in VOIDED_ROW_TYPES:
            raise ValueError(f"voided rows read one of {VOIDED_ROW_TYPES}")
