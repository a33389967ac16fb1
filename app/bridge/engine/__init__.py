"""Engines that write Sage Pro tables: every write goes through one (never the ``dbf``
package, which leaves the CDX stale and takes no FoxPro locks; bridge doc §1.4)."""
