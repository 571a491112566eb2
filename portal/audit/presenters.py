"""Audit entries for people to read: labels, names looked up from ids, roles at the time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.events import AccessReason, EventType, ObjectType, RecordType, ViewPurpose
from portal.audit.models import AuditEvent
from portal.authz import Role

EVENT_LABELS = {
    EventType.SIGN_IN: _l("Signed in"),
    EventType.SIGN_IN_FAILED: _l("Failed to sign in"),
    EventType.SIGN_OUT: _l("Signed out"),
    EventType.SESSIONS_REVOKED: _l("Signed out everywhere"),
    EventType.MFA_ENABLED: _l("Turned on two-factor authentication"),
    EventType.MFA_DISABLED: _l("Turned off two-factor authentication"),
    EventType.RECOVERY_CODE_USED: _l("Used a recovery code"),
    EventType.PASSWORD_CHANGED: _l("Changed password"),
    EventType.EMAIL_CHANGED: _l("Changed email address"),
    EventType.EMAIL_CHANGE_REQUESTED: _l("Asked to change email address"),
    EventType.ADDRESS_CLAIMED: _l("Someone tried to use this email address for another account"),
    EventType.PASSWORD_RESET_REQUESTED: _l("Asked to reset password"),
    EventType.PASSWORD_RESET: _l("Reset password"),
    EventType.EMAIL_VERIFIED: _l("Confirmed email address"),
    EventType.ROLES_CHANGED: _l("Changed roles"),
    EventType.ACCOUNT_DISABLED: _l("Disabled account"),
    EventType.ACCOUNT_ENABLED: _l("Enabled account"),
    EventType.ACCOUNT_CREATED: _l("Created account"),
    EventType.SETTINGS_CHANGED: _l("Changed settings"),
    EventType.LISTING_SUBMITTED: _l("Sent a listing change for review"),
    EventType.LISTING_DRAFT_CHANGED: _l("Changed a listing change waiting for review"),
    EventType.LISTING_PUBLISHED: _l("Published a listing change"),
    EventType.LISTING_REJECTED: _l("Rejected a listing change"),
    EventType.LISTING_RESTORED: _l("Restored an earlier version of a listing"),
    EventType.LISTING_CONFIRMED: _l("Confirmed a listing is still correct"),
    EventType.PROBLEM_REPORTED: _l("Reported a problem with a listing"),
    EventType.PROBLEM_RESOLVED: _l("Resolved a problem report"),
    EventType.STALE_REMINDERS_SENT: _l("Reminded editors of listings not checked for a year"),
    EventType.GUIDANCE_CREATED: _l("Created a guidance page"),
    EventType.GUIDANCE_DRAFT_SAVED: _l("Saved a guidance draft"),
    EventType.GUIDANCE_SUBMITTED: _l("Sent guidance for clinical approval"),
    EventType.GUIDANCE_APPROVED: _l("Approved guidance"),
    EventType.GUIDANCE_SENT_BACK: _l("Sent guidance back to its author with comments"),
    EventType.GUIDANCE_WITHDRAWN: _l("Withdrew guidance"),
    EventType.GUIDANCE_RECOMMENDED: _l("Recommended guidance"),
    EventType.GUIDANCE_REVIEW_CHECKED: _l("Checked guidance review dates"),
    EventType.OUTBOX_JOB_RETRIED: _l("Retried a parked email or index update"),
    EventType.RECORD_VIEWED: _l("Looked at a record"),
    EventType.RECORD_CHANGED: _l("Changed a record"),
    EventType.AUDIT_SEARCHED: _l("Searched the audit log"),
    EventType.DATA_EXPORTED: _l("Downloaded their data"),
    EventType.ACCOUNT_DELETED: _l("Deleted account"),
    # Carers
    EventType.CARER_REFERRAL_SUBMITTED: _l("Asked for a carer's assessment"),
    EventType.CARER_REFERRAL_VIEWED: _l("Opened a carer's assessment request"),
    EventType.CARER_REFERRAL_STATUS_CHANGED:
        _l("Changed the status of a carer's assessment request"),
    EventType.CARER_REFERRAL_ASSIGNED: _l("Assigned a carer's assessment request"),
    EventType.CARER_REFERRAL_CONTACT_RECORDED:
        _l("Recorded an attempt to contact a carer"),
    EventType.CARER_REFERRAL_EXPORTED: _l("Exported a carer's assessment request"),
    EventType.CARER_REFERRALS_EXPORTED: _l("Exported carer's assessment requests"),
    # Care circles
    EventType.LOCALITY_CHANGED: _l("Changed home area"),
    EventType.CONSENT_GIVEN: _l("Agreed to share with the care team"),
    EventType.CONSENT_WITHDRAWN: _l("Stopped sharing with the care team"),
    EventType.CARER_INVITED: _l("Invited a carer"),
    EventType.CARER_ACCEPTED: _l("Accepted an invitation to be a carer"),
    EventType.CARER_CHANGED: _l("Changed what a carer may do"),
    EventType.CARER_REVOKED: _l("Ended a carer's access"),
    EventType.CARER_ARRANGED: _l("Recorded a carer's access arranged for someone"),
    EventType.CARER_REQUESTED: _l("Asked to be someone's carer"),
    EventType.CARER_REQUEST_ANSWERED: _l("Answered a carer's request"),
    # Messaging
    EventType.MESSAGE_SENT: _l("Sent a message"),
    EventType.MESSAGE_THREAD_OPENED: _l("Read a message thread"),
    EventType.MESSAGE_THREAD_ASSIGNED: _l("Assigned a message thread"),
    EventType.MESSAGE_NOTE_ADDED: _l("Added a team note to a message thread"),
    EventType.MESSAGE_THREAD_CLOSED: _l("Closed a message thread"),
    EventType.MESSAGE_THREAD_REOPENED: _l("Reopened a message thread"),
    EventType.MESSAGE_ATTACHMENT_OPENED: _l("Opened a message attachment"),
    EventType.MESSAGE_THREADS_PURGED: _l("Deleted closed message threads past retention"),
    # Figures
    EventType.FIGURES_VIEWED: _l("Looked at figures"),
    EventType.CARE_TEAM_CHANGED: _l("Set up or changed a care team"),
}

REASON_LABELS = {
    AccessReason.OWNER: _l("You"),
    AccessReason.CARE_TEAM: _l("Member of your care team"),
    AccessReason.PROXY: _l("Someone you allowed to act for you"),
    AccessReason.ADMIN: _l("Administrator managing accounts"),
}

# Why an administrator opened someone's personal details (they choose one before looking).
PURPOSE_LABELS = {
    ViewPurpose.ACCOUNT_HELP: _l("The person asked for help with their account"),
    ViewPurpose.CORRECTION: _l("Correcting a mistake in the person's details"),
    ViewPurpose.DATA_REQUEST: _l("A data protection request from the person"),
    ViewPurpose.SAFEGUARDING: _l("A safeguarding concern"),
    ViewPurpose.SECURITY: _l("Investigating a security problem with the account"),
    ViewPurpose.OTHER: _l("Another reason (say what it is)"),
}


def purpose_label(value: str | None) -> str:
    purpose = _enum(ViewPurpose, value)
    return str(PURPOSE_LABELS[purpose]) if purpose else (value or "")


# What an access did, as the person whose record it is reads it.
ACCESS_LABELS = {
    (EventType.RECORD_VIEWED, RecordType.PERSONAL_DETAILS): _l("Looked at your personal details"),
    (EventType.RECORD_CHANGED, RecordType.PERSONAL_DETAILS): _l("Changed your personal details"),
    (EventType.AUDIT_SEARCHED, RecordType.AUDIT_LOG):
        _l("Searched the record of activity on your account"),
    (EventType.DATA_EXPORTED, RecordType.ACCOUNT): _l("Downloaded a copy of your data"),
    # Plans (portal.plans)
    (EventType.RECORD_VIEWED, RecordType.PLAN): _l("Looked at your plan"),
    (EventType.RECORD_CHANGED, RecordType.PLAN): _l("Changed your plan"),
    (EventType.RECORD_CHANGED, RecordType.PLAN_DRAFT): _l("Kept a draft of a change to your plan"),
    (EventType.RECORD_CHANGED, RecordType.PLAN_NOTE): _l("Added a note to your plan"),
    (EventType.RECORD_CHANGED, RecordType.PLAN_LINK): _l("Suggested something that may help you"),
    (EventType.DATA_EXPORTED, RecordType.PLAN): _l("Downloaded your plan"),
}

TARGET_LABELS = {
    RecordType.PERSONAL_DETAILS: _l("Personal details"),
    RecordType.AUDIT_LOG: _l("Audit log"),
    RecordType.ACCOUNT: _l("Account"),
    ObjectType.LISTING: _l("Listing"),
    ObjectType.REVISION: _l("Listing change"),
    ObjectType.PROBLEM_REPORT: _l("Problem report"),
    ObjectType.GUIDANCE: _l("Guidance page"),
    ObjectType.GUIDANCE_VERSION: _l("Guidance version"),
    ObjectType.DIRECTORY: _l("Directory"),
    ObjectType.OUTBOX_JOB: _l("Email or index update"),
    # Carers
    ObjectType.CARER_REFERRAL: _l("Carer's assessment request"),
    ObjectType.CARE_TEAM: _l("Care team"),
}


def target_label(value: str | None) -> str:
    kind = _enum(RecordType, value) or _enum(ObjectType, value)
    return str(TARGET_LABELS[kind]) if kind in TARGET_LABELS else (value or "")


UNKNOWN_PERSON = _l("Unknown person")
NOBODY = _l("Nobody signed in")


def names_for(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the accounts with these ids, in one query."""
    from portal.accounts.models import User

    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {row.id: row.display_name for row in rows}


