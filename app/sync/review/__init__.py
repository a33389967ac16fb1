"""Matching and the bookkeeper's decisions: proposals, re-matching, approval, the grid's actions."""
