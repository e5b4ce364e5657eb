"""Pure scoring: rubric and evidence in, results out. No I/O here."""
