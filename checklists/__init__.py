"""The checklist model, the file format, validation, versions, the scoring engine and the editor."""
