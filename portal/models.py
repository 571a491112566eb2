"""Imports every model module so that the metadata knows every table (for Alembic)."""

from portal.accounts import models as accounts_models
from portal.directory import models as directory_models
from portal.places import models as places_models

__all__ = ["accounts_models", "directory_models", "places_models"]
