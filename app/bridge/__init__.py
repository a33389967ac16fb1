"""The Paysage Bridge for Sage Pro: the Sage Pro API contract (v1.1) served over a real Sage
Pro data folder (FoxPro tables), read-only.

Qt-free. Parts: ``dbf_table`` reads one table (exact money, lenient bad values),
``discovery`` finds a company's tables (SYSDATA.DBF or one folder), ``layout`` maps contract
fields to table fields, ``survey`` reports what a folder holds, ``company`` turns tables into
contract records, ``http_app`` serves them. Nothing here writes a Sage Pro file.
"""
