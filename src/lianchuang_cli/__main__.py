"""Allow ``python -m lianchuang_cli``."""

from lianchuang_cli.cli import run

run()
