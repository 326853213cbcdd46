"""Store backends: SQLite (default) and Neo4j."""
