"""The content hash is the same text as ever (stored hashes stay valid) however it is made,
and a stored payload reads back as the record."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store.bulk_insert import JsonText
from app.store.transactions import content_hash, payload_json

# JSON data as a decoder hands it over, with the spots where encoders differ: exponents,
# non-finite floats, non-ASCII, DEL, control characters, lone surrogates, big integers.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e16, 1.5e-7, 1e-5, 2113.36, 0.1, -0.0, 1e22, "null", "1e5", "\x7f"]),
    st.text(max_size=12),
    st.text(alphabet="0123456789eE.-+ nul\x7f\x00\u00e9\ud800", max_size=12),
)
json_data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def reference_hash(value: Any) -> str:
    """How every stored hash was made before msgspec."""
    body = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@settings(max_examples=1500, deadline=None)
@given(record=st.dictionaries(st.text(max_size=8), json_data, max_size=6))
def test_content_hash_is_the_same_as_ever(record: dict[str, Any]):
    assert content_hash(record) == reference_hash(record)


@settings(max_examples=500, deadline=None)
@given(record=st.dictionaries(st.text(max_size=8), json_data, max_size=6))
def test_a_stored_payload_reads_back_as_the_record(record: dict[str, Any]):
    text = payload_json(record)
    assert isinstance(text, JsonText)
    # repr: NaN is never equal to itself
    assert repr(json.loads(text)) == repr(json.loads(json.dumps(record)))


def test_the_hash_of_a_plain_export_row_is_unchanged():
    row = {"transaction_id": 10000000, "amount": 2113.36, "description": "Payment for 104091"}
    assert content_hash(row) == reference_hash(row)
    for small in (
        {"": 1e-05},
        {"rate": -1.5e-07, "fee": 0.0001},
    ):  # Python: 1e-05, msgspec: 0.00001
        assert content_hash(small) == reference_hash(small)
    assert content_hash({"amount": 1e16, "n": None, "name": "Zoë"}) == reference_hash(
        {"amount": 1e16, "n": None, "name": "Zoë"}
    )
