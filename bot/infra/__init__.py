"""Process plumbing below the app: Alembic migrations and the embedded Redis."""
