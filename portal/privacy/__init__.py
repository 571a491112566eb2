"""Data-protection rights: a copy of everything held about a person, and erasure."""
