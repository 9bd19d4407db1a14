"""Reporting primitives shared by every experiment: statistics, verdicts, Markdown, figure files."""
