"""What a customer's mail asks for: language, order numbers, intents and the changes.

Pure functions over text and the shop's catalogue (handed in as ``Catalogue``): no
database, so the benchmark and the tests run them directly. The words are data, one
TOML file per language in ``rules/``; this module only knows how to apply them.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from shopadmin.inbox.parsing import Attachment

RULES_DIR = Path(__file__).parent / "rules"
LANGUAGES = ("en", "de", "fr", "es")
INTENTS = ("cancel", "shipping_address", "quantity", "add_item", "remove_item", "confirm", "status",
           "purchase_order")
ORDER_NUMBER_RE = re.compile(r"\b([A-Z][A-Z0-9]{0,31}-\d{4,9})\b")
TOKEN_RE = re.compile(r"(?<![\w-])([A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9]|[A-Za-z0-9])(?![\w-])")
NUMBER_RE = re.compile(r"(?<![\w.,-])(\d{1,6})(?![\w-]|[.,]\d)")
POSTCODE_CITY_RE = re.compile(r"^(?:[A-Z]{1,2}[- ])?(\d{4,5})\s+([^\d,]{2,80})$")
CITY_POSTCODE_RE = re.compile(r"^([^\d,]{2,80}?),?\s+(\d{4,5})$")
MAX_PO_LINES = 500


def fold(text: str) -> str:
    """Lower case without accents (``Bestätigen`` -> ``bestatigen``), ``ß`` -> ``ss``."""
    text = text.lower().replace("ß", "ss").replace("’", "'")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Rules:
    language: str
    intents: dict[str, tuple[re.Pattern[str], ...]]
    negations: tuple[str, ...]
    tentative: tuple[re.Pattern[str], ...]
    to_words: tuple[str, ...]
    order_words: tuple[str, ...]
    number_words: dict[str, int]
    countries: dict[str, str]
    quote_cutters: tuple[re.Pattern[str], ...]
    signoffs: tuple[str, ...]
    address_stop: tuple[re.Pattern[str], ...]
    csv_sku: tuple[str, ...]
    csv_quantity: tuple[str, ...]


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(fold(p)) for p in patterns)


@cache
def rules_for(language: str) -> Rules:
    data = tomllib.loads((RULES_DIR / f"{language}.toml").read_text(encoding="utf-8"))
    intents = {name: _compile(data["intents"].get(name, [])) for name in INTENTS}
    return Rules(
        language=language,
        intents=intents,
        negations=tuple(fold(w) for w in data.get("negations", [])),
        tentative=_compile(data.get("tentative", [])),
        to_words=tuple(fold(w) for w in data.get("to_words", [])),
        order_words=tuple(fold(w) for w in data.get("order_words", [])),
        number_words={fold(k): int(v) for k, v in data.get("number_words", {}).items()},
        countries={fold(k): v for k, v in data.get("countries", {}).items()},
        quote_cutters=_compile(data.get("quote_cutters", [])),
        signoffs=tuple(fold(w) for w in data.get("signoffs", [])),
        address_stop=_compile(data.get("address_stop", [])),
        csv_sku=tuple(fold(w) for w in data.get("csv_sku", [])),
        csv_quantity=tuple(fold(w) for w in data.get("csv_quantity", [])),
    )


@cache
def all_cutters() -> tuple[re.Pattern[str], ...]:
    return tuple(p for lang in LANGUAGES for p in rules_for(lang).quote_cutters)


@cache
def all_signoffs() -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for lang in LANGUAGES for s in rules_for(lang).signoffs))


@cache
def all_countries() -> dict[str, str]:
    merged: dict[str, str] = {}
    for lang in LANGUAGES:
        merged.update(rules_for(lang).countries)
    return merged


# -- language ------------------------------------------------------------------------------


@cache
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.GERMAN, Language.FRENCH, Language.SPANISH).with_preloaded_language_models().build()


def warm_up() -> None:
    """Load the rules and the language models now (a worker, before it forks its work horses)."""
    _detector()
    for language in LANGUAGES:
        rules_for(language)


ISO = {"ENGLISH": "en", "GERMAN": "de", "FRENCH": "fr", "SPANISH": "es"}


def detect_language(text: str, fallback: str = "en") -> str:
    """en, de, fr or es (lingua, offline); ``fallback`` for text with too few words."""
    # The first few hundred characters tell the language; more only costs time.
    sample = ORDER_NUMBER_RE.sub(" ", text)[:400]
    if len(re.findall(r"[^\W\d_]{2,}", sample)) < 2:
        return fallback if fallback in LANGUAGES else "en"
    found = _detector().detect_language_of(sample)
    return ISO.get(found.name, fallback) if found is not None else fallback


# -- the catalogue the worker matches against ------------------------------------------------


@dataclass
class Product:
    sku: str
    name: str
    price: Decimal
    is_active: bool = True


@dataclass
class Catalogue:
    """A shop's products by SKU, and their names (folded) for matching by name."""

    products: dict[str, Product]

    @property
    def by_name(self) -> dict[str, Product]:
        return {fold(p.name): p for p in self.products.values() if p.is_active and len(p.name) >= 4}


