"""OWNED BY ONE AREA OF THE CRISIS WORK (see the module docstring it will get)."""

AUDIT_LABELS: dict = {"actions": {}, "objects": {}, "places": {}}
