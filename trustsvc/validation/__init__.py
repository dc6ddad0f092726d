"""The orchestrators: request + trust state + policy -> EN 319 102-1 report."""
