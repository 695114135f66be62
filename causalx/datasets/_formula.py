"""Chemical formulas: parsing ``"Ga0.5In0.5As"`` into element amounts, and a reduced key per composition."""

from __future__ import annotations

import re

_FORMULA = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")


def _parse_formula(formula: str) -> dict[str, float] | None:
    """Element -> amount of a formula without brackets; None when the text is not one.

    >>> _parse_formula("Ga0.5In0.5As")
    {'Ga': 0.5, 'In': 0.5, 'As': 1.0}
    >>> _parse_formula("Ga(As)2") is None
    True
    """
    text = formula.strip()
    parts = _FORMULA.findall(text)
    if not parts or "".join(e + n for e, n in parts) != text:
        return None
    out: dict[str, float] = {}
    for el, num in parts:
        out[el] = out.get(el, 0.0) + (float(num) if num else 1.0)
    return out


def _reduced_formula(comp: dict[str, float]) -> str:
    """Key shared by the formulas of one composition (fractions, elements sorted).

    >>> _reduced_formula({"Ga": 1, "As": 1}) == _reduced_formula(_parse_formula("Ga2As2"))
    True
    """
    total = sum(comp.values())
    return "".join(f"{el}{comp[el] / total:.4f}" for el in sorted(comp))

