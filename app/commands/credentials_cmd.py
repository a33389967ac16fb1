"""`paysage credentials set|test|delete --profile P paytrace|sagepro`"""

from __future__ import annotations

import argparse
import getpass

from app import credentials
from app.credentials import SecretSystem


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "credentials",
        help="store, test or delete a password/API key in the OS keyring",
        description="Secrets live only in the OS keyring (Windows Credential Manager).",
    )
    parser.add_argument("action", choices=["set", "test", "delete"])
    parser.add_argument("system", choices=[s.value for s in SecretSystem])
    parser.add_argument("--profile", default="Sandbox", help="profile name (default Sandbox)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    system = SecretSystem(args.system)
    if args.action == "set":
        label = "API password" if system is SecretSystem.PAYTRACE else "API key / password"
        secret = getpass.getpass(f"{system.value} {label} for profile {args.profile}: ")
        credentials.set_secret(args.profile, system, secret)
        print(f"Stored the {system.value} secret for profile {args.profile} in the keyring.")
        return 0
    if args.action == "delete":
        removed = credentials.delete_secret(args.profile, system)
        print("Deleted." if removed else "Nothing was stored.")
        return 0
    credentials.get_secret(args.profile, system)  # raises with a plain message when absent
    print(f"A {system.value} secret is stored for profile {args.profile}.")
    return 0
