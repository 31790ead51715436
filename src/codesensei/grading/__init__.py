"""Graders: one pure function per question type, partial credit, rubrics and output checkers."""
