"""meetings pages of the pathways app."""
