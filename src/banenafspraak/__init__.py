"""banenafspraak: the Dutch job agreement measurement as a dbt project on DuckDB, and the commands
that run it (the console script `banenafspraak`, module banenafspraak.cli)."""

__version__ = "8.0.0"
