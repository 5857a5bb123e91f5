"""creditscore application layer: the command line, and later the Dash pages, window and local API."""
