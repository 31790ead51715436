"""The HTTP API: the FastAPI app (`app.create_app`), accounts and tokens, and one router per domain."""
