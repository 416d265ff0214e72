"""Storage of the review queue: SQLAlchemy models, Alembic migrations, repositories.

SQLite (a WAL-mode file, the embedded default) or PostgreSQL, chosen by
`TACTFUL_DATABASE_URL` alone.
"""
