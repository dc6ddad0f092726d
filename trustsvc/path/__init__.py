"""RFC 5280 path building and validation."""
