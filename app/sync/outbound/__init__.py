"""Carrying the outbox out: the Sage Pro and PayTrace posters and the calls they make."""
