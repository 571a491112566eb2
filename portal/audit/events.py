"""Audit event types, the detail keys each must carry, and the reasons for an access.

Details hold facts about an event (which role, which fields, how many results), never the
content of a record and never names or email addresses: rows carry ids, and whoever reads the
log looks the ids up. ``check(event, ...)`` raises ``AuditError`` on a missing or unknown key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict, Unpack

MAX_DETAIL_TEXT = 200


class AuditError(ValueError):
    """An audit event that does not follow its type's rules."""


class EventType(StrEnum):
    # Security events (written by the accounts area)
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SESSIONS_REVOKED = "sessions_revoked"
    MFA_ENABLED = "mfa_enabled"
    MFA_DISABLED = "mfa_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  # nosec B105: an event name, not a password
    EMAIL_CHANGED = "email_changed"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    ADDRESS_CLAIMED = "address_claimed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105  # nosec B105: an event name, not a password
    PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105: an event name, not a password
    EMAIL_VERIFIED = "email_verified"
    ROLES_CHANGED = "roles_changed"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_CREATED = "account_created"
    SETTINGS_CHANGED = "settings_changed"
    # Access to a person's records, and their data-protection rights
    RECORD_VIEWED = "record_viewed"
    RECORD_CHANGED = "record_changed"
    AUDIT_SEARCHED = "audit_searched"
    DATA_EXPORTED = "data_exported"
    ACCOUNT_DELETED = "account_deleted"
    # The directory's moderated editing (target: the listing or the revision)
    LISTING_SUBMITTED = "listing_submitted"
    LISTING_DRAFT_CHANGED = "listing_draft_changed"
    LISTING_PUBLISHED = "listing_published"
    LISTING_REJECTED = "listing_rejected"
    LISTING_RESTORED = "listing_restored"
    LISTING_CONFIRMED = "listing_confirmed"
    PROBLEM_REPORTED = "problem_reported"
    PROBLEM_RESOLVED = "problem_resolved"
    STALE_REMINDERS_SENT = "stale_reminders_sent"
    # Guidance (target: the guidance item or version)
    GUIDANCE_CREATED = "guidance_created"
    GUIDANCE_DRAFT_SAVED = "guidance_draft_saved"
    GUIDANCE_SUBMITTED = "guidance_submitted"
    GUIDANCE_APPROVED = "guidance_approved"
    GUIDANCE_SENT_BACK = "guidance_sent_back"
    GUIDANCE_WITHDRAWN = "guidance_withdrawn"
    GUIDANCE_RECOMMENDED = "guidance_recommended"
    GUIDANCE_REVIEW_CHECKED = "guidance_review_checked"
    OUTBOX_JOB_RETRIED = "outbox_job_retried"
    # Carers: assessment self-referrals (target: the referral)
    CARER_REFERRAL_SUBMITTED = "carer_referral_submitted"
    CARER_REFERRAL_VIEWED = "carer_referral_viewed"
    CARER_REFERRAL_STATUS_CHANGED = "carer_referral_status_changed"
    CARER_REFERRAL_ASSIGNED = "carer_referral_assigned"
    CARER_REFERRAL_CONTACT_RECORDED = "carer_referral_contact_recorded"
    CARER_REFERRAL_EXPORTED = "carer_referral_exported"
    CARER_REFERRALS_EXPORTED = "carer_referrals_exported"
    # Care circles (subject: the person whose circle it is)
    LOCALITY_CHANGED = "locality_changed"
    CARE_TEAM_CHANGED = "care_team_changed"  # target: the team; fields changed, created
    CONSENT_GIVEN = "consent_given"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CARER_INVITED = "carer_invited"
    CARER_ACCEPTED = "carer_accepted"
    CARER_CHANGED = "carer_changed"
    CARER_REVOKED = "carer_revoked"
    CARER_ARRANGED = "carer_arranged"
    CARER_REQUESTED = "carer_requested"
    CARER_REQUEST_ANSWERED = "carer_request_answered"
    # Messaging (target: the message thread; subject: the person whose thread it is)
    MESSAGE_SENT = "message_sent"
    MESSAGE_THREAD_OPENED = "message_thread_opened"
    MESSAGE_THREAD_ASSIGNED = "message_thread_assigned"
    MESSAGE_NOTE_ADDED = "message_note_added"
    MESSAGE_THREAD_CLOSED = "message_thread_closed"
    MESSAGE_THREAD_REOPENED = "message_thread_reopened"
    MESSAGE_ATTACHMENT_OPENED = "message_attachment_opened"
    MESSAGE_THREADS_PURGED = "message_threads_purged"
    # Figures for managers and commissioners (counts only)
    FIGURES_VIEWED = "figures_viewed"


