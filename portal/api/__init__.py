"""The Open Referral UK 3.0 read API, open to all, at /api/."""
