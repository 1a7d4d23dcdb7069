"""Production entry point: ``gunicorn wsgi:app``."""

from shopadmin import create_app

app = create_app()
