"""The playground's statement filter: what may run, decided from DuckDB's own parse tree (pure)."""
