"""One module per page; each exposes ``router``."""
