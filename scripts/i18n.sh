#!/usr/bin/env bash
# Message catalogs of the web app (English msgids, Simplified Chinese catalog).
#
#   scripts/i18n.sh extract   find the strings in survey/ and templates/, write messages.pot and
#                             merge it into each catalog (translations are kept; new strings
#                             arrive empty, changed ones fuzzy with the old text as a hint)
#   scripts/i18n.sh compile   write the .mo files the app reads (committed: wheels carry them)
#   scripts/i18n.sh check     fail, saying which, if a catalog lacks a string of the code, has
#                             untranslated or fuzzy entries or mismatched placeholders, or its
#                             .mo does not match its .po; changes no file
#
# After adding or changing UI strings: extract, translate the empty/fuzzy entries in
# survey/translations/zh_Hans_CN/LC_MESSAGES/messages.po (remove the "fuzzy" flag once
# checked), compile, check. tests/app/test_i18n.py makes the same checks.
#
# PYBABEL and PYTHON may point elsewhere than .venv/bin (PYTHON needs babel installed).
set -euo pipefail

cd "$(dirname "$0")/.."

PYBABEL=${PYBABEL:-.venv/bin/pybabel}
PYTHON=${PYTHON:-.venv/bin/python}
TRANSLATIONS=survey/translations
POT=$TRANSLATIONS/messages.pot
LOCALES=(zh_Hans_CN)

# Options of `pybabel extract` besides -F/-o/path; tests/app/test_i18n.py reads this array, so
# keep it a plain list of words. Babel skips folders starting with "_" unless --ignore-dirs is
# given, which would lose templates/_layouts and templates/_macros. Flask-Babel's lazy
# variants are keywords too; "# TRANSLATORS: …" comments above a string reach the catalog.
EXTRACT_OPTIONS=(
    --ignore-dirs='.* __pycache__'
    -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k lazy_npgettext:1c,2,3
    --add-comments=TRANSLATORS:
    --add-location=file
    --sort-output
    --project=survey
)

usage() {
    echo "usage: $0 extract|compile|check" >&2
    exit 2
}

extract_to() {
    "$PYBABEL" -q extract -F babel.cfg "${EXTRACT_OPTIONS[@]}" -o "$1" .
}

po_file() {
    echo "$TRANSLATIONS/$1/LC_MESSAGES/messages.po"
}

# Same file but for the POT-Creation-Date header, which every extraction changes.
same_but_date() {
    cmp -s <(grep -v '^"POT-Creation-Date: ' "$1") <(grep -v '^"POT-Creation-Date: ' "$2")
}

# keep_or_replace NEW FILE: put NEW in FILE unless only the date differs (so an extraction
# that finds nothing new leaves no diff for concurrent branches to conflict on).
keep_or_replace() {
    if [[ -f "$2" ]] && same_but_date "$1" "$2"; then
        return
    fi
    cat "$1" >"$2"
}

extract() {
    local tmp locale po
    tmp=$(mktemp -d)
    trap "rm -rf '$tmp'" EXIT
    extract_to "$tmp/messages.pot"
    keep_or_replace "$tmp/messages.pot" "$POT"
    for locale in "${LOCALES[@]}"; do
        po=$(po_file "$locale")
        if [[ -f "$po" ]]; then
            cp "$po" "$tmp/$locale.po"
            "$PYBABEL" -q update -i "$POT" -d "$TRANSLATIONS" -l "$locale" --ignore-obsolete
            keep_or_replace "$po" "$tmp/$locale.po"
            cat "$tmp/$locale.po" >"$po"
        else
            "$PYBABEL" -q init -i "$POT" -d "$TRANSLATIONS" -l "$locale"
        fi
    done
    echo "Wrote $POT ($(($(grep -c "^msgid " "$POT") - 1)) messages)."
    # Show what is left to translate; extract itself succeeds either way.
    check_catalogs "$POT" --no-mo || true
}

compile() {
    "$PYBABEL" compile -d "$TRANSLATIONS" -D messages --statistics
}

# check_catalogs POT [--no-mo]: compare each catalog with POT and its .mo; print the problems.
check_catalogs() {
    "$PYTHON" - "$1" "${2:-}" "$TRANSLATIONS" "${LOCALES[@]}" <<'PY'
import re
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

pot_path, mode, translations, *locales = sys.argv[1:]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def as_tuple(string):
    """A plural message's strings: a list when read from .mo, a tuple from .po."""
    return tuple(string) if isinstance(string, list) else string


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def entries(catalog):
    return {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in catalog if m.id}


with open(pot_path, "rb") as f:
    wanted = entries(read_po(f))
failed = False
for locale in locales:
    base = Path(translations) / locale / "LC_MESSAGES" / "messages"
    if not Path(f"{base}.po").exists():
        print(f"{locale}: no catalog {base}.po (run scripts/i18n.sh extract)")
        failed = True
        continue
    with open(f"{base}.po", "rb") as f:
        have = entries(read_po(f, locale=locale))
    problems = []
    for key in sorted(wanted.keys() - have.keys(), key=str):
        problems.append(f"missing (run scripts/i18n.sh extract): {key[0]!r}")
    for key, message in have.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy:
            problems.append(f"fuzzy: {key[0]!r}")
        elif not all(strings):
            problems.append(f"untranslated: {key[0]!r}")
        # A plural form may follow either English form ("One agency" / "%(num)d agencies").
        elif any(placeholders(s) not in [placeholders(i) for i in ids] for s in strings):
            problems.append(f"placeholders differ: {key[0]!r}")
    if mode != "--no-mo":
        mo = Path(f"{base}.mo")
        if not mo.exists():
            problems.append("no .mo (run scripts/i18n.sh compile)")
        else:
            with open(mo, "rb") as f:
                compiled = {k: as_tuple(m.string) for k, m in entries(read_mo(f)).items()}
            source = {k: as_tuple(m.string) for k, m in have.items() if not m.fuzzy and m.string}
            if compiled != source:
                problems.append(".mo differs from .po (run scripts/i18n.sh compile)")
    unused = len(have.keys() - wanted.keys())
    if unused:
        print(f"{locale}: note: {unused} entries no longer in the code (extract drops them)")
    if problems:
        failed = True
        print(f"{locale}: {len(problems)} problem(s):")
        print("\n".join(f"  {p}" for p in problems))
    else:
        print(f"{locale}: all {len(wanted)} messages translated.")
sys.exit(1 if failed else 0)
PY
}

check() {
    local tmp
    tmp=$(mktemp -d)
    trap "rm -rf '$tmp'" EXIT
    extract_to "$tmp/messages.pot"
    check_catalogs "$tmp/messages.pot"
}

[[ $# -eq 1 ]] || usage
case "$1" in
    extract) extract ;;
    compile) compile ;;
    check) check ;;
    *) usage ;;
esac
