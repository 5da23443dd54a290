"""Dagster orchestration: one Definitions object wiring ingestion and dbt into one lineage."""
