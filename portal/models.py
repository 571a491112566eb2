"""Imports every model module so that the metadata knows every table (for Alembic)."""

from portal.accounts import models as accounts_models
from portal.directory import models as directory_models
from portal.moderation import models as moderation_models
from portal.places import models as places_models
from portal.search import models as search_models

__all__ = ["accounts_models", "directory_models", "moderation_models", "places_models",
           "search_models"]
