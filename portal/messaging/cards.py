"""Cards: approved guidance pages and published directory services attached to a reply."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from portal.content.models import ContentItem, ContentVersion, VersionStatus
from portal.directory.models import Service

LIMIT = 200


def card_choices(session: Session) -> tuple[list[SelectChoice], list[SelectChoice]]:
    guidance = session.execute(
        select(ContentItem.slug, ContentVersion.title).join(
            ContentVersion, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.status == VersionStatus.APPROVED)
        .order_by(ContentVersion.title).limit(LIMIT))
    services = session.execute(select(Service.id, Service.name).where(
        Service.published.is_(True)).order_by(Service.name).limit(LIMIT))
    return ([SelectChoice("", "—")] + [SelectChoice(slug, title) for slug, title in guidance],
            [SelectChoice("", "—")] + [SelectChoice(sid, name) for sid, name in services])


def cards_for(session: Session, guidance: str | None, service: str | None
              ) -> list[dict[str, str]]:
    cards: list[dict[str, str]] = []
    if guidance:
        title = session.scalar(select(ContentVersion.title).join(
            ContentItem, ContentVersion.item_id == ContentItem.id).where(
            ContentItem.slug == guidance, ContentVersion.status == VersionStatus.APPROVED))
        if title:
            cards.append({"kind": "guidance", "ref": guidance, "title": title})
    if service:
        found = session.get(Service, service)
        if found is not None and found.published:
            cards.append({"kind": "service", "ref": found.id, "title": found.name})
    return cards