def _enum(kind: type[Any], value: str | None) -> Any:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


def role_labels(values: Iterable[str]) -> list[str]:
    return [str(role.label) if (role := _enum(Role, v)) else v for v in values]


def event_label(value: str) -> str:
    event = _enum(EventType, value)
    return str(EVENT_LABELS[event]) if event else value


def reason_label(value: str | None) -> str:
    reason = _enum(AccessReason, value)
    return str(REASON_LABELS[reason]) if reason else ""


def _person(names: dict[int, str], person_id: int | None) -> str:
    if person_id is None:
        return str(NOBODY)
    return names.get(person_id, str(UNKNOWN_PERSON))


@dataclass(frozen=True)
class AccessEntry:
    when: datetime
    who: str
    roles: list[str]
    why: str
    what: str
    purpose: str = ""  # the reason an administrator gave before looking
    note: str = ""     # and their own words


def describe_accesses(session: Session, entries: list[AuditEvent]) -> list[AccessEntry]:
    names = names_for(session, (e.actor_id for e in entries))
    described = []
    for e in entries:
        key = (_enum(EventType, e.event_type), _enum(RecordType, e.target_type))
        described.append(AccessEntry(
            when=e.created_at,
            who=_person(names, e.actor_id),
            roles=role_labels((e.details or {}).get("viewer_roles", [])),
            why=reason_label(e.reason),
            what=str(ACCESS_LABELS.get(key, event_label(e.event_type))),
            purpose=purpose_label((e.details or {}).get("purpose")),
            note=str((e.details or {}).get("note") or ""),
        ))
    return described


