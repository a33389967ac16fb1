"""Paysage: PayTrace ↔ Sage Pro reconciliation for bookkeepers."""
