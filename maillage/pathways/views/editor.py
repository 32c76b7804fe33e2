"""editor pages of the pathways app."""
