"""CHECK constraints for the workflow status columns, built from the domain's enums so the
models and app/domain/states.py cannot disagree (migrations 0010_status_checks and
0012_more_status_checks write the same lists out literally)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


def status_check(table: str, column: str, entity: type[StrEnum]) -> CheckConstraint:
    allowed = ", ".join(f"'{state.value}'" for state in entity)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{table}_{column}")
