"""The append-only, hash-chained audit log: event types, record(), verification, pages."""