@dataclass(frozen=True)
class AdminEntry:
    id: int
    when: datetime
    event: str
    actor: str
    subject: str
    target: str
    reason: str
    details: list[tuple[str, str]]


def _labelled(names: dict[int, str], person_id: int | None) -> str:
    return _person(names, person_id) + (f" (#{person_id})" if person_id is not None else "")


# Audit detail keys in words (the admin log shows "Viewed as: administrator", never
# "viewer_roles: admin"). Every key an event type takes has a label (tests/unit/test_audit.py).
DETAIL_LABELS = {
    "added": _l("Roles added"),
    "again": _l("Approved again"),
    "approved": _l("Approved"),
    "assignee": _l("Assigned to account"),
    "attachment": _l("Attachment"),
    "attachments": _l("Attachments"),
    "attempts": _l("Attempts"),
    "cards": _l("Cards"),
    "cause": _l("Why"),
    "contact": _l("Left a way to contact them"),
    "count": _l("How many"),
    "created": _l("Newly created"),
    "days": _l("Days"),
    "ends_on": _l("Ends on"),
    "erased": _l("Erased"),
    "fields": _l("Fields changed"),
    "filters": _l("Searched for"),
    "format": _l("Format"),
    "item": _l("Guidance page"),
    "kind": _l("Kind"),
    "known": _l("Account exists"),
    "locality": _l("Area"),
    "message": _l("Message"),
    "method": _l("Method"),
    "mfa": _l("Two-factor authentication"),
    "new": _l("New listing"),
    "note": _l("In their words"),
    "noted": _l("Note added"),
    "notified": _l("Emailed"),
    "outcome": _l("Outcome"),
    "purpose": _l("Reason given"),
    "referrals": _l("Requests"),
    "remaining": _l("Recovery codes left"),
    "reminded": _l("Reminded"),
    "removed": _l("Roles removed"),
    "restored_from": _l("Restored from"),
    "results": _l("Results found"),
    "review_due": _l("Review due"),
    "revision": _l("Listing change"),
    "roles": _l("Roles"),
    "routed": _l("Sent to"),
    "scopes": _l("May do"),
    "service": _l("Listing"),
    "settings": _l("Settings changed"),
    "source": _l("Found from"),
    "status": _l("Status"),
    "urgent": _l("Urgent"),
    "verified": _l("Confirmed"),
    "version": _l("Version"),
    "via": _l("Through"),
    "viewer_roles": _l("Viewed as"),
    "withdrawn": _l("Withdrawn"),
    # Keys inside an audit search's filters
    "actor_id": _l("Done by account"),
    "subject_id": _l("About account"),
    "event_type": _l("Event"),
    "date_from": _l("From"),
    "date_to": _l("To"),
    # Figures pages read (counts only)
    "page": _l("Figures page"),
    "start": _l("From"),
    "end": _l("To"),
}

