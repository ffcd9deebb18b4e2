"""Rows written once and kept as the record: notes, audit events, contact attempts, history.

Not a Django app and no models of its own: an abstract base both `articles` and `intake` may
import without importing the `hartrehab` project package.
"""
