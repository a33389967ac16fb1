"""A chargeback's life: import of PayTrace's report, the case, and its Sage Pro entries."""
