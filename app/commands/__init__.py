"""Subcommands of the `paysage` CLI, one module each."""
