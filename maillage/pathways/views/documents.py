"""documents pages of the pathways app."""
