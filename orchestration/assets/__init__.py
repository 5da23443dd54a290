"""Assets: landing files to raw tables (ingestion), raw tables to marts (dbt)."""
