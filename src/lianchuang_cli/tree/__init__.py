"""Grading a whole county bottom-up (三级联创): villages, then townships, then the county."""
