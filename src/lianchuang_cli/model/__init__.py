"""Domain models read from files: rubrics, their rule kinds, and evidence."""
