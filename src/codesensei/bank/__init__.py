"""The question bank: question types, the bank file format, import/export and search."""
