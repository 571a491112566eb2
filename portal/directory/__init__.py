"""The community directory: organisations, services and their listings."""