@dataclass
class OrderView:
    """What understanding needs to know about an order."""

    number: str
    state: str
    lines: list[dict[str, Any]]  # {"sku", "name", "quantity", "unit_price"}
    shipping_address: dict[str, Any]
    total: Decimal = Decimal("0")


# -- results -------------------------------------------------------------------------------


@dataclass
class Understanding:
    language: str
    order_numbers: list[str]
    intents: list[str]
    changes: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)

    @property
    def is_clear(self) -> bool:
        return bool(self.changes) and not self.problems and not any(c.get("problem") for c in self.changes)


def find_order_numbers(*texts: str) -> list[str]:
    seen: list[str] = []
    for text in texts:
        for match in ORDER_NUMBER_RE.finditer(text.upper()):
            if match.group(1) not in seen:
                seen.append(match.group(1))
    return seen


def _negated(folded: str, start: int, rules: Rules) -> bool:
    before = folded[max(0, start - 28):start]
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", before) for word in rules.negations)


def _intents_of_line(folded: str, rules: Rules) -> tuple[list[str], bool]:
    found: list[str] = []
    negated = False
    for name, patterns in rules.intents.items():
        for pattern in patterns:
            match = pattern.search(folded)
            if match:
                if _negated(folded, match.start(), rules):
                    negated = True
                else:
                    found.append(name)
                break
    return found, negated


def _numbers(text: str, rules: Rules, skip: Iterable[str]) -> list[tuple[int, int]]:
    """Numbers in ``text`` as (position, value), leaving out SKUs and order numbers."""
    masked = text
    for token in sorted(skip, key=len, reverse=True):
        masked = re.sub(re.escape(token), lambda m: " " * len(m.group(0)), masked, flags=re.IGNORECASE)
    found = [(m.start(), int(m.group(1))) for m in NUMBER_RE.finditer(masked)]
    folded = fold(masked)
    for word, value in rules.number_words.items():
        for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            found.append((m.start(), value))
    return sorted(found)


def _items(line: str, catalogue: Catalogue, order: OrderView | None) -> tuple[list[Product], list[str]]:
    """Products named in ``line`` (by SKU, else by name) and the matched text."""
    tokens = {m.group(1).upper(): m.group(1) for m in TOKEN_RE.finditer(line)}
    by_sku = [catalogue.products[t] for t in tokens if t in catalogue.products]
    if by_sku:
        return list({p.sku: p for p in by_sku}.values()), [tokens[p.sku] for p in by_sku]
    folded = fold(line)
    names = catalogue.by_name
    if order is not None:  # names as they are on the order's lines first
        for row in order.lines:
            if len(row.get("name", "")) >= 4:
                names.setdefault(fold(row["name"]), catalogue.products.get(row["sku"]) or Product(
                    row["sku"], row["name"], Decimal(str(row.get("unit_price") or 0))))
    hits = [(name, product) for name, product in names.items()
            if re.search(rf"(?<!\w){re.escape(name)}s?(?!\w)", folded)]
    if not hits:
        return [], []
    longest = max(len(name) for name, _ in hits)
    # "Second widget" also contains "widget": keep only hits not inside a longer one.
    kept = [(n, p) for n, p in hits if not any(n != other and n in other for other, _ in hits)]
    products = list({p.sku: p for _, p in kept}.values())
    return products, [n for n, _ in kept if len(n) <= longest]


