"""An RFC 3161 time-stamping authority over HTTP, and its client."""
