"""Revocation: CRLs and OCSP, supplied or fetched, behind an injected source."""
