"""The generated demo GBA PKI, trust lists and signed material."""
