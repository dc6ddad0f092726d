"""The FastAPI application: a thin HTTP shell over the core."""
