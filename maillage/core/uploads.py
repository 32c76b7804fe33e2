"""Documents people upload (proofs of a prevention action, of the ACI contract): a known
type, recognised by its extension and by its first bytes (a file renamed to .pdf is
refused), 10 MB at most, and a name safe to show and to send back."""

import re
import unicodedata

from django.core.exceptions import ValidationError

MAX_BYTES = 10 * 1024 * 1024
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# The first bytes of each format: a file renamed to .pdf is refused.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": _ZIP, "xlsx": _ZIP, "pptx": _ZIP, "odt": _ZIP, "ods": _ZIP, "odp": _ZIP,
    "doc": _OLE, "xls": _OLE, "ppt": _OLE,
}  # fmt: skip
TYPE_REFUSED = ("Type de fichier non accepté : PDF, image (PNG, JPEG, GIF, WebP), document "
                "bureautique (Word, Excel, PowerPoint, OpenDocument) ou CSV.")  # fmt: skip
TOO_BIG = "Fichier trop lourd : 10 Mo au plus."
EMPTY = "Le fichier est vide."
NOT_WHAT_IT_SAYS = "Le contenu du fichier ne correspond pas à son extension."


def safe_file_name(name: str) -> str:
    """The name as shown and sent back: no path, no control characters, no quotes, and
    never read as a spreadsheet formula (a leading = + - @ is dropped)."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>|:*?;]', "_", name)[-200:].strip().lstrip("=+-@ .")
    return name or "document"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def matches(extension: str, content: bytes) -> bool:
    if extension == "webp":
        return content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    if extension == "csv":
        # Text, not a binary renamed: no NUL byte, and readable as UTF-8 or Windows-1252.
        if b"\x00" in content:
            return False
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
        return False
    return content.startswith(SIGNATURES[extension])


def check_upload(upload) -> tuple[str, str, bytes]:
    """(safe name, content type, content) of an acceptable file, or a ValidationError on
    "file"."""
    if upload is None:
        raise ValidationError({"file": "Choisissez un fichier."})
    name = safe_file_name(upload.name)
    extension = extension_of(name)
    if extension not in TYPES:
        raise ValidationError({"file": TYPE_REFUSED})
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError({"file": TOO_BIG})
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": TOO_BIG})
    if not content:
        raise ValidationError({"file": EMPTY})
    if not matches(extension, content):
        raise ValidationError({"file": NOT_WHAT_IT_SAYS})
    return name, TYPES[extension], content
