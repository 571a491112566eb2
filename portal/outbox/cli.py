"""``flask --app wsgi outbox ...``: the worker, and a look at what waits."""

from __future__ import annotations

import signal
import time
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from portal.db import Database, writing
from portal.outbox import core
from portal.outbox.models import JobStatus

outbox_cli = AppGroup("outbox", help="The outbox: email and index jobs run after a commit.")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Run what is due now, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--batch", default=core.BATCH, show_default=True, help="Jobs per poll.")
def run_command(once: bool, interval: float, batch: int) -> None:
    """Run due jobs, retrying failures with backoff (the portal's worker process)."""
    engine = writing(Database.state(current_app).engine)
    name = core.runner_name()
    stopping = {"now": False}

    def stop(_signum: int, _frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    with Session(bind=engine, expire_on_commit=False) as session:
        while True:
            core.heartbeat(session, name)
            report = core.run_due(session, limit=batch, name=name)
            if once:
                click.echo(f"Done: {report.done}, to retry: {report.retried}, "
                           f"parked: {report.parked}")
                return
            if stopping["now"]:
                return
            if report.ran < batch:
                time.sleep(interval)


@outbox_cli.command("status")
def status_command() -> None:
    """How many jobs wait, run, are done or are parked."""
    engine = Database.state(current_app).engine
    with Session(bind=engine) as session:
        for status, number in core.counts(session).items():
            click.echo(f"{status.value:<8} {number}")


@outbox_cli.command("retry")
@click.argument("job_id", type=int)
def retry_command(job_id: int) -> None:
    """Give a parked job another round of attempts."""
    engine = Database.state(current_app).engine
    with Session(bind=engine) as session:
        if not core.retry_parked(session, job_id):
            raise click.ClickException(f"Job {job_id} is not parked.")
        session.commit()
    click.echo(f"Job {job_id} will be tried again.")


@outbox_cli.command("prune")
@click.option("--days", default=core.KEEP_DONE.days, show_default=True)
def prune_command(days: int) -> None:
    """Forget jobs done more than DAYS ago."""
    from datetime import timedelta

    engine = Database.state(current_app).engine
    with Session(bind=engine) as session:
        removed = core.prune(session, older_than=timedelta(days=days))
        session.commit()
    click.echo(f"Removed {removed} done jobs.")


__all__ = ["JobStatus", "outbox_cli"]