def _target_quantity(line: str, numbers: list[tuple[int, int]], rules: Rules) -> int | None:
    folded = fold(line)
    for word in rules.to_words:
        for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            after = [value for pos, value in numbers if pos >= m.end()]
            if after:
                return after[0]
    values = list(dict.fromkeys(value for _, value in numbers))
    return values[0] if len(values) == 1 else None


def _line_on_order(order: OrderView | None, sku: str) -> dict[str, Any] | None:
    if order is None:
        return None
    return next((row for row in order.lines if row["sku"] == sku), None)


def _item_change(intent: str, line: str, rules: Rules, catalogue: Catalogue, order: OrderView | None,
                 order_numbers: list[str]) -> dict[str, Any]:
    products, matched = _items(line, catalogue, order)
    change: dict[str, Any] = {"type": intent, "text": line.strip()[:300]}
    if len(products) != 1:
        change["problem"] = "no_item" if not products else "several_items"
        return change
    product = products[0]
    change["sku"] = product.sku
    numbers = _numbers(line, rules, [*matched, *order_numbers])
    current = _line_on_order(order, product.sku)
    if intent == "remove_item":
        if current is None:
            change["problem"] = "not_on_order"
        else:
            change["from"] = current["quantity"]
        return change
    if intent == "add_item":
        values = list(dict.fromkeys(value for _, value in numbers))
        if len(values) > 1:
            change["problem"] = "unclear_quantity"
            return change
        change["quantity"] = values[0] if values else 1
        if current is not None:
            change["from"] = current["quantity"]
        return change
    target = _target_quantity(line, numbers, rules)
    if current is None:
        change["problem"] = "not_on_order"
    elif target is None:
        change["problem"] = "unclear_quantity"
    else:
        change["from"], change["to"] = current["quantity"], target
        if target == 0:
            change.update(type="remove_item")
            change.pop("to")
    return change


def _address_change(lines: list[str], index: int, rules: Rules, order: OrderView | None) -> dict[str, Any]:
    """The new address: the rest of the trigger line after ':' and the lines below it."""
    trigger = lines[index]
    block: list[str] = []
    _, colon, rest = trigger.partition(":")
    if colon and rest.strip():
        block += [part.strip() for part in rest.split(",") if part.strip()]
    for following in lines[index + 1:index + 8]:
        stripped = following.strip().strip(",")
        if not stripped:
            if block:
                break
            continue
        folded = fold(stripped)
        if any(p.search(folded) for p in rules.address_stop):
            break
        block.append(stripped)
    change: dict[str, Any] = {"type": "shipping_address", "text": "\n".join(block)[:500]}
    address = parse_address(block, order.shipping_address if order else {})
    if address is None:
        change["problem"] = "incomplete_address"
    else:
        change["address"] = address
    return change


def parse_address(block: list[str], current: dict[str, Any]) -> dict[str, Any] | None:
    """name / street / postcode city / country from a few lines; ``None`` when unsure."""
    if not block or len(block) > 6:
        return None
    lines = list(block)
    if len(lines) == 1 and lines[0].count(",") >= 1:
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]
    countries = all_countries()
    country = None
    if lines and fold(lines[-1]).strip(" .") in countries:
        country = countries[fold(lines.pop()).strip(" .")]
    city_at = None
    postcode = city = ""
    for n, text in enumerate(lines):
        m = POSTCODE_CITY_RE.match(text.strip())
        if m:
            postcode, city, city_at = m.group(1), m.group(2).strip(), n
            break
        m = CITY_POSTCODE_RE.match(text.strip())
        if m and n > 0:
            city, postcode, city_at = m.group(1).strip(), m.group(2), n
            break
    if city_at is None or city_at == 0:
        return None
    street = lines[city_at - 1]
    if not re.search(r"\d", street):
        return None
    before = lines[:city_at - 1]
    if len(before) > 2 or any(re.search(r"\d", b) for b in before[:1]):
        return None
    name = before[0] if before else (current.get("name") or "")
    if not name:
        return None
    line2 = before[1] if len(before) > 1 else ""
    return {"name": name[:200], "company": "", "line1": street[:200], "line2": line2[:200], "city": city[:100],
            "postcode": postcode, "region": "", "country": country or current.get("country") or "",
            "phone": current.get("phone", "")}


