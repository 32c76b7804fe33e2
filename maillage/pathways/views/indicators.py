"""indicators pages of the pathways app."""
