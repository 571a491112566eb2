"""Moderated editing of directory listings: revisions, review, history, problem reports."""
