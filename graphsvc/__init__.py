"""graphsvc: network and relationship analysis for Communities of Practice."""

__version__ = "0.1.0"
