"""Reports: Markdown, self-contained HTML and JUnit XML from the verdict."""