class AccessReason(StrEnum):
    """Why someone was allowed to see or change a person's record."""

    OWNER = "owner"
    CARE_TEAM = "care_team"
    PROXY = "proxy"
    ADMIN = "admin"


class ViewPurpose(StrEnum):
    """Why an administrator opened a person's personal details (chosen before they see them)."""

    ACCOUNT_HELP = "account_help"
    CORRECTION = "correction"
    DATA_REQUEST = "data_request"
    SAFEGUARDING = "safeguarding"
    SECURITY = "security"
    OTHER = "other"


class RecordType(StrEnum):
    """Kinds of a person's sensitive record (``target_type`` of access events)."""

    PERSONAL_DETAILS = "personal_details"
    AUDIT_LOG = "audit_log"
    ACCOUNT = "account"
    # Plans (portal.plans)
    PLAN = "plan"
    PLAN_DRAFT = "plan_draft"
    PLAN_NOTE = "plan_note"
    PLAN_LINK = "plan_link"


class ObjectType(StrEnum):
    """Kinds of shared, non-personal objects that changes are recorded against."""

    LISTING = "listing"
    REVISION = "revision"
    PROBLEM_REPORT = "problem_report"
    GUIDANCE = "guidance"
    GUIDANCE_VERSION = "guidance_version"
    DIRECTORY = "directory"
    OUTBOX_JOB = "outbox_job"
    CARE_TEAM = "care_team"
    # Carers
    CARER_REFERRAL = "carer_referral"


@dataclass(frozen=True)
class EventSpec:
    required: frozenset[str] = field(default_factory=frozenset)
    optional: frozenset[str] = field(default_factory=frozenset)
    needs_subject: bool = False  # whose record or account: subject_id must be given
    needs_reason: bool = False   # an access to a record says why it was allowed
    needs_target: bool = False   # target_type must be given


class _Flags(TypedDict, total=False):
    needs_subject: bool
    needs_reason: bool
    needs_target: bool


def _spec(required: str = "", optional: str = "", **flags: Unpack[_Flags]) -> EventSpec:
    return EventSpec(frozenset(required.split()), frozenset(optional.split()), **flags)


_ACCOUNT: _Flags = {"needs_subject": True}
_OBJECT: _Flags = {"needs_target": True}
_ACCESS: _Flags = {"needs_subject": True, "needs_reason": True, "needs_target": True}

