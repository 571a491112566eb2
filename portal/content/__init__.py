"""Approved self-management guidance and video: the library, its workflow and its pages."""
