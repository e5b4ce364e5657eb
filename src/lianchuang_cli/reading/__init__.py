"""Reading input files into values that remember where they came from (YAML today)."""
