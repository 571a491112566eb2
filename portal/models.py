"""Imports every model module so that the metadata knows every table (for Alembic)."""

from portal.accounts import models as accounts_models
from portal.audit import models as audit_models
from portal.carers import models as carers_models
from portal.circles import models as circles_models
from portal.content import models as content_models
from portal.directory import models as directory_models
from portal.figures import models as figures_models
from portal.journeys import models as journeys_models
from portal.messaging import models as messaging_models
from portal.moderation import models as moderation_models
from portal.outbox import models as outbox_models
from portal.places import models as places_models
from portal.plans import models as plans_models
from portal.profile import models as profile_models
from portal.pulse import models as pulse_models
from portal.search import models as search_models

__all__ = ["accounts_models", "audit_models", "carers_models", "circles_models", "content_models",
           "directory_models", "figures_models", "journeys_models", "messaging_models",
           "moderation_models", "outbox_models", "places_models", "plans_models", "profile_models",
           "pulse_models", "search_models"]
