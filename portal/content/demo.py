"""Demo data: the starter library in ``content/``, approved, with its demo author and approver."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from portal.accounts import services as accounts

DEMO_PEOPLE = {"Demo Author": "author@demo.portal.test",
               "Dr Demo Approver": "approver@demo.portal.test"}
STARTER_LIBRARY = Path(__file__).resolve().parents[2] / "content"


class DemoLibraryError(RuntimeError):
    pass


def load_demo(session: Session, root: Path | None = None) -> list[str]:
    """Sync the starter library (idempotent); the demo accounts stand for its people."""
    from portal.content import sync

    people = {name: user for name, email in DEMO_PEOPLE.items()
              if (user := accounts.find_by_email(session, email)) is not None}
    report = sync.sync(session, root or STARTER_LIBRARY, people=people)
    if not report.ok:
        raise DemoLibraryError("; ".join(str(p) for p in report.problems))
    return report.created + report.updated
