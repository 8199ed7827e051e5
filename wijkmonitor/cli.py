"""The `wijkmonitor` command: a thin layer over the library.

Each subcommand parses its arguments, calls one library function and turns a
WijkmonitorError (core/errors.py) into one line on stderr and its exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from core.errors import EXIT_INPUT_REJECTED, EXIT_OK, WijkmonitorError

if TYPE_CHECKING:
    from wijkmonitor.pipeline import RunReport


def _generate(args: argparse.Namespace) -> int:
    from wijkmonitor.generate import generate

    generate(out=args.out, seed=args.seed, scale=args.scale)
    return EXIT_OK


def run_etl(sources: Path, warehouse: Path, db: Path, *, out: TextIO | None = None, err: TextIO | None = None,
            **options) -> int:
    """`wijkmonitor etl` as a function: run the pipeline (options: wijkmonitor.pipeline.run), return the exit code."""
    from wijkmonitor import pipeline

    out, err = out or sys.stdout, err or sys.stderr
    return _finish("wijkmonitor etl", lambda: pipeline.run(sources, warehouse, db, out=out, err=err, **options), out, err)


def run_validate(sources: Path, *, out: TextIO | None = None, err: TextIO | None = None, **options) -> int:
    """`wijkmonitor validate` as a function: check the sources only, return the exit code."""
    from wijkmonitor import pipeline

    out, err = out or sys.stdout, err or sys.stderr
    return _finish("wijkmonitor validate", lambda: pipeline.validate(sources, out=out, **options), out, err)


def _finish(prefix: str, run: Callable[[], RunReport], out: TextIO, err: TextIO) -> int:
    """Run; a WijkmonitorError becomes one line and its exit code, a report its summary and exit code 0 or 1."""
    from wijkmonitor.summary import rejection_lines, summary_text

    try:
        report = run()
    except WijkmonitorError as error:
        print(f"{prefix}: {error}", file=err)
        return error.exit_code
    for line in rejection_lines(report):
        print(f"{prefix}: {line}", file=err)
    print(summary_text(report), file=out)
    return EXIT_INPUT_REJECTED if report.input_rejected else EXIT_OK


def _etl(args: argparse.Namespace) -> int:
    warehouse = args.warehouse or args.db.with_name(args.db.stem + "_warehouse.duckdb")
    options = {"config": _monitor_config(args.config)} if args.config else {}
    return run_etl(sources=args.sources, warehouse=warehouse, db=args.db, aanlevering=_delivery_options(args), **options)


def _monitor_config(path: Path):
    """The configuration of `--config` (monitor.toml with its settings store beside it), as the ETL reads it."""
    from indicators.config import load_config

    return load_config(path)


def _validate(args: argparse.Namespace) -> int:
    return run_validate(sources=args.sources, aanlevering=_delivery_options(args))


def _delivery_options(args: argparse.Namespace):
    """How the drop is taken, from the etl/validate options."""
    from etl.contract import Drempels
    from etl.deliveries import Aanlevering

    return Aanlevering(
        gebieden=args.gebieden,
        bevestigd=frozenset(name.strip().strip("/") for name in args.bevestig_krimp),
        drempels=Drempels(max_afgekeurd=args.max_afgekeurd, max_gewicht=args.max_gewicht),
    )


def _fraction(text: str) -> float:
    """A share between 0 and 1 (argparse type)."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} ligt niet tussen 0 en 1")
    return value


def _add_delivery_options(p: argparse.ArgumentParser) -> None:
    """Options of etl and validate about how a drop is taken (data-contracts.md, "Deliveries over time")."""
    from etl.contract import MAX_GEWICHT, Drempels
    from core.paths import GEBIEDEN_CSV

    p.add_argument("--gebieden", type=Path, default=GEBIEDEN_CSV,
                   help="area table wijk -> gebied -> gemeente (default: the shipped data/reference/gebieden.csv); "
                        "a gebieden.csv lying in the source folder is ignored")
    p.add_argument("--bevestig-krimp", action="append", default=[], metavar="BRON/BESTAND",
                   help="accept a re-delivered file that lost more than 10%% of the rows of its accepted version "
                        "(held back otherwise); repeat for more files, e.g. --bevestig-krimp bijstand/bijstand.csv")
    p.add_argument("--max-afgekeurd", type=_fraction, default=Drempels().max_afgekeurd, metavar="FRACTIE",
                   help="a file with more than this share of rows failing the rules is held back whole "
                        "(default 0.5)")
    p.add_argument("--max-gewicht", type=float, default=MAX_GEWICHT, metavar="GETAL",
                   help=f"largest plausible survey weight (gewicht); default {MAX_GEWICHT:g}")


