"""The parties file (DESIGN.md §8): names and zones, located problems, agreements checked."""

from pathlib import Path

import pytest

from accord.errors import AgreementError
from accord.model.loader import agreement_files, load_agreement_set
from accord.model.parties import PartyKind, parse_parties

EXAMPLES = Path(__file__).parents[2] / "examples" / "agreements"


def test_names_and_zones_come_from_the_file_and_ids_stand_for_the_rest() -> None:
    parties = parse_parties(
        "accord: 1\nparties:\n  acme: {name: Acme Corp, kind: customer, "
        "timezone: Europe/Berlin}\n")
    assert parties.name("acme") == "Acme Corp"
    assert parties.timezone("acme") == "Europe/Berlin"
    assert parties["acme"].kind is PartyKind.CUSTOMER
    assert parties.name("globex") == "globex"
    assert parties.timezone("globex") is None
    assert parties.unknown(["acme", "globex"]) == ["globex"]


def test_every_problem_is_located() -> None:
    text = ("accord: 1\nparties:\n  acme: {name: Acme, kind: customr}\n"
            "  northwind: {name: N, kind: provider, timezone: Europe/Berln}\n")
    with pytest.raises(AgreementError) as caught:
        parse_parties(text, "parties.yaml")
    found = [(p.line, p.path) for p in caught.value.problems]
    assert found == [(3, "parties.acme.kind"), (4, "parties.northwind.timezone")]
    assert "Europe/Berlin" in (caught.value.problems[1].message or "")


def test_the_parties_file_is_not_an_agreement() -> None:
    files = agreement_files([EXAMPLES])
    assert files
    assert all(f.name != "parties.yaml" for f in files)
    found = load_agreement_set([EXAMPLES])
    assert found.parties.name("acme") == "Acme Corp"
    assert len(found.agreements) == len(files)


def test_an_agreement_naming_an_unknown_party_is_a_located_problem(tmp_path: Path) -> None:
    (tmp_path / "parties.yaml").write_text(
        "accord: 1\nparties:\n  northwind-it: {name: Northwind, kind: provider}\n"
        "  acm: {name: Acme, kind: customer}\n")
    source = (EXAMPLES / "northwind-acme-billing.yaml").read_text()
    (tmp_path / "billing.yaml").write_text(source)
    with pytest.raises(AgreementError) as caught:
        load_agreement_set([tmp_path])
    (problem,) = caught.value.problems
    assert problem.path == "customer"
    assert problem.line == source.splitlines().index("customer: acme") + 1
    assert "did you mean 'acm'" in (problem.hint or "")


def test_without_a_parties_file_ids_stand_as_names(tmp_path: Path) -> None:
    (tmp_path / "billing.yaml").write_text((EXAMPLES / "northwind-acme-billing.yaml").read_text())
    found = load_agreement_set([tmp_path])
    assert found.parties.file is None
    assert found.parties.name("acme") == "acme"
