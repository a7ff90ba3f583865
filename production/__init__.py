"""Video production (chapter 5)."""
