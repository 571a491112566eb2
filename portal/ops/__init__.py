"""Running the portal for real: deployment checks, backups and restores (docs/deployment.md)."""
