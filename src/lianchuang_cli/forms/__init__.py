"""The evidence workbook's form: its sheets, columns and words (``xlsx_layout``) and the fill-in
hints of each indicator (``fill_hints``), shared by the template writer and the workbook reader."""
