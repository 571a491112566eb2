"""Accounts: people, their roles, and their memberships of organisations and care teams."""
