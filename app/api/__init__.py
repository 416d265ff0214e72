"""The REST API: one router per resource under app/api/routes."""
