"""The app's pages, one module each (imported by ``desktop.app.create_app``, which registers them)."""
