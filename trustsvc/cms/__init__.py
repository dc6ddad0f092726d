"""CMS / CAdES SignedData and RFC 3161 timestamp tokens."""
