"""Which files may be attached to an order, and whether a file is what its name says.

The extension names the type; the content must agree with it: the first bytes for PDF
and images, the parts inside the zip for the office formats, plain text for CSV and text
files. The type stored and served is the one the extension names, never the one the
browser sent, so a file is always delivered as what it was checked to be.
"""

from __future__ import annotations

import codecs
import math
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# How much of a text file is read to decide that it is text.
TEXT_SAMPLE = 64 * 1024
NAME_MAX = 200

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: object  # what the messages call it ("a PDF file"), lazily translated
    sniff: str  # which check the content must pass (see `matches`)


TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", _("PDF"), "pdf"),
    "png": FileType("image/png", _("PNG image"), "png"),
    "jpg": FileType("image/jpeg", _("JPEG image"), "jpeg"),
    "jpeg": FileType("image/jpeg", _("JPEG image"), "jpeg"),
    "xlsx": FileType(XLSX, _("Excel workbook (xlsx)"), "xlsx"),
    "docx": FileType(DOCX, _("Word document (docx)"), "docx"),
    "odt": FileType(ODT, _("OpenDocument text (odt)"), "odt"),
    "ods": FileType(ODS, _("OpenDocument spreadsheet (ods)"), "ods"),
    "csv": FileType("text/csv", _("CSV file"), "text"),
    "txt": FileType("text/plain", _("text file"), "text"),
}
# For help texts and messages: the extensions people know, in a fixed order.
EXTENSIONS = ("pdf", "png", "jpg", "xlsx", "docx", "odt", "ods", "csv", "txt")


def megabytes(size: int) -> str:
    """A size in bytes as megabytes for people, rounded up to a tenth so that a file just
    over a limit never reads as the limit itself: "20", "20.1" ("20,1" in Swedish)."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return number_format(tenths / 10, decimal_pos=0 if tenths % 10 == 0 else 1)


def clean_name(name: str) -> str:
    """The file's own name without any folder a browser sent along, without control
    characters, at most NAME_MAX characters (the extension kept)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) <= NAME_MAX:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        return name[:NAME_MAX]
    return stem[: NAME_MAX - len(ext) - 1] + "." + ext


def extension(name: str) -> str:
    """The lower-case extension of `name`, or "" when it has none."""
    stem, dot, ext = (name or "").rpartition(".")
    return ext.lower() if dot else ""


def type_of(name: str) -> FileType | None:
    """The allowed type `name` claims to be, or None."""
    return TYPES.get(extension(name))


def matches(file, file_type: FileType) -> bool:
    """Does the content of `file` (a Django File, read from the start) agree with the type
    its name claims? Leaves the file at its start."""
    try:
        file.seek(0)
        return _CHECKS[file_type.sniff](file)
    except (OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile):
        return False  # unreadable, encrypted or broken: not what it says
    finally:
        file.seek(0)


def _starts_with(*magics: bytes, within: int = 0):
    def check(file) -> bool:
        head = file.read(max(len(m) for m in magics) + within)
        return any(head.startswith(m) or (within and m in head) for m in magics)

    return check


def _zip_with(*, parts: tuple[str, ...] = (), prefix: str = "", mimetype: str = ""):
    """An office file is a zip: an OOXML file has its content-type list and the folder of
    its kind (xl/, word/); an OpenDocument file names its type in the "mimetype" part."""

    def check(file) -> bool:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if any(part not in names for part in parts):
                return False
            if prefix and not any(n.startswith(prefix) for n in names):
                return False
            if mimetype:
                if "mimetype" not in names:
                    return False
                with archive.open("mimetype") as part:
                    return part.read(len(mimetype) + 1).decode("ascii", "replace") == mimetype
            return True

    return check


# Control characters that plain text and CSV do not contain (tab, line feed, form feed
# and carriage return do).
_NOT_TEXT = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def _is_text(file) -> bool:
    """UTF-8 (with or without a byte order mark) or Windows-1252 text, as Excel and
    Notepad save it in Sweden."""
    sample = file.read(TEXT_SAMPLE)
    if any(byte in _NOT_TEXT for byte in sample):
        return False
    complete = len(sample) < TEXT_SAMPLE
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=complete)
        return True
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


_CHECKS = {
    # A PDF may have a few bytes before its header; readers look within the first 1 KB.
    "pdf": _starts_with(b"%PDF-", within=1024),
    "png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    "jpeg": _starts_with(b"\xff\xd8\xff"),
    "xlsx": _zip_with(parts=("[Content_Types].xml",), prefix="xl/"),
    "docx": _zip_with(parts=("[Content_Types].xml",), prefix="word/"),
    "odt": _zip_with(mimetype=ODT),
    "ods": _zip_with(mimetype=ODS),
    "text": _is_text,
}
