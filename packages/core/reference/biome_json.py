"""The reference scripts' JSON, printed in the layout Biome gives it.

Both `reference.py` and `agreement.py` print through here, so that `biome check` stays clean after
a regeneration without reformatting the files by hand, and both files are laid out one way.
"""

import json
import sys

WIDTH = 120


def scalar(value):
    if isinstance(value, float) and value.is_integer():
        # JSON numbers carry no type; write whole floats as integers, as JavaScript would.
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def emit(value, indent, prefix_width, suffix_width):
    """Objects always expanded; arrays on one line when they fit, numbers filled, else one per line."""
    pad = " " * indent
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        entries = list(value.items())
        for index, (key, item) in enumerate(entries):
            comma = "," if index < len(entries) - 1 else ""
            key_text = json.dumps(key, ensure_ascii=False) + ": "
            lines.append(inner + key_text + emit(item, indent + 2, indent + 2 + len(key_text), len(comma)) + comma)
        return "{\n" + "\n".join(lines) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if not any(isinstance(v, dict) and v for v in value):
            flat_items = [emit(v, indent, 0, 0) for v in value]
            if all("\n" not in f for f in flat_items):
                flat = "[" + ", ".join(flat_items) + "]"
                if prefix_width + len(flat) + suffix_width <= WIDTH:
                    return flat
                if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in value):
                    rows, row = [], ""
                    for index, text in enumerate(flat_items):
                        piece = text + ("," if index < len(flat_items) - 1 else "")
                        candidate = piece if not row else row + " " + piece
                        if row and len(inner) + len(candidate) > WIDTH:
                            rows.append(row)
                            row = piece
                        else:
                            row = candidate
                    rows.append(row)
                    return "[\n" + "\n".join(inner + r for r in rows) + "\n" + pad + "]"
        lines = []
        for index, item in enumerate(value):
            comma = "," if index < len(value) - 1 else ""
            lines.append(inner + emit(item, indent + 2, indent + 2, len(comma)) + comma)
        return "[\n" + "\n".join(lines) + "\n" + pad + "]"
    return scalar(value)


def print_json(value):
    """Writes `value` to stdout in Biome's layout, with the final newline Biome keeps."""
    sys.stdout.write(emit(value, 0, 0, 0) + "\n")