SPECS: Mapping[EventType, EventSpec] = {
    # subject_id: whose account. actor_id: who did it (None when nobody is signed in).
    EventType.SIGN_IN: _spec(optional="mfa method", **_ACCOUNT),
    # cause: bad_credentials | inactive | mfa | throttled (never the email typed).
    EventType.SIGN_IN_FAILED: _spec("cause", "attempts"),
    EventType.SIGN_OUT: _spec(**_ACCOUNT),
    # cause: sign_out_everywhere | password_changed | password_reset | account_disabled | ...
    EventType.SESSIONS_REVOKED: _spec("cause", **_ACCOUNT),
    EventType.MFA_ENABLED: _spec(optional="method", **_ACCOUNT),
    EventType.MFA_DISABLED: _spec(optional="method", **_ACCOUNT),
    EventType.RECOVERY_CODE_USED: _spec("remaining", **_ACCOUNT),
    EventType.PASSWORD_CHANGED: _spec(**_ACCOUNT),
    EventType.EMAIL_CHANGED: _spec(optional="verified", **_ACCOUNT),
    EventType.EMAIL_CHANGE_REQUESTED: _spec(**_ACCOUNT),
    # via: "registration" or "email_change" (someone tried to use the holder's address).
    EventType.ADDRESS_CLAIMED: _spec("via", **_ACCOUNT),
    # No subject when the address has no account (known=False); never the address itself.
    EventType.PASSWORD_RESET_REQUESTED: _spec(optional="known"),
    EventType.PASSWORD_RESET: _spec(**_ACCOUNT),
    EventType.EMAIL_VERIFIED: _spec(**_ACCOUNT),
    # added/removed: lists of role values.
    EventType.ROLES_CHANGED: _spec("added removed", **_ACCOUNT),
    EventType.ACCOUNT_DISABLED: _spec(**_ACCOUNT),
    EventType.ACCOUNT_ENABLED: _spec(**_ACCOUNT),
    # roles: the new account's role values.
    EventType.ACCOUNT_CREATED: _spec("roles", **_ACCOUNT),
    # settings: names of the settings changed.
    EventType.SETTINGS_CHANGED: _spec("settings", **_ACCOUNT),
    # viewer_roles: the viewer's role values at the time (the page shows them later).
    # purpose: a ViewPurpose an administrator chose before looking; note: their own words.
    EventType.RECORD_VIEWED: _spec("viewer_roles", "purpose note", **_ACCESS),
    # fields: names of the fields changed, never their values.
    EventType.RECORD_CHANGED: _spec("viewer_roles fields", **_ACCESS),
    # filters: the search's filters (ids, type, dates); results: how many rows matched.
    EventType.AUDIT_SEARCHED: _spec("filters results viewer_roles"),
    # format: json | html | fhir (a plan as a FHIR bundle)
    EventType.DATA_EXPORTED: _spec("format", **_ACCESS),
    # erased: names of the parts erased.
    EventType.ACCOUNT_DELETED: _spec("erased", **_ACCESS),
    # Directory. service: the listing's id (absent for a new listing not yet published);
    # revision: the revision's id; version: the listing's version after the change.
    # notified: whether moderators were emailed (only when the listing starts waiting).
    EventType.LISTING_SUBMITTED: _spec("revision", "service new notified", **_OBJECT),
    EventType.LISTING_DRAFT_CHANGED: _spec("revision", "service", **_OBJECT),
    EventType.LISTING_PUBLISHED: _spec("revision version", "service new", **_OBJECT),
    EventType.LISTING_REJECTED: _spec("revision", "service", **_OBJECT),
    EventType.LISTING_RESTORED: _spec("revision restored_from", "service", **_OBJECT),
    EventType.LISTING_CONFIRMED: _spec(optional="version", **_OBJECT),
    # service: the listing reported; contact: whether the reporter left an address;
    # notified: whether editors and moderators were emailed (repeats within an hour are not).
    EventType.PROBLEM_REPORTED: _spec("service contact", "notified", **_OBJECT),
    # revision: the published change that answered it (when closed by publishing).
    EventType.PROBLEM_RESOLVED: _spec("service", "revision", **_OBJECT),
    # reminded: listings whose editors were emailed.
    EventType.STALE_REMINDERS_SENT: _spec("reminded", **_OBJECT),
    # Guidance. item: the item's slug; version: the version's number.
    EventType.GUIDANCE_CREATED: _spec("item", **_OBJECT),
    EventType.GUIDANCE_DRAFT_SAVED: _spec("item version", **_OBJECT),
    EventType.GUIDANCE_SUBMITTED: _spec("item version", **_OBJECT),
    EventType.GUIDANCE_APPROVED: _spec("item version review_due", "again", **_OBJECT),
    EventType.GUIDANCE_WITHDRAWN: _spec("item version cause", **_OBJECT),
    # An approver returned a submitted version to draft with comments (kept with the version).
    EventType.GUIDANCE_SENT_BACK: _spec("item version", **_OBJECT),
    # A recommendation to a person: subject_id is the person.
    EventType.GUIDANCE_RECOMMENDED: _spec("item", needs_subject=True, needs_target=True),
    EventType.GUIDANCE_REVIEW_CHECKED: _spec("reminded withdrawn", **_OBJECT),
    # kind: the job's kind ("email", "content.index").
    EventType.OUTBOX_JOB_RETRIED: _spec("kind", **_OBJECT),
    # Carers. routed: "team" or "triage"; a staff read says why (reason CARE_TEAM).
    EventType.CARER_REFERRAL_SUBMITTED: _spec("routed urgent", **_OBJECT),
    EventType.CARER_REFERRAL_VIEWED: _spec(needs_reason=True, needs_target=True),
    EventType.CARER_REFERRAL_STATUS_CHANGED: _spec("status", "noted", needs_reason=True,
                                                   needs_target=True),
    # assignee: the care worker's account id (None: nobody now).
    EventType.CARER_REFERRAL_ASSIGNED: _spec("assignee", needs_reason=True, needs_target=True),
    # method: phone | email | ...; outcome: reached | no_answer | ...
    EventType.CARER_REFERRAL_CONTACT_RECORDED: _spec("method outcome noted", needs_reason=True,
                                                     needs_target=True),
    # One referral exported (format: fhir); a list of them (format: csv; referrals: their ids).
    EventType.CARER_REFERRAL_EXPORTED: _spec("format", needs_reason=True, needs_target=True),
    EventType.CARER_REFERRALS_EXPORTED: _spec("format referrals", "filters", needs_reason=True),
    # Care circles. source: postcode | chosen; locality: the new locality's slug (or None).
    EventType.LOCALITY_CHANGED: _spec("source locality", **_ACCOUNT),
    # purpose: plan | messaging | personal_details; target: the team_consent row.
    EventType.CONSENT_GIVEN: _spec("purpose", needs_subject=True, needs_target=True),
    EventType.CONSENT_WITHDRAWN: _spec("purpose", needs_subject=True, needs_target=True),
    # scopes: Scope values; ends_on: the last day (ISO) or None. Target: invitation or grant.
    EventType.CARER_INVITED: _spec("scopes", "ends_on", needs_subject=True, needs_target=True),
    EventType.CARER_ACCEPTED: _spec("scopes", needs_subject=True, needs_target=True),
    EventType.CARER_CHANGED: _spec("scopes", "ends_on", needs_subject=True, needs_target=True),
    EventType.CARER_REVOKED: _spec(needs_subject=True, needs_target=True),
    # A care worker recorded access on the person's behalf (the reason is on the grant).
    EventType.CARER_ARRANGED: _spec("scopes", "ends_on", needs_subject=True, needs_target=True),
    # A carer asked the person for access; the person approved (or not).
    EventType.CARER_REQUESTED: _spec("scopes", needs_subject=True, needs_target=True),
    EventType.CARER_REQUEST_ANSWERED: _spec("approved", needs_subject=True, needs_target=True),
    # Messaging. message: the message's id; kind: person | team; urgent: crisis words found.
    EventType.MESSAGE_SENT: _spec("message kind urgent attachments cards", **_ACCESS),
    EventType.MESSAGE_THREAD_OPENED: _spec("viewer_roles", **_ACCESS),
    EventType.MESSAGE_THREAD_ASSIGNED: _spec("assignee", **_ACCESS),
    EventType.MESSAGE_NOTE_ADDED: _spec("note", **_ACCESS),
    EventType.MESSAGE_THREAD_CLOSED: _spec(**_ACCESS),
    EventType.MESSAGE_THREAD_REOPENED: _spec(**_ACCESS),
    EventType.MESSAGE_ATTACHMENT_OPENED: _spec("attachment", **_ACCESS),
    # Retention: threads closed more than ``days`` days ago were deleted.
    EventType.MESSAGE_THREADS_PURGED: _spec("days count", **_OBJECT),
    # Figures. page: carers | messaging | community-assets | guidance | use; format: html | csv;
    # locality: the filter's slug (None: all); start, end: the period's months (YYYY-MM).
    EventType.CARE_TEAM_CHANGED: _spec("fields created", **_OBJECT),
    EventType.FIGURES_VIEWED: _spec("page format locality start end"),
}

