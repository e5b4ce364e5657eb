"""The batch engine: files found, graded in chunks (in-process or a worker pool), spooled, ranked."""
