#!/usr/bin/env python3
"""Builds tests/data/email_validator_corpus.json: the addresses of email-validator's own
syntax tests, each with the verdict of the real email-validator (default options,
check_deliverability=False). tests/email_corpus.rs compares vaultty's validate_email with it.

    pip install email-validator==2.4.0
    python3 tests/data/email_corpus.py            # downloads the sdist with pip, writes the file
    python3 tests/data/email_corpus.py --check    # only compares the live package with the file

email-validator (https://github.com/JoshData/python-email-validator) is released into the
public domain under the Unlicense; so are its tests, from which the addresses come.

The addresses are taken from tests/test_syntax.py of the sdist, without running it: the first
value of each pytest.mark.parametrize case, the first argument of each validate_email call
with a literal address, the literal tuples that tests loop over, and for
test_email_unsafe_character the two addresses that test builds (s + "@test", "test@" + s).
Addresses the tests build by repetition (the 50,000-character quadratic-time cases) are left
out: they are a speed test, not a verdict. So are the two with a lone surrogate (U+D800),
which no UTF-8 string, and so no vaultty input, can hold.
"""

import argparse
import ast
import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile

VERSION = "2.4.0"
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "email_validator_corpus.json"


def test_source() -> tuple[str, str]:
    """The text of tests/test_syntax.py from the email-validator sdist, and its file name."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", "--dest", tmp, f"email-validator=={VERSION}"],
            check=True)
        sdist = next(pathlib.Path(tmp).glob("email_validator-*.tar.gz"))
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("tests/test_syntax.py"))
            return tar.extractfile(member).read().decode("utf-8"), sdist.name


def encodable(s: str) -> bool:
    """False for strings with a lone surrogate, which no UTF-8 (or Rust) string can hold."""
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def addresses(source: str) -> list[tuple[str, str]]:
    """(address, test name) pairs in order of appearance, without duplicates."""
    found: list[tuple[str, str]] = []

    def add(value, test):
        if isinstance(value, str) and encodable(value):
            found.append((value, test))

    for fn in ast.parse(source).body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for deco in fn.decorator_list:
            if not (isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "parametrize"):
                continue
            cases = deco.args[1].elts if len(deco.args) > 1 else []
            for case in cases:
                # The expected values may be calls (MakeValidatedEmail): read the address only.
                first = literal(case.elts[0] if isinstance(case, (ast.Tuple, ast.List)) else case)
                if not isinstance(first, str):
                    continue
                if fn.name == "test_email_unsafe_character":
                    add(first + "@test", fn.name)
                    add("test@" + first, fn.name)
                else:
                    add(first, fn.name)
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "validate_email"
                    and node.args):
                add(literal(node.args[0]), fn.name)
            if isinstance(node, ast.For):
                for value in literal(node.iter) or []:
                    add(value, fn.name)
    seen = set()
    unique = []
    for address, test in found:
        if address not in seen:
            seen.add(address)
            unique.append((address, test))
    return unique


def verdict(address: str) -> tuple[bool, str]:
    from email_validator import EmailNotValidError, validate_email
    try:
        validate_email(address, check_deliverability=False)
        return True, ""
    except EmailNotValidError as e:
        return False, str(e)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare the installed email-validator with the committed verdicts")
    args = parser.parse_args()
    import email_validator
    if email_validator.__version__ != VERSION:
        print(f"warning: email-validator {email_validator.__version__} is installed; "
              f"the corpus is of {VERSION}", file=sys.stderr)
    if args.check:
        corpus = json.loads(OUT.read_text(encoding="utf-8"))
        wrong = [c["email"] for c in corpus["cases"] if verdict(c["email"])[0] != c["valid"]]
        for email in wrong:
            print(f"verdict differs: {email!r}")
        print(f"{len(corpus['cases']) - len(wrong)} agree, {len(wrong)} differ")
        return 1 if wrong else 0
    source, sdist = test_source()
    cases = []
    for address, test in addresses(source):
        valid, reason = verdict(address)
        case = {"email": address, "valid": valid, "test": test}
        if reason:
            case["reason"] = reason
        cases.append(case)
    doc = {
        "source": f"email-validator {VERSION} ({sdist}), tests/test_syntax.py",
        "licence": "Unlicense (public domain), like email-validator itself",
        "generated_by": "tests/data/email_corpus.py: email_validator.validate_email(address, "
                        "check_deliverability=False), every other option at its default",
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    valid = sum(c["valid"] for c in cases)
    print(f"{OUT.relative_to(ROOT)}: {len(cases)} addresses, {valid} valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
