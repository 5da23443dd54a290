"""A run's warnings on the terminal, one line each; everything else goes to the run's log."""

from __future__ import annotations

import logging
import sys

import dagster as dg


class _MessageOnly(logging.Formatter):
    """Dagster prefixes `job - run id - step - `; the terminal gets the message."""

    def format(self, record: logging.LogRecord) -> str:
        return "  warning: " + record.getMessage().split(" - ", 3)[-1]


class _OnlyWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno == logging.WARNING


@dg.logger(description="Warnings only, one line each, on the terminal's stderr.")
def warnings_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("tally.warnings", level=logging.WARNING)
    handler = logging.StreamHandler(sys.__stderr__)
    handler.addFilter(_OnlyWarnings())
    handler.setFormatter(_MessageOnly())
    logger.addHandler(handler)
    return logger


@dg.logger(description="Every message, plain text (no colour codes), on the run's stderr.")
def plain_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("tally.run", level=logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger
