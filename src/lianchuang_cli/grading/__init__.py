"""One evidence file graded: read, find its rubric, validate, score; example files checked against their expected results."""
