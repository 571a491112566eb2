"""Pages that belong to no single area: home, language choice, health checks."""
