"""The HTTP API (FastAPI): app factory, security, error table and routes."""