PO_LINE_RES = (
    re.compile(r"^\s*[-*•]?\s*(\d{1,6})\s*(?:x|×|\*|pcs\.?|pieces|stk\.?|stuck|st\.|uds?\.?|unidades|pieces?)?\s+"
               r"(?:of\s+|de\s+|von\s+)?([A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9])\b", re.IGNORECASE),
    re.compile(r"^\s*[-*•]?\s*([A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9])\s*[:;,=x×\t]\s*(\d{1,6})\s*"
               r"(?:x|pcs\.?|pieces|stk\.?|stuck|st\.|uds?\.?|unidades)?\s*$", re.IGNORECASE),
)


def po_lines_from_text(text: str, catalogue: Catalogue) -> tuple[list[dict[str, Any]], list[str]]:
    """``3 x SKU`` / ``SKU: 3`` lines; returns (lines, unknown SKUs)."""
    lines: list[dict[str, Any]] = []
    unknown: list[str] = []
    for raw_line in text.split("\n"):
        for n, pattern in enumerate(PO_LINE_RES):
            m = pattern.match(raw_line)
            if not m:
                continue
            qty, sku = (m.group(1), m.group(2)) if n == 0 else (m.group(2), m.group(1))
            sku = sku.upper()
            if ORDER_NUMBER_RE.fullmatch(sku) and sku not in catalogue.products:
                break
            if sku in catalogue.products:
                lines.append({"sku": sku, "quantity": int(qty)})
            elif re.search(r"\d", sku) and re.search(r"[A-Z]", sku):
                unknown.append(sku)
            break
    return _merge(lines), unknown


def _merge(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, int] = {}
    for line in lines:
        merged[line["sku"]] = merged.get(line["sku"], 0) + int(line["quantity"])
    return [{"sku": sku, "quantity": qty} for sku, qty in merged.items()][:MAX_PO_LINES]


def _rows_from_attachment(attachment: Attachment) -> list[list[str]]:
    name = attachment.filename.lower()
    if name.endswith(".xlsx") or attachment.content_type in (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(attachment.data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = []
            for row in sheet.iter_rows(max_row=MAX_PO_LINES + 1, max_col=10, values_only=True):
                rows.append(["" if v is None else str(v).strip() for v in row])
            return rows
        finally:
            book.close()
    if name.endswith((".csv", ".txt")) or attachment.content_type in ("text/csv", "application/csv"):
        text = attachment.data.decode("utf-8-sig", "replace")[:500_000]
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)][:MAX_PO_LINES + 1]
    return []


def po_lines_from_attachments(attachments: list[Attachment], catalogue: Catalogue
                              ) -> tuple[list[dict[str, Any]], list[str], bool]:
    """(lines, unknown SKUs, found a purchase-order attachment at all)."""
    sku_words = {w for lang in LANGUAGES for w in rules_for(lang).csv_sku}
    qty_words = {w for lang in LANGUAGES for w in rules_for(lang).csv_quantity}
    lines: list[dict[str, Any]] = []
    unknown: list[str] = []
    found = False
    for attachment in attachments:
        try:
            rows = _rows_from_attachment(attachment)
        except Exception:  # noqa: S112  (a broken spreadsheet is a person's problem, not a crash)
            continue
        rows = [row for row in rows if any(row)]
        if not rows:
            continue
        header = [fold(cell) for cell in rows[0]]
        sku_col = next((i for i, h in enumerate(header) if h in sku_words), None)
        qty_col = next((i for i, h in enumerate(header) if h in qty_words), None)
        body = rows[1:] if sku_col is not None and qty_col is not None else rows
        if sku_col is None or qty_col is None:
            sku_col, qty_col = 0, 1
        for row in body:
            if len(row) <= max(sku_col, qty_col):
                continue
            sku, qty = row[sku_col].upper(), row[qty_col].replace(".0", "")
            if not qty.isdigit() or not sku:
                continue
            found = True
            if sku in catalogue.products:
                lines.append({"sku": sku, "quantity": int(qty)})
            else:
                unknown.append(sku)
    return _merge(lines), unknown, found


