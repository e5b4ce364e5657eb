"""What is kept between runs: graded results and parsed evidence (``--cache``), validated rubrics."""
