"""A run's warnings on the terminal, one line each; everything else goes to the run's log."""

from __future__ import annotations

import logging
import sys

import dagster as dg

# Asset code marks the few INFO lines a person watching a long run wants with this word.
PROGRESS = "progress:"


class _MessageOnly(logging.Formatter):
    """Dagster prefixes `job - run id - step - `; the terminal gets the message."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().split(" - ", 3)[-1]
        if record.levelno == logging.INFO:
            return "  " + message  # a progress line
        return "  warning: " + message


class _OnlyWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            return PROGRESS in record.getMessage()
        return record.levelno == logging.WARNING


@dg.logger(description="Warnings and progress lines, one line each, on the terminal's stderr.")
def warnings_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("tally.warnings", level=logging.INFO)
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
