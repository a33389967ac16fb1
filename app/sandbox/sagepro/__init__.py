"""The Sage Pro API stand-in: the v1 contract of ``reference/sage-pro.md`` over real HTTP.

``build_app(...)`` gives the app (in memory or over a SQLite file, seeded with the demo
company); serve it with ``app.sandbox.http_base.SandboxServer``.
"""

from app.sandbox.sagepro.app import DEFAULT_API_KEY, SageProApp, build_app

__all__ = ["DEFAULT_API_KEY", "SageProApp", "build_app"]
