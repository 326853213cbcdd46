"""Web UI and JSON API (arrives with its issue)."""