def _export(args: argparse.Namespace) -> int:
    from indicators.export import export

    export(db=args.db, out=args.out)
    return EXIT_OK


def _rapport(args: argparse.Namespace) -> int:
    from dashboard.rapport import write_report

    peildatum = write_report(db=args.db, out=args.out, peildatum=args.peildatum)
    print(f"Rapport over peildatum {peildatum.isoformat()} geschreven naar {args.out}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from dashboard.app import serve

    serve(db=args.db, host=args.host, port=args.port, state=args.state, workers=args.workers, auth=args.auth,
          sso_header=args.sso_header, trusted_proxies=args.trusted_proxy, insecure_cookies=args.insecure_cookies,
          config=args.config)
    return EXIT_OK


def _users(args: argparse.Namespace) -> int:
    from dashboard.users import UserStore

    store = UserStore(args.state)
    if args.action == "list":
        for username, role in store.list():
            print(f"{username}\t{role}")
    elif args.action == "remove":
        store.remove(args.username)
    else:
        password = _read_password(args.password_stdin)
        if args.action == "add":
            store.add(args.username, password, args.role)
        else:
            store.set_password(args.username, password)
    return EXIT_OK


def _instellingen(args: argparse.Namespace) -> int:
    """The settings in force (toon) or every change with who, when, why and what (geschiedenis)."""
    from core import paths
    from dashboard.format import format_date, format_datetime
    from dashboard.settings_text import WET_LABELS, InForce, describe, euros_text

    in_force = InForce(args.config or paths.MONITOR_CONFIG)
    if args.action == "geschiedenis":
        changes = [c for c in in_force.changes if args.onderdeel in (None, c.onderdeel)]
        for change in changes:
            print(f"versie {change.versie}\t{format_datetime(change.op)}\t{change.door}\t{change.onderdeel}\t{change.reden}")
            for line in describe(change.onderdeel, in_force.before(change), in_force.after(change), {}):
                print(f"  {line}")
        if not changes:
            print("nog geen wijzigingen in het scherm; alles komt uit monitor.toml")
        return EXIT_OK
    version = in_force.version
    print(f"instellingen versie {version.versie} van {format_datetime(version.op)}" if version
          else "instellingen versie 0: monitor.toml zonder wijzigingen uit het scherm")
    for onderdeel in ("werkwijzen", "begroting", "taakstelling"):
        if args.onderdeel not in (None, onderdeel):
            continue
        edited = in_force.latest.get(onderdeel)
        source = f"scherm, versie {edited.versie}" if edited and edited.inhoud is not None else "monitor.toml"
        print(f"{onderdeel} (bron: {source})")
        if onderdeel == "werkwijzen":
            for w in in_force.werkwijzen():
                print(f"  {w['naam']}: vanaf {format_date(w['startdatum'])}; wijken {', '.join(w['wijken'])}")
        else:
            for (jaar, wet), value in sorted(in_force.amounts(onderdeel).items()):
                print(f"  {jaar}\t{WET_LABELS.get(wet, wet)}\t€ {euros_text(value)}")
    return EXIT_OK


def _read_password(from_stdin: bool) -> str:
    """The new password from standard input or an interactive prompt, never from argv."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    password = getpass.getpass("Nieuw wachtwoord: ")
    if getpass.getpass("Nogmaals: ") != password:
        raise WijkmonitorError("de wachtwoorden verschillen")
    return password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkmonitor",
        description="Wijkmonitor Sociaal Domein: laden, valideren, berekenen, publiceren en tonen.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("generate", help="write demo sources in the data-contract format")
    p.add_argument("--out", type=Path, required=True, help="folder to write the six sources into")
    p.add_argument("--seed", type=int, default=2015, help="random seed (same seed, same files)")
    p.add_argument("--scale", type=float, default=1.0, help="population factor (75 ~ the Netherlands)")
    p.set_defaults(run=_generate)

    p = commands.add_parser("etl", help="load, validate, compute and publish")
    p.add_argument("--sources", type=Path, required=True, help="source folder (bronmap)")
    p.add_argument("--warehouse", type=Path, help="warehouse DuckDB (default: next to --db)")
    p.add_argument("--db", type=Path, required=True, help="published monitor DuckDB to (re)place")
    p.add_argument("--config", type=Path, help="monitor.toml (default: data/config/monitor.toml; the store is beside it)")
    _add_delivery_options(p)
    p.set_defaults(run=_etl)

    p = commands.add_parser("validate", help="validate sources only: report and exit code")
    p.add_argument("--sources", type=Path, required=True, help="source folder (bronmap)")
    _add_delivery_options(p)
    p.set_defaults(run=_validate)

    p = commands.add_parser("export", help="write the publication contract (long format)")
    p.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    p.add_argument("--out", type=Path, required=True,
                   help="FILE.csv, FILE.xlsx or FILE.parquet (csv/parquet: metadata beside it in FILE_toelichting.csv)")
    p.set_defaults(run=_export)

    p = commands.add_parser("rapport", help="write the council report (PDF) for one peildatum")
    p.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    p.add_argument("--out", type=Path, required=True, help="FILE.pdf to write")
    p.add_argument("--peildatum", metavar="YYYY-MM-DD", help="reference date in the store (default: the latest)")
    p.set_defaults(run=_rapport)

    p = commands.add_parser("serve", help="serve the dashboard")
    p.add_argument("--db", type=Path, required=True, help="published monitor DuckDB (opened read-only)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument("--state", type=Path, help="app-state SQLite for PDCA notes (default: next to --db)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("--config", type=Path,
                   help="monitor.toml whose settings /instellingen edits (default: data/config/monitor.toml)")
    p.add_argument("--auth", choices=["login", "sso"],
                   help="login: every request needs a user (default when users exist); sso: the user comes from "
                        "--sso-header set by the proxy; without either: the demo, loopback only")
    p.add_argument("--sso-header", "--trusted-user-header", dest="sso_header", metavar="HEADER",
                   help="header with the user name set by the single-sign-on proxy (e.g. X-Remote-User); implies --auth sso "
                        "and needs --trusted-proxy")
    p.add_argument("--trusted-proxy", metavar="ADDRESS", action="append", default=[],
                   help="address of the reverse proxy whose X-Forwarded-For and SSO header are believed (repeatable)")
    p.add_argument("--insecure-cookies", action="store_true",
                   help="send the session cookie over plain HTTP too (testing only; use HTTPS in production)")
    p.set_defaults(run=_serve)

    p = commands.add_parser("users", help="manage dashboard users (add|remove|passwd|list)")
    p.add_argument("action", choices=["add", "remove", "passwd", "list"])
    p.add_argument("username", nargs="?", help="user name (not for list)")
    p.add_argument("--role", choices=["raad", "programmateam", "beheer"], default="raad")
    p.add_argument("--state", type=Path, required=True, help="app-state SQLite of the dashboard")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(run=_users)

    p = commands.add_parser("instellingen", help="settings edited on /instellingen: toon (in force) | geschiedenis")
    p.add_argument("action", choices=["toon", "geschiedenis"])
    p.add_argument("--onderdeel", choices=["werkwijzen", "begroting", "taakstelling"], help="one section only")
    p.add_argument("--config", type=Path, help="monitor.toml (default: data/config/monitor.toml; the store is beside it)")
    p.set_defaults(run=_instellingen)

    return parser


def keep_files_private() -> None:
    """Every file and folder a command creates (state, warehouse, archive, published store, exports)
    is readable by the account that runs it only: 0600 files, 0700 folders. Share deliberately."""
    os.umask(0o077)


def main(argv: list[str] | None = None) -> int:
    keep_files_private()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "users" and args.action != "list" and not args.username:
        parser.error(f"users {args.action} needs a user name")
    try:
        return args.run(args)
    except WijkmonitorError as error:
        print(f"wijkmonitor {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"wijkmonitor {args.command}: afgebroken", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
