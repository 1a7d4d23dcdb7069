"""Reading import files: CSV (UTF-8, a BOM allowed, ``,`` or ``;``) and JSON (a list of objects)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask_babel import lazy_gettext as _l

from shopadmin.core.errors import Invalid

FORMATS = ("csv", "json")
MAX_RECORDS = 100_000


def guess_format(filename: str) -> str:
    return "json" if filename.lower().endswith(".json") else "csv"


def read_records(data: bytes, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """``(line or item number, record)`` pairs; a file that cannot be read raises ``Invalid``."""
    if fmt not in FORMATS:
        raise Invalid(_l("Unknown format."), fields={"format": ["csv or json."]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_l("The file is not UTF-8 text."), fields={"file": [_l("Save it as UTF-8.")]}) from None
    if fmt == "json":
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Invalid(_l("The file is not valid JSON: %(error)s (line %(line)s).", error=exc.msg, line=exc.lineno),
                          fields={"file": [_l("Not JSON.")]}) from None
        if isinstance(loaded, dict) and isinstance(loaded.get("items"), list):
            loaded = loaded["items"]
        if not isinstance(loaded, list) or not all(isinstance(item, dict) for item in loaded):
            raise Invalid(_l("A JSON import is a list of objects."), fields={"file": [_l("A list of objects.")]})
        records = [(index + 1, item) for index, item in enumerate(loaded)]
    else:
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        if not reader.fieldnames:
            raise Invalid(_l("The CSV file has no header row."), fields={"file": [_l("A header row is needed.")]})
        records = []
        for row in reader:
            clean = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()
                     if key is not None and not isinstance(value, list)}
            if any(clean.values()):
                records.append((reader.line_num, clean))
    if len(records) > MAX_RECORDS:
        raise Invalid(_l("At most %(count)s records per file.", count=MAX_RECORDS),
                      fields={"file": [_l("Too many records.")]})
    return records