# Events that are an access, by someone, to a person's records: shown on "who has looked".
ACCESS_EVENTS = frozenset({EventType.RECORD_VIEWED, EventType.RECORD_CHANGED,
                           EventType.AUDIT_SEARCHED, EventType.DATA_EXPORTED,
                           EventType.GUIDANCE_RECOMMENDED})


def _check_value(key: str, value: Any, depth: int = 0) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        if len(value) > MAX_DETAIL_TEXT:
            raise AuditError(f"audit detail {key!r} is too long to be a fact (content?)")
        return
    if depth == 0 and isinstance(value, list | tuple):
        for item in value:
            _check_value(key, item, depth + 1)
        return
    if depth == 0 and isinstance(value, dict):
        for name, item in value.items():
            if not isinstance(name, str):
                raise AuditError(f"audit detail {key!r} has a non-text key")
            _check_value(key, item, depth + 1)
        return
    raise AuditError(f"audit detail {key!r} must be text, a number, a flag, or a flat list/map")


def check(event: EventType, details: Mapping[str, Any], *, subject_id: int | None,
          reason: AccessReason | None, target_type: str | None) -> None:
    """Raise ``AuditError`` unless the event carries exactly what its type requires."""
    if not isinstance(event, EventType):
        raise AuditError(f"{event!r} is not an audit event type")
    spec = SPECS[event]
    missing = spec.required - details.keys()
    unknown = details.keys() - spec.required - spec.optional
    if missing:
        raise AuditError(f"{event.value} needs detail keys: {', '.join(sorted(missing))}")
    if unknown:
        raise AuditError(f"{event.value} does not take detail keys: {', '.join(sorted(unknown))}")
    if spec.needs_subject and subject_id is None:
        raise AuditError(f"{event.value} needs subject_id (whose record or account)")
    if spec.needs_reason and reason is None:
        raise AuditError(f"{event.value} needs a reason")
    if reason is not None and not isinstance(reason, AccessReason):
        raise AuditError(f"{reason!r} is not an access reason")
    if spec.needs_target and not target_type:
        raise AuditError(f"{event.value} needs target_type")
    for key, value in details.items():
        _check_value(key, value)
