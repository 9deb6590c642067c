"""Application services: one transaction's worth of work, over repositories and the core."""
