"""Every transform on its own, chains, and the registry's parameter checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.mapping import TransformStep, load_default_template
from app.mapping.document import CurrencyRate, GLCondition, GLRule, GLRules
from app.mapping.transforms import (
    REGISTRY,
    TransformContext,
    TransformError,
    chain_output_type,
    param_problems,
    run_chain,
    run_step,
)
from tests.unit.test_mapping_samples import export_row

DOC = load_default_template()


def ctx(row: dict[str, Any] | None = None, **kwargs: Any) -> TransformContext:
    return TransformContext(row=row or export_row(), document=kwargs.pop("document", DOC), **kwargs)


def run(name: str, current: Any, context: TransformContext | None = None, **params: Any) -> Any:
    return run_step(TransformStep(name, params), current, context or ctx())


def test_trim_default_and_chars() -> None:
    assert run("trim", "  inv 12 \t") == "inv 12"
    assert run("trim", "##104512#", chars="#") == "104512"
    assert run("trim", None) == ""


def test_upper_and_lower() -> None:
    assert run("upper", "inv-12a") == "INV-12A"
    assert run("lower", "Kevin@Example.COM") == "kevin@example.com"


def test_pad_left_with_zeros_and_other_char() -> None:
    assert run("pad_left", "4512", width=6) == "004512"
    assert run("pad_left", "4512", width=6, char=" ") == "  4512"
    assert run("pad_left", "1234567", width=6) == "1234567"
    with pytest.raises(TransformError, match="one character"):
        run("pad_left", "1", width=3, char="ab")


def test_strip_leading_zeros() -> None:
    assert run("strip_leading_zeros", "0104512") == "104512"
    assert run("strip_leading_zeros", "000") == "0"
    assert run("strip_leading_zeros", "") == ""


def test_regex_extract_group_case_and_no_match() -> None:
    assert run("regex_extract", "INV-0104512", pattern=r"\d{4,}") == "0104512"
    assert run("regex_extract", "Invoice inv#77", pattern=r"inv#(\d+)", group=1) == "77"
    with pytest.raises(TransformError, match="does not match"):
        run("regex_extract", "no digits", pattern=r"\d+")
    assert run("regex_extract", "no digits", pattern=r"\d+", if_no_match="empty") == ""
    assert run("regex_extract", "no digits", pattern=r"\d+", if_no_match="keep") == "no digits"
    assert run("regex_extract", "ABC", pattern="b", case_sensitive=True, if_no_match="empty") == ""
    with pytest.raises(TransformError, match="not a valid regular expression"):
        run("regex_extract", "x", pattern="([0-9")


def test_replace_plain_and_regex() -> None:
    assert run("replace", "INV-104512", find="INV-") == "104512"
    assert run("replace", "a  b   c", find=r"\s+", replace_with=" ", regex=True) == "a b c"
    assert run("replace", "a.b", find=".", replace_with="-") == "a-b"


def test_parse_date_paytrace_format_and_others() -> None:
    assert run("parse_date", "4/10/2015 4:06:30 PM") == datetime(2015, 4, 10, 16, 6, 30)
    assert run("parse_date", "12/31/2024 12:00:01 AM") == datetime(2024, 12, 31, 0, 0, 1)
    assert run("parse_date", "4/10/2015  4:06:30  pm") == datetime(2015, 4, 10, 16, 6, 30)
    assert run("parse_date", "4/10/2015") == datetime(2015, 4, 10)
    assert run("parse_date", "2024-02-29T10:00:00", format="iso") == datetime(2024, 2, 29, 10)
    assert run("parse_date", "29.02.2024", format="%d.%m.%Y") == datetime(2024, 2, 29)
    with pytest.raises(TransformError, match="not a date"):
        run("parse_date", "13/45/2015 4:06:30 PM")
    with pytest.raises(TransformError, match="empty"):
        run("parse_date", "")


def test_format_date_from_datetime_and_text() -> None:
    assert run("format_date", datetime(2015, 4, 10, 23, 59)) == "2015-04-10"
    assert run("format_date", "4/10/2015 11:59:59 PM") == "2015-04-10"
    assert run("format_date", date(2024, 1, 5), format="%m/%d/%Y") == "01/05/2024"
    assert run("format_date", "2024-01-05") == "2024-01-05"


def test_currency_convert_uses_rate_in_force_on_the_transaction_date() -> None:
    document = replace(
        DOC,
        currency_rates=(
            CurrencyRate("CAD", date(2024, 1, 1), Decimal("0.7400")),
            CurrencyRate("CAD", date(2024, 6, 1), Decimal("0.7300")),
        ),
    )
    row = export_row(created={"at": "3/15/2024 1:00:00 PM"}, currency="CAD")
    context = ctx(row, document=document)
    assert run("currency_convert", 100, context, from_currency="CAD") == Decimal("74.00")
    later = ctx(export_row(created={"at": "6/2/2024 1:00:00 PM"}), document=document)
    assert run("currency_convert", "100.10", later, from_currency="CAD") == Decimal("73.07")
    assert run("currency_convert", 5, context, from_field="currency") == Decimal("3.70")
    assert run("currency_convert", 5.5, context, from_currency="USD") == Decimal("5.50")
    early = ctx(export_row(created={"at": "12/31/2023 1:00:00 PM"}), document=document)
    with pytest.raises(TransformError, match="no CAD rate on or before 2023-12-31"):
        run("currency_convert", 1, early, from_currency="CAD")
    result = run("currency_convert", 0.1, context, from_currency="CAD")
    assert isinstance(result, Decimal) and result == Decimal("0.07")


def test_lookup_inline_caller_table_and_missing() -> None:
    table = {"card": "CC", "ach": "ACH"}
    assert run("lookup", "Card", table=table) == "CC"
    with pytest.raises(TransformError, match="not in the lookup table"):
        run("lookup", "cash", table=table)
    assert run("lookup", "cash", table=table, if_missing="keep") == "cash"
    assert run("lookup", "cash", table=table, if_missing="default", default="X") == "X"
    links = ctx(tables={"customer_links": {"PT-C00012": "C00012"}})
    assert run("lookup", "PT-C00012", links, context_table="customer_links") == "C00012"
    with pytest.raises(TransformError, match="not in the customer links"):
        run("lookup", "PT-NOPE", links, context_table="customer_links")
    with pytest.raises(TransformError, match="empty"):
        run("lookup", "", links, context_table="customer_links")
    with pytest.raises(TransformError, match="no table called 'prices'"):
        run("lookup", "x", links, context_table="prices")


def test_constant_concatenate_default_if_empty() -> None:
    assert run("constant", "ignored", value="PayTrace") == "PayTrace"
    parts = [{"text": "PT-"}, {"value": True}, {"text": "-PAY"}]
    assert run("concatenate", 79388123, parts=parts) == "PT-79388123-PAY"
    joined = run(
        "concatenate",
        "x",
        parts=[{"field": "billing_address.city"}, {"value": True}],
        separator="/",
    )
    assert joined == "Spokane/x"
    assert run("default_if_empty", "  ", value="n/a") == "n/a"
    assert run("default_if_empty", "", field="customer_reference_id") == "PO123456"
    assert run("default_if_empty", "kept", value="n/a") == "kept"


def test_round_modes() -> None:
    assert run("round", "2.345") == Decimal("2.35")
    assert run("round", "2.345", mode="half_even") == Decimal("2.34")
    assert run("round", "2.349", mode="down") == Decimal("2.34")
    assert run("round", 2.341, mode="up") == Decimal("2.35")
    assert run("round", "1234.5", places=0) == Decimal("1235")
    with pytest.raises(TransformError, match="not a number"):
        run("round", "abc")


def test_status_map_and_gl_account() -> None:
    assert run("status_map", "Approved") == "Paid"
    assert run("status_map", "declined") == "Failed"
    with pytest.raises(TransformError, match="no entry for 'Pending'"):
        run("status_map", "Pending")
    rules = GLRules(
        rules=(
            GLRule("Big Amex", "1051", GLCondition(card_brands=("Amex",), amount_min=Decimal(500))),
            GLRule("ACH", "1060", GLCondition(methods=("ACH",))),
            GLRule("VIP", "1070", GLCondition(customer_ids=("C00099",))),
        ),
        default="1050",
    )
    document = replace(DOC, gl_rules=rules)
    amex = export_row(amount=600, credit_card={"masked_number": "371449*****2376"})
    assert run("gl_account", None, ctx(amex, document=document)) == "1051"
    small_amex = export_row(amount=20, credit_card={"masked_number": "371449*****2376"})
    assert run("gl_account", None, ctx(small_amex, document=document)) == "1050"
    ach = export_row(check={"masked_account_number": "****1"})
    del ach["credit_card"]
    assert run("gl_account", None, ctx(ach, document=document)) == "1060"
    vip = ctx(export_row(), document=document, tables={"customer_links": {"PT-C00012": "C00099"}})
    assert run("gl_account", None, vip) == "1070"
    no_default = replace(DOC, gl_rules=GLRules(rules=(), default=None))
    with pytest.raises(TransformError, match="no default account"):
        run("gl_account", None, ctx(document=no_default))


def test_chain_runs_in_order_and_names_the_failing_step() -> None:
    steps = (
        TransformStep("trim"),
        TransformStep("regex_extract", {"pattern": r"\d{4,}"}),
        TransformStep("strip_leading_zeros"),
    )
    assert run_chain(steps, " INV-0104512 ", ctx()) == "104512"
    with pytest.raises(TransformError, match=r"step 2 \(Regex extract\)"):
        run_chain(steps, "none", ctx())
    with pytest.raises(TransformError, match="no transform called 'shout'"):
        run_chain((TransformStep("shout"),), "x", ctx())


def test_chain_output_types() -> None:
    date_chain = (TransformStep("parse_date"), TransformStep("format_date"))
    assert chain_output_type(date_chain, "text") == "date"
    other = (TransformStep("parse_date"), TransformStep("format_date", {"format": "%d/%m"}))
    assert chain_output_type(other, "text") == "text"
    assert chain_output_type((TransformStep("default_if_empty"),), "money") == "money"
    assert chain_output_type((), "integer") == "integer"


def test_registry_parameter_schema_checks() -> None:
    assert param_problems(REGISTRY["trim"], {}) == []
    problems = [text for _, text in param_problems(REGISTRY["pad_left"], {"widht": 3})]
    assert "'Pad' has no setting called 'widht'" in problems
    assert "'Pad' needs a value for 'Width'" in problems
    bad_regex = param_problems(REGISTRY["regex_extract"], {"pattern": "(["})
    assert bad_regex[0][0] is not None and bad_regex[0][0].kind == "regex"
    float_rate = param_problems(REGISTRY["round"], {"places": "2"})
    assert "expected a whole number" in float_rate[0][1]
    assert param_problems(REGISTRY["concatenate"], {"parts": [{"nope": 1}]})
    every = set(REGISTRY)
    assert {"trim", "upper", "lower", "pad_left", "strip_leading_zeros", "regex_extract"} <= every
    assert {"replace", "parse_date", "format_date", "currency_convert", "lookup"} <= every
    assert {"constant", "concatenate", "default_if_empty", "round"} <= every


def test_error_messages_never_show_a_card_number() -> None:
    with pytest.raises(TransformError) as caught:
        run("regex_extract", "card 4012000098765439 here", pattern=r"^\d+$")
    assert "4012000098765439" not in str(caught.value)
    assert "401200******5439" in str(caught.value)
