"""Qt-free, I/O-free core: money, records, status mapping, matching, rules, anomalies, pan."""