# Coded values in words, per key; a value not listed is shown as it was recorded.
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "cause": {
        "bad_credentials": _l("wrong email address or password"),
        "inactive": _l("account disabled"),
        "mfa": _l("wrong security code"),
        "throttled": _l("too many attempts"),
        "sign_out_everywhere": _l("signed out everywhere"),
        "password_changed": _l("password changed"),
        "password_reset": _l("password reset"),
        "account_disabled": _l("account disabled"),
    },
    "format": {
        "json": _l("file to download (JSON)"),
        "html": _l("web page"),
        "fhir": _l("FHIR record"),
        "csv": _l("spreadsheet (CSV)"),
    },
    "via": {"registration": _l("registering"), "email_change": _l("changing email address")},
    "routed": {"team": _l("the area's care team"), "triage": _l("the triage team")},
    "source": {"postcode": _l("postcode"), "chosen": _l("chosen by the person")},
}

YES, NO, NOT_GIVEN = _l("yes"), _l("no"), _l("none")
ROLE_KEYS = frozenset({"viewer_roles", "roles", "added", "removed"})
DATE_KEYS = frozenset({"review_due", "ends_on", "date_from", "date_to"})


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def _date_text(value: str) -> str:
    from flask_babel import format_date

    try:
        return str(format_date(date.fromisoformat(value), "d MMMM yyyy"))
    except ValueError:
        return value


def _one_value(key: str, value: Any) -> str:
    if value is None:
        return str(NOT_GIVEN)
    if isinstance(value, bool):
        return str(YES if value else NO)
    text = str(value)
    if key in ROLE_KEYS:
        return str(role.label).lower() if (role := _enum(Role, text)) else text
    if key == "purpose":
        return purpose_label(text)
    if key == "event_type":
        return event_label(text)
    if key in DATE_KEYS:
        return _date_text(text)
    if key in ("actor_id", "subject_id", "assignee"):
        return f"#{text}"
    named = VALUE_LABELS.get(key, {}).get(text)
    return str(named) if named is not None else text


def detail_text(key: str, value: Any) -> str:
    """One detail's value in words: role names, yes/no, dates, coded values explained."""
    if isinstance(value, list | tuple):
        return ", ".join(_one_value(key, v) for v in value) if value else str(NOT_GIVEN)
    if isinstance(value, dict):
        given = [(k, v) for k, v in value.items() if v is not None]
        return "; ".join(f"{detail_label(k)}: {_one_value(k, v)}" for k, v in given) or str(
            NOT_GIVEN)
    return _one_value(key, value)


def details_in_words(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An entry's details as (label, words) pairs, in the order of their labels' keys."""
    return [(detail_label(k), detail_text(k, v)) for k, v in sorted((details or {}).items())]


def describe_for_admin(session: Session, entries: list[AuditEvent]) -> list[AdminEntry]:
    names = names_for(session, [e.actor_id for e in entries] + [e.subject_id for e in entries])
    return [
        AdminEntry(
            id=e.id, when=e.created_at, event=event_label(e.event_type),
            actor=_labelled(names, e.actor_id),
            subject=_labelled(names, e.subject_id) if e.subject_id is not None else "",
            target=" ".join(filter(None, (target_label(e.target_type),
                                          f"#{e.target_id}" if e.target_id else None))),
            reason=reason_label(e.reason),
            details=details_in_words(e.details),
        )
        for e in entries
    ]
