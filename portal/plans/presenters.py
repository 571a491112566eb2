"""What the plan pages show: names ("Jane Evans (daughter) for Tom Evans"), differences,
links with their state, the NHS number."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.presenters import names_for
from portal.clock import utcnow
from portal.plans import sections as catalogue
from portal.plans.models import LinkKind, PlanLink, PlanNote, PlanVersion
from portal.plans.sections import Section
from portal.plans.services import PlanView


def time_of(moment: datetime) -> str:
    return str(format_datetime(moment, "HH:mm"))


def who(names: dict[int, str], person: Any, author_id: int | None, reason: str,
        relationship: str | None) -> str:
    name = names.get(author_id or 0) or str(_("Someone whose account has been deleted"))
    if author_id != person.id and reason == "proxy":
        return str(_("%(carer)s (%(relationship)s) for %(person)s", carer=name,
                     relationship=relationship or _("carer"), person=person.display_name))
    return name


@dataclass(frozen=True)
class VersionLine:
    number: int
    section: Section
    when: datetime
    who: str
    restored_from: int | None
    lines: list[tuple[str, str]]


def version_line(session: Session, view: PlanView, version: PlanVersion | None
                 ) -> VersionLine | None:
    if version is None:
        return None
    return history_entries(session, view, [version])[0]


def history_entries(session: Session, view: PlanView, versions: list[PlanVersion]
                    ) -> list[VersionLine]:
    names = names_for(session, [v.author_id for v in versions])
    entries = []
    for v in versions:
        section = catalogue.section(v.section_key)
        if section is None:  # a section a deployment has since removed
            continue
        entries.append(VersionLine(number=v.number, section=section, when=v.created_at,
                                   who=who(names, view.person, v.author_id, v.reason,
                                           v.relationship),
                                   restored_from=v.restored_from,
                                   lines=catalogue.flatten(section.kind, v.content)))
    return entries


@dataclass(frozen=True)
class DiffRow:
    label: str
    old: str
    new: str
    changes: list[tuple[str, str]]  # (tag, text): tag is "same", "removed" or "added"


def difference(section: Section, old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    """Line by line, per labelled part of the section (difflib)."""
    olds = dict(catalogue.flatten(section.kind, old))
    news = dict(catalogue.flatten(section.kind, new))
    labels = list(dict.fromkeys([*olds, *news]))
    rows = []
    for label in labels:
        a, b = olds.get(label, ""), news.get(label, "")
        changes: list[tuple[str, str]] = []
        for line in difflib.ndiff(a.splitlines(), b.splitlines()):
            tag, text = line[:2], line[2:]
            if tag == "  ":
                changes.append(("same", text))
            elif tag == "- ":
                changes.append(("removed", text))
            elif tag == "+ ":
                changes.append(("added", text))
        rows.append(DiffRow(label=label, old=a, new=b, changes=changes))
    return rows


@dataclass(frozen=True)
class LinkLine:
    id: int
    section_key: str
    title: str
    href: str | None
    withdrawn: bool
    suggested_by: str | None
    added_at: datetime


def _link_lines(session: Session, links: list[PlanLink], names: dict[int, str]) -> list[LinkLine]:
    from portal.content.queries import item_by_slug, visible_by_slug
    from portal.directory.models import Service

    lines = []
    for link in links:
        title, href, withdrawn = link.target, None, False
        if link.kind == LinkKind.GUIDANCE:
            version = visible_by_slug(session, link.target)
            if version is not None:
                title, href = version.title, url_for("content.item", item_slug=link.target)
            else:
                withdrawn = True
                item = item_by_slug(session, link.target)
                last = item.versions[-1] if item is not None and item.versions else None
                title = last.title if last is not None else link.target
        else:
            found = session.get(Service, link.target)
            if found is not None:
                title, href = found.name, url_for("directory.service", service_id=found.id)
            else:
                withdrawn = True
        lines.append(LinkLine(id=link.id, section_key=link.section_key, title=title, href=href,
                              withdrawn=withdrawn, added_at=link.added_at,
                              suggested_by=names.get(link.added_by_id or 0) if link.suggested
                              else None))
    return lines


@dataclass(frozen=True)
class NoteLine:
    id: int
    section: Section | None
    who: str
    when: datetime
    text: str
    answers: list[NoteLine]


def _note_lines(notes: list[PlanNote], names: dict[int, str]) -> list[NoteLine]:
    answers: dict[int, list[NoteLine]] = {}
    for note in notes:
        if note.reply_to_id is not None:
            answers.setdefault(note.reply_to_id, []).append(NoteLine(
                id=note.id, section=None, who=names.get(note.author_id or 0, ""),
                when=note.created_at, text=note.text, answers=[]))
    return [NoteLine(id=n.id, section=catalogue.section(n.section_key or ""),
                     who=names.get(n.author_id or 0, _("Someone whose account has been deleted")),
                     when=n.created_at, text=n.text, answers=answers.get(n.id, []))
            for n in notes if n.reply_to_id is None]


def nhs_number(session: Session, person: Any) -> str | None:
    from portal.profile.models import PersonalDetails

    return session.scalar(select(PersonalDetails.nhs_number).where(
        PersonalDetails.user_id == person.id))


def plan_context(session: Session, view: PlanView) -> dict[str, Any]:
    ids = [row.updated_by_id for row in view.sections.values()]
    ids += [n.author_id for n in view.notes] + [link.added_by_id for link in view.links]
    names = names_for(session, ids)
    links = _link_lines(session, view.links, names)
    shown = []
    for section in catalogue.sections():
        row = view.sections.get(section.id)
        shown.append({
            "section": section,
            "row": row,
            "lines": catalogue.flatten(section.kind, row.content if row else None),
            "empty": catalogue.is_empty(row.content if row else None),
            "changed": section.id in view.changed,
            "links": [link for link in links if link.section_key == section.id],
        })
    return {"view": view, "person": view.person, "shown": shown,
            "notes": _note_lines(view.notes, names),
            "nhs_number": nhs_number(session, view.person),
            "single_point_of_access": current_app.config.get("SINGLE_POINT_OF_ACCESS", ""),
            "now": utcnow()}
