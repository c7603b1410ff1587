"""Assignments, the visit form, drafts, photos, offline sync API, submission and review."""
