"""Dashboard pages, one per file; Dash registers them from this folder (use_pages=True)."""
