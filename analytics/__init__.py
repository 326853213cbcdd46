"""Analytics: pure functions over graph projections (arrives with the analytics issue)."""
