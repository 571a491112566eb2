"""Services own change: views never commit, and a service that changes rows audits them.

The decorator (``portal.unit_of_work.service``) refuses to commit an unaudited change at run
time; this module checks the rule itself works, that no view module commits, and that every
service that opted out of auditing is one somebody reviewed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.audit.events import EventType
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.unit_of_work import SERVICES, UnauditedChange, service
from tests.helpers.factories import make_user

PORTAL = Path(__file__).resolve().parents[2] / "portal"

# Every service allowed to change rows without an audit event, and why (reviewed).
REVIEWED_UNAUDITED = {
    "portal.accounts.services.check_session": "a session's last-seen time and idle expiry",
    "portal.accounts.services.extend_session": "keeping a session alive",
    "portal.content.services.record_feedback": "anonymous 'Was this helpful?' feedback",
    "portal.journeys.services.save_page": "a form's answers in progress; the submission is audited",
    "portal.journeys.services.take_over": "a draft's token moved to this browser (form in progress)",
    "portal.journeys.services.use_resume_link": "following a link back to a form in progress",
    "portal.carers.services.send_resume_link": "a link back to a form in progress (no answers in it)",
    "portal.journeys.services.purge_drafts": "deleting unsent form drafts past their time",
    "portal.demo.load": "demonstration data, all or nothing (what it calls audits itself)",
    "portal.pulse.services.answer": "an anonymous answer to the experience pulse: an audit "
                                    "event naming the person beside it would trace it to them",
    "portal.pulse.services.decline": "turning down the experience pulse: no answer is kept",
}


def _view_modules() -> list[Path]:
    return sorted(p for p in PORTAL.rglob("*.py") if "views" in p.name)


def test_no_view_module_commits_or_rolls_back_the_session():
    offenders = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                offenders.append(f"{path.relative_to(PORTAL)}:{node.lineno}")
    assert offenders == [], "views call one service; services commit"
    assert len(_view_modules()) > 10  # the walk found the views


def _import_every_module() -> None:
    """Services register when their module is imported: import them all, so the answer does
    not depend on which other tests ran first in this process."""
    import importlib
    import pkgutil

    import portal

    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)


def test_every_unaudited_service_is_reviewed(app):
    _import_every_module()
    unaudited = {name: spec.because for name, spec in SERVICES.items() if not spec.audited}
    assert set(unaudited) == set(REVIEWED_UNAUDITED)
    assert all(unaudited.values())


def test_services_are_registered_from_every_area(app):
    areas = {name.split(".")[1] for name in SERVICES}
    assert {"accounts", "moderation", "content", "profile", "privacy", "audit"} <= areas


@service
def _rename_without_audit(session, /, *, user, name):  # type: ignore[no-untyped-def]
    user.display_name = name


@service
def _rename_with_audit(session, /, *, user, name):  # type: ignore[no-untyped-def]
    user.display_name = name
    record(session, EventType.SETTINGS_CHANGED, actor_id=user.id, subject_id=user.id,
           settings=["display_name"])


@service
def _outer(session, /, *, user):  # type: ignore[no-untyped-def]
    _rename_with_audit(session, user=user, name="Inner")
    raise LookupError("the outer service fails after the inner one")


def test_a_change_without_its_audit_event_is_refused_and_rolled_back(app, session):
    user = make_user(session, name="Before")
    session.commit()
    with pytest.raises(UnauditedChange):
        _rename_without_audit(session, user=user, name="After")
    session.refresh(user)
    assert user.display_name == "Before"


def test_a_change_with_its_audit_event_commits_both(app, session):
    user = make_user(session, name="Before")
    _rename_with_audit(session, user=user, name="After")
    session.rollback()  # nothing left to roll back: the service committed
    session.refresh(user)
    assert user.display_name == "After"
    assert session.scalar(select(AuditEvent.event_type).where(
        AuditEvent.subject_id == user.id)) == EventType.SETTINGS_CHANGED.value


def test_a_service_called_inside_another_joins_its_transaction(app, session):
    user = make_user(session, name="Before")
    session.commit()
    with pytest.raises(LookupError):
        _outer(session, user=user)
    session.refresh(user)
    assert user.display_name == "Before"


def test_services_take_their_arguments_by_keyword(app, session):
    with pytest.raises(TypeError):
        _rename_with_audit(session, make_user(session), "Positional")  # type: ignore[call-arg]


def test_an_unaudited_service_must_say_why():
    with pytest.raises(ValueError, match="says why"):
        service(audited=False)
