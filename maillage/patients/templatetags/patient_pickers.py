"""`{% patient_picker %}`: the patient picker widget in a hand-written form (the pages
that read `q` and `patient` themselves, such as the pathway enrolment)."""

from django import template

from ..pickers import PatientPickerInput

register = template.Library()


@register.simple_tag
def patient_picker(cpts, *, name="patient", text_name="", value="", input_id="",
                   describedby="", invalid=False, required=False):  # fmt: skip
    widget = PatientPickerInput(cpts_slug=cpts.slug, text_name=text_name or None)
    attrs = {"id": input_id or f"id_{name}"}
    if describedby:
        attrs["aria-describedby"] = describedby
    if invalid:
        attrs["aria-invalid"] = "true"
    if required:
        attrs["required"] = True
    return widget.render(name, {"id": "", "text": value or ""}, attrs)
