"""Pathway pages, one module per area: enrolments and tasks, the template editor,
concertation meetings, documents (PPS, FHIR export) and indicators."""
