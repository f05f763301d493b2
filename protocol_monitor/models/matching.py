"""Indexes that matching (§5) reads through, kept beside the area that needs them."""

from __future__ import annotations

from sqlalchemy import Index

from .reports import Report

#: A police record looking for the home report that quotes its reference, within one home.
ix_reports_home_police_reference = Index(
    "ix_reports_home_police_reference",
    Report.__table__.c.home_id,
    Report.__table__.c.police_reference,
)
