"""``shopadmin import KIND FILE`` and ``shopadmin export WHAT``: acting as the platform."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from shopadmin.cli import domain_errors
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.exchange import services
from shopadmin.exchange.formats import FORMATS, guess_format, read_records
from shopadmin.exchange.importers import IMPORTERS

MAX_SHOWN_ERRORS = 200


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(IMPORTERS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report errors; write nothing.")
@click.option("--shop", "shop_code", default=None, help="The shop to import into (else a 'shop' column).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from the file name.")
@with_appcontext
@domain_errors
def import_command(kind: str, file: Path, dry_run: bool, shop_code: str | None, fmt: str | None) -> None:
    """Import customers, products, stock or orders from CSV or JSON, all or nothing.

    Customers are matched by email within the shop's sharing group (never duplicated);
    order CSVs have one line per order line, grouped by order_ref.
    """
    access = system_access("cli:import")
    records = read_records(file.read_bytes(), fmt or guess_format(file.name))
    label = f"{'Checking' if dry_run else 'Importing'} {kind}"
    with unit_of_work(access), click.progressbar(length=len(records), label=label, file=sys.stderr) as bar:

        def progress(done: int) -> None:
            bar.update(done - bar.pos)

        result = services.import_records(access, kind, records, shop_code=shop_code, dry_run=dry_run,
                                         progress=progress)
    for row in result.error_rows[:MAX_SHOWN_ERRORS]:
        click.echo(f"row {row.row}: {'; '.join(row.errors)}", err=True)
    summary = (f"{len(result.rows)} rows: {result.count('created')} created, {result.count('updated')} updated, "
               f"{result.count('matched')} matched, {len(result.error_rows)} with errors")
    if not result.ok:
        raise click.ClickException(f"{summary}. Nothing was imported: fix the rows above and run again.")
    click.echo(f"{summary}. {'Dry run: nothing was written.' if dry_run else 'Imported.'}")


@click.command("export")
@click.argument("what", type=click.Choice(["orders", "customers"]))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--shop", "shop_code", default=None, help="Only this shop's orders.")
@click.option("--state", default=None, help="Only orders in this state.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Default: standard output.")
@with_appcontext
@domain_errors
def export_command(what: str, fmt: str, shop_code: str | None, state: str | None, date_from: object,
                   date_to: object, output: Path | None) -> None:
    """Export orders or customers as CSV (safe to open in a spreadsheet) or JSON."""
    access = system_access("cli:export")
    with unit_of_work(access):
        if what == "orders":
            records = services.export_orders(access, services.ExportQuery(
                shop=shop_code, state=state, date_from=_day(date_from), date_to=_day(date_to)))
        else:
            records = services.export_customers(access)
        chunks = services.export_stream(what, records, fmt)
        if output is None:
            for chunk in chunks:
                click.echo(chunk, nl=False)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            click.echo(f"Wrote {output}", err=True)


def _day(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else None
