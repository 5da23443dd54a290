"""The settings assets read at run time, as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ingestion.settings import Settings


class TallySettingsResource(dg.ConfigurableResource):
    """Carries the settings object into asset code (shown in the Dagster UI's resources tab)."""

    landing_dir: str
    warehouse_path: str
    reporting_currency: str
    reporting_timezone: str
    activation_event: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TallySettingsResource:
        return cls(
            landing_dir=str(settings.landing_dir),
            warehouse_path=str(settings.warehouse_path),
            reporting_currency=settings.reporting_currency,
            reporting_timezone=settings.reporting_timezone,
            activation_event=settings.activation_event,
        )

    def settings(self) -> Settings:
        return Settings(
            landing_dir=Path(self.landing_dir),
            warehouse_path=Path(self.warehouse_path),
            reporting_currency=self.reporting_currency,
            reporting_timezone=self.reporting_timezone,
            activation_event=self.activation_event,
        )
