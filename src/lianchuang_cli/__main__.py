"""Allow ``python -m lianchuang_cli``."""

from lianchuang_cli.entry import run

run()
