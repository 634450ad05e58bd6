"""Text out of the files officers have: plain text, Word (.docx) and text-based PDF.

Every reader refuses what it cannot read faithfully with a :class:`DocumentError` that names
the file: empty or huge files, binary data, scanned PDFs without a text layer, and Word files
with tracked changes (which text would be the law: the inserted or the deleted?).
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections import Counter
from pathlib import Path

from knowledge.documents.errors import DocumentError
from knowledge.documents.lines import TABLE_SEPARATOR

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_DOCX_XML_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 2000
# A page of a text PDF carries hundreds of characters; a scan carries none or a few.
MIN_CHARS_PER_PAGE = 40

TEXT_SUFFIXES = (".txt", ".text", ".md")
_TRACKED_RE = re.compile(rb"<w:(?:ins|del|moveFrom|moveTo)[\s>/]")
_DIGITS_RE = re.compile(r"\d+")
_BARE_PAGE_RE = re.compile(r"^(?:(?i:trang)\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?$")


def check_size(path: Path) -> int:
    """File size in bytes; refuse missing, empty and huge files."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(path, f"cannot read the file ({exc.strerror})") from exc
    if size == 0:
        raise DocumentError(path, "the file is empty")
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            path,
            f"the file is too large ({size / 1e6:.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB)",
        )
    return size


def read_text_file(path: Path) -> str:
    """A UTF-8 (or UTF-16 with a byte-order mark) text file."""
    check_size(path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise DocumentError(path, "this is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(path, f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def _check_docx_package(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if "word/document.xml" not in names:
                raise DocumentError(path, "not a Word .docx file (no word/document.xml)")
            unpacked = sum(info.file_size for info in package.infolist())
            if unpacked > MAX_DOCX_XML_BYTES:
                raise DocumentError(path, "the document is too large once unpacked")
            body = package.read("word/document.xml")
    except zipfile.BadZipFile as exc:
        raise DocumentError(path, "not a valid .docx file (not a zip package)") from exc
    if _TRACKED_RE.search(body):
        raise DocumentError(
            path,
            "the document has tracked changes; accept or reject them in Word, then import again",
        )


def read_docx(path: Path) -> str:
    """Paragraphs and table rows of a .docx body, in order; table cells joined by `` | ``."""
    check_size(path)
    _check_docx_package(path)

    import docx  # python-docx is only needed for Word files
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds of errors on broken packages
        raise DocumentError(path, f"not a valid .docx file ({exc.__class__.__name__})") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.replace("\n", " ").strip() for cell in row.cells]
                unique = list(dict.fromkeys(c for c in cells if c))  # merged cells repeat
                if unique:
                    lines.append(TABLE_SEPARATOR.join(unique))
            lines.append("")
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _signature(line: str) -> str:
    return _DIGITS_RE.sub("#", line.lower())


def strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop running headers and footers (lines repeated at the top or bottom of most pages)
    and bare page numbers at the edges of pages."""
    edge = 2
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_signature(line) for line in lines[:edge] + lines[-edge:]})
    repeated = {sig for sig, n in counts.items() if len(pages) >= 3 and n >= len(pages) / 2}
    cleaned: list[list[str]] = []
    for lines in pages:
        last = len(lines) - edge
        cleaned.append(
            [
                line
                for i, line in enumerate(lines)
                if edge <= i < last
                or not (_signature(line) in repeated or _BARE_PAGE_RE.match(line))
            ]
        )
    return cleaned


def read_pdf(path: Path) -> str:
    """The text layer of a PDF, without running headers, footers and page numbers."""
    check_size(path)
    with path.open("rb") as stream:
        if not stream.read(1024).lstrip().startswith(b"%PDF"):
            raise DocumentError(path, "not a PDF file (no %PDF header)")

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(path, "the PDF is password-protected")
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise DocumentError(path, f"the PDF has {count} pages (at most {MAX_PDF_PAGES})")
        pages = [
            [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]
            for page in reader.pages
        ]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(path, f"not a readable PDF ({exc})") from exc
    characters = sum(len(line) for lines in pages for line in lines)
    if count == 0 or characters < MIN_CHARS_PER_PAGE * count:
        raise DocumentError(
            path,
            "the PDF has no text layer (a scanned image?); OCR is not supported, "
            "import a text version (.docx, .txt or a text PDF)",
        )
    logger.debug("Read %d pages, %d characters from %s", count, characters, path)
    return "\n".join("\n".join(lines) for lines in strip_page_furniture(pages))


def read_document_text(path: Path) -> str:
    """Raw text of a legal document file, by its extension."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text_file(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix == ".doc":
        raise DocumentError(path, "old Word .doc files are not supported; save it as .docx")
    raise DocumentError(
        path, f"unsupported file type {suffix or '(none)'}; use .txt, .docx, .pdf or .jsonl"
    )
