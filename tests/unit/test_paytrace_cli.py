"""``paysage sandbox paytrace`` arguments and the stand-in they build."""

from __future__ import annotations

import argparse

from app.sandbox.paytrace import cli


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults():
    args = parse()
    assert (args.port, args.username, args.password, args.integrator_id) == (
        0, "demo", "demo", "DEMOINTEGRA1"
    )  # fmt: skip
    app = cli.build(args)
    assert app.store.transactions == {} and app.settings.merchant_zone is None


def test_seeded_with_zone_and_credentials():
    args = parse("--port", "8123", "--seed", "4", "--username", "u", "--password", "p",
                 "--integrator-id", "I1", "--timezone", "America/Chicago")  # fmt: skip
    app = cli.build(args)
    assert app.settings.username == "u" and app.settings.integrator_id == "I1"
    assert len(app.store.transactions) == 300 and app.store.batches


def test_unknown_zone_is_a_plain_error(capsys):
    assert cli.run(parse("--timezone", "Mars/Olympus")) == 2
    assert "Unknown time zone" in capsys.readouterr().out
