"""Pages of the prevention mission, one module per area; each module lists its URL
patterns in `urls` (prevention/urls.py joins them)."""
