"""Serving: what BI tools read (publish, Parquet, the dashboard) and the run summary."""
