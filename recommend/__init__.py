"""Recommendations: collaborator and mentor suggestions (arrives with its issue)."""
