from __future__ import annotations

import json
import time

import click
from flask.cli import AppGroup

from portal.extensions import db

directory_cli = AppGroup("directory", help="The community directory (Open Referral UK).")
geo_cli = AppGroup("geo", help="Postcodes and places.")


@directory_cli.command("import-oruk")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_oruk(path: str) -> None:
    """Import Open Referral UK 3.0 services from PATH: one service, a list, or a list page.

    Upserts by id; importing the same file again changes nothing. Invalid records are
    reported and skipped; the valid ones are imported.
    """
    from portal.directory import importer

    started = time.perf_counter()
    try:
        documents = importer.read_file(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not an Open Referral UK JSON file: {exc}") from exc
    summary = importer.import_services(db.session, documents)
    db.session.commit()
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"Imported {summary.imported}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"skipped {summary.skipped} of {len(documents)} services "
        f"({len(summary.organisations_created)} organisations added, "
        f"{len(summary.organisations_updated)} updated) in {time.perf_counter() - started:.1f} s.")


@directory_cli.command("export-oruk")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_oruk(path: str) -> None:
    """Write every published service to PATH as a JSON list of full ORUK 3.0 services."""
    from portal.directory.oruk import service_to_oruk
    from portal.directory.queries import iter_published_services

    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for service in iter_published_services(db.session):
            fh.write(",\n" if count else "\n")
            fh.write(json.dumps(service_to_oruk(service), ensure_ascii=False))
            count += 1
        fh.write("\n]\n")
    db.session.rollback()
    click.echo(f"Exported {count} published services to {path}.")


@geo_cli.command("import-onspd")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=5000, show_default=True, help="Rows per batch.")
def import_onspd(path: str, batch_size: int) -> None:
    """Load postcodes and their coordinates from an ONS Postcode Directory CSV file.

    Reads the columns pcds, lat and long; skips rows without coordinates.
    """
    from portal.places.onspd import OnspdError
    from portal.places.onspd import import_onspd as run

    session = db.session
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            counts = run(session, fh, batch_size=batch_size,
                         after_batch=lambda _counts: session.commit())
    except (OnspdError, UnicodeDecodeError) as exc:
        session.rollback()
        raise click.ClickException(f"{path}: {exc}") from exc
    session.commit()
    click.echo(f"Read {counts.read} rows: {counts.added} postcodes added, {counts.updated} updated, "
               f"{counts.unchanged} unchanged, {counts.skipped} skipped.")
