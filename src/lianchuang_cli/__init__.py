"""lianchuang: grade rural Party-building "三级联创" assessments against YAML rubrics."""

__version__ = "0.1.0"
