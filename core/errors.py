"""Errors the command line turns into one clear line and an exit code.

Library code raises the class that says what went wrong; only wijkmonitor/cli.py prints them.
"""

EXIT_OK = 0
EXIT_INPUT_REJECTED = 1  # a file or rows were rejected; published figures unchanged or partial-by-design
EXIT_USAGE = 2  # argparse's own code for wrong arguments
EXIT_FAILED = 3  # a step failed (I/O, disk full, corrupt store); published figures unchanged


class WijkmonitorError(Exception):
    """A failure with a message fit for an operator (no traceback)."""

    exit_code = EXIT_FAILED


class InputRejected(WijkmonitorError):
    """Delivered input was rejected (whole file or the run)."""

    exit_code = EXIT_INPUT_REJECTED


class NothingToCompute(InputRejected):
    """Nothing accepted to compute figures from (e.g. every bevolking file held back): nothing is published."""


class UsageError(WijkmonitorError):
    """The operator asked for something that does not exist (an unknown peildatum, wijk, ...)."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """The configuration (monitor.toml, an indicator file) is wrong: fix it and run again."""


class PublicationRefused(WijkmonitorError):
    """A guard refused to publish (person-level data, a table outside the contract); the previous store stays."""

    exit_code = EXIT_FAILED


class WarehouseDamaged(WijkmonitorError):
    """The warehouse file itself is damaged (not locked, not unreachable): it can be rebuilt from the archive."""

    exit_code = EXIT_FAILED

    def __init__(self, path: object, detail: str) -> None:
        super().__init__(f"warehouse {path} is beschadigd ({detail})")
        self.path = path
        self.detail = detail


class StepFailed(WijkmonitorError):
    """A step of a run failed for a reason outside the input (I/O, disk full, a bug); the message names the step.

    Nothing is published: the previous published store stays as it was.
    """

    exit_code = EXIT_FAILED
