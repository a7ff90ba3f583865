"""Database backends of the product."""
