"""Pure domain rules: no Flask, no database. Each module is one idea from domain.md."""
