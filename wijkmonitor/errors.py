"""Errors the command line turns into one clear line and an exit code."""

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


class ConfigError(WijkmonitorError):
    """The configuration (monitor.toml, an indicator file) is wrong: fix it and run again."""

    exit_code = EXIT_USAGE
