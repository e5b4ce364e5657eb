"""Rubric lint: every problem in a rubric file, located, with a stable code and a severity.

``engine`` reads a rubric leniently (duplicate keys and schema errors are reported, not fatal),
builds whatever parts load (``context``), and runs every check registered in ``checks``.
Rubric loading for grading goes through the same engine and refuses a rubric with errors.
"""
