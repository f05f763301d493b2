"""CHECK constraints shared by the entities."""

from __future__ import annotations

from sqlalchemy import CheckConstraint


def vocab_check(column: str, vocabulary: type, nullable: bool = True) -> CheckConstraint:
    """The column holds one of a vocab.py vocabulary's slugs (or NULL, when ``nullable``)."""
    values = ", ".join(f"'{slug}'" for slug in vocabulary.slugs())
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_vocab")
