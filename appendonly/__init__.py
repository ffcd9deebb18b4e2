"""Rows written once and kept as the record: intake's notes, audit events and contact
attempts; the articles' approvals and history.

Not a Django app and no models of its own: an abstract base both `articles` and `intake` may
import without importing the `hartrehab` project package.
"""
