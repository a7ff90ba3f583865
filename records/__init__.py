"""Operation records (chapter 9)."""