# -- the whole mail --------------------------------------------------------------------------


def understand(text: str, subject: str, *, language: str, catalogue: Catalogue, order: OrderView | None,
               order_numbers: list[str], attachments: list[Attachment] | None = None) -> Understanding:
    """Intents and proposed changes, one per line of the mail at most."""
    primary = rules_for(language)
    others = [rules_for(lang) for lang in LANGUAGES if lang != language]
    lines = text.split("\n")
    changes: list[dict[str, Any]] = []
    intents: list[str] = []
    problems: list[str] = []
    candidates = [("subject", subject)] + [(str(n), line) for n, line in enumerate(lines)]
    for where, line in candidates:
        if not line.strip():
            continue
        folded = fold(line)
        found, negated = _intents_of_line(folded, primary)
        if not found and not negated:
            for rules in others:
                found, negated = _intents_of_line(folded, rules)
                if found or negated:
                    break
        if negated:
            problems.append("negated")
            continue
        if not found:
            continue
        if where == "subject" and not set(found) & {"cancel", "confirm", "status", "purchase_order"}:
            continue  # subjects name the topic; the body says what to change
        if any(p.search(folded) for p in primary.tentative) and set(found) - {"status"}:
            problems.append("tentative")
        found = _prefer(found)
        if "cancel" in found and where != "subject" and not _names_order(folded, primary):
            products, _matched = _items(line, catalogue, order)
            if len(products) == 1:  # "please cancel the blue widget": that line goes, not the order
                found = ["remove_item" if i == "cancel" else i for i in found]
        for intent in found:
            if intent in intents and intent in ("cancel", "confirm", "status", "purchase_order"):
                continue
            intents.append(intent)
            if intent in ("quantity", "add_item", "remove_item"):
                changes.append(_item_change(intent, line, primary, catalogue, order, order_numbers))
            elif intent == "shipping_address":
                if where == "subject":
                    continue
                changes.append(_address_change(lines, int(where), primary, order))
            elif intent == "purchase_order":
                pass
            else:
                changes.append({"type": intent})
    att_lines, att_unknown, has_po_file = po_lines_from_attachments(attachments or [], catalogue)
    if "purchase_order" in intents or has_po_file or (not order_numbers and not changes):
        body_lines, body_unknown = po_lines_from_text(text, catalogue)
        po_lines = _merge(att_lines + body_lines)
        unknown = att_unknown + body_unknown
        if po_lines or unknown or "purchase_order" in intents:
            if "purchase_order" not in intents:
                intents.append("purchase_order")
            change: dict[str, Any] = {"type": "purchase_order", "lines": po_lines}
            if unknown:
                change["unknown_skus"] = list(dict.fromkeys(unknown))[:50]
            if not po_lines:
                change["problem"] = "no_lines"
            # Item intents in a purchase order are its lines, not edits of an order.
            changes = [c for c in changes if c["type"] not in ("add_item", "quantity", "remove_item")]
            intents = [i for i in intents if i not in ("add_item", "quantity", "remove_item")]
            changes.append(change)
    if "cancel" in intents and len(intents) > 1 and "status" not in intents:
        problems.append("cancel_with_other_changes")
    return Understanding(language=language, order_numbers=order_numbers, intents=intents, changes=changes,
                         problems=list(dict.fromkeys(problems)))


def _names_order(folded: str, rules: Rules) -> bool:
    return bool(ORDER_NUMBER_RE.search(folded.upper())) or any(
        re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded) for word in rules.order_words)


def _prefer(found: list[str]) -> list[str]:
    """One line, one change: the most specific intent wins."""
    items = [i for i in found if i in ("quantity", "add_item", "remove_item")]
    if "quantity" in items and "add_item" in items:
        items = ["quantity"]
    if "remove_item" in items and "cancel" in found:
        found = [i for i in found if i != "cancel"]
    if items:
        # "cancel" on a line that names an item means removing that item: decided by the caller.
        rest = [i for i in found if i not in ("quantity", "add_item", "remove_item", "cancel")]
        return [items[0], *rest]
    return found
