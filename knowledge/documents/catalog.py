"""The metadata file of the bundled documents (``documents/documents.yaml``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.documents.errors import DocumentError
from knowledge.documents.structure import DocumentMeta, Status

CATALOG_FILE = "documents.yaml"
CORPUS_FILE = "corpus.jsonl"


class CatalogEntry(BaseModel):
    """One document of ``documents.yaml``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=300)
    number: str = Field(min_length=1, max_length=100)
    doc_type: str = Field(alias="type", default="Luật", max_length=50)
    issuer: str | None = Field(default=None, max_length=200)
    year: int | None = Field(default=None, ge=1945, le=2100)
    issued: date | None = None
    effective: date | None = None
    status: Status = "in force"
    changed_by: str | None = Field(default=None, max_length=300)
    change_effective: date | None = None
    label: str = ""
    note: str = ""

    def meta(self, source: str = "") -> DocumentMeta:
        """The entry as document metadata."""
        return DocumentMeta(
            name=self.name,
            number=self.number,
            doc_type=self.doc_type,
            issuer=self.issuer,
            year=self.year,
            issued=self.issued,
            effective=self.effective,
            status=self.status,
            changed_by=self.changed_by,
            change_effective=self.change_effective,
            status_label=self.label,
            source=source,
        )


class Catalog(BaseModel):
    """The whole metadata file."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    documents: list[CatalogEntry]

    def by_number(self) -> dict[str, CatalogEntry]:
        """Entries keyed by document number."""
        return {entry.number: entry for entry in self.documents}


def load_catalog(path: Path) -> Catalog:
    """Read and validate a metadata file; a missing file is an empty catalog."""
    if not path.exists():
        return Catalog(documents=[])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        catalog = Catalog.model_validate(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DocumentError(path, f"cannot read the metadata file ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DocumentError(path, f"{where}: {first['msg']}") from exc
    numbers = [entry.number for entry in catalog.documents]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise DocumentError(path, f"document number listed twice: {', '.join(duplicates)}")
    return catalog
