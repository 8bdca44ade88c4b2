"""The SLA document's sections, generated from the agreement (issue 5, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from accord.documents import Source, content_hash, render_html, render_markdown, sla_document
from accord.documents.blocks import Bullets, Document, Facts, Paragraph, Section, Table
from accord.documents.words import target_duration
from accord.model import load_agreement, parse_duration
from tests.documents.conftest import EXAMPLES, MINIMAL, document_of, html_tables

NORTHWIND = next(p for p in EXAMPLES if p.stem == "northwind-acme-billing")
SKYHOST = next(p for p in EXAMPLES if p.stem == "skyhost-availability")
LEDGERWORKS = next(p for p in EXAMPLES if p.stem == "ledgerworks-billing-uc")
BREWLINE = next(p for p in EXAMPLES if p.stem == "brewline-office-drinks")


def document(path: Path) -> Document:
    text = path.read_text()
    return sla_document(load_agreement(path), Source(content_hash(text), file=path.name))


def section(doc: Document, anchor: str) -> Section:
    return next(s for s in doc.sections if s.id == anchor)


def text_of(part: Section | Document) -> str:
    """Every piece of text in a section (with its subsections) or a whole document."""
    sections = part.sections if isinstance(part, Document) else (part,)
    words: list[str] = []
    for s in sections:
        for block in (*s.blocks, *(b for sub in s.subsections for b in sub.blocks)):
            if isinstance(block, Paragraph):
                words.append(block.text)
            elif isinstance(block, Bullets):
                words.extend(block.items)
            elif isinstance(block, Facts):
                words.extend(f"{k}: {v}" for k, v in block.rows)
            elif isinstance(block, Table):
                words.extend(" | ".join(row) for row in block.rows)
    return "\n".join(words)


def test_the_sections_follow_the_usual_structure_of_an_sla() -> None:
    doc = document(NORTHWIND)
    assert [(s.number, s.title) for s in doc.sections] == [
        ("1", "Agreement"), ("2", "Services covered"), ("3", "Service hours"),
        ("4", "Responsibilities"), ("5", "Service levels"),
        ("6", "Scheduled maintenance and exclusions"), ("7", "Reporting"),
        ("8", "Service credits"), ("9", "Escalation and contacts"), ("10", "Security"),
        ("11", "Review and change"), ("12", "Signatures")]
    assert doc.title == "Billing system support for Acme Corp"
    assert doc.subtitle == "Service level agreement (SLA) between northwind-it and acme"


def test_every_example_renders_as_html_and_markdown(example: Path) -> None:
    doc = document(example)
    html = render_html(doc)
    markdown = render_markdown(doc)
    agreement = load_agreement(example)
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    assert markdown.startswith(f"# {agreement.title}\n")
    for key, objective in agreement.objectives.items():
        assert f"<td>{key}</td>" in html
        assert f"| {objective.clause} | {key} |" in markdown


def test_the_parties_term_contract_fee_and_hash_come_from_the_agreement() -> None:
    text = NORTHWIND.read_text()
    facts = dict(next(b for b in section(document(NORTHWIND), "agreement").blocks
                      if isinstance(b, Facts)).rows)
    assert facts["Provider"] == "northwind-it"
    assert facts["Customer"] == "acme"
    assert facts["Type"] == "Service level agreement (SLA)"
    assert facts["Term"] == "from 1 January 2026 to 31 December 2026 (both included)"
    assert facts["Contract"] == ("Managed application services contract NW-ACME-2026-03 of "
                                 "2025-12-01, section 7")
    assert facts["Fee"] == "EUR 18,500.00 per month"
    assert facts["Content hash (sha256)"] == content_hash(text)
    assert "Version" not in facts


def test_a_stored_version_shows_its_number_and_when_it_was_applied() -> None:
    from datetime import UTC, datetime

    source = Source("ab" * 32, file="a.yaml", version=3,
                    applied_at=datetime(2026, 2, 1, 9, 30, tzinfo=UTC), applied_by="maria")
    doc = sla_document(load_agreement(NORTHWIND), source)
    facts = dict(next(b for b in section(doc, "agreement").blocks if isinstance(b, Facts)).rows)
    assert facts["Version"] == "3, applied 2026-02-01 09:30 UTC by maria"
    assert "version 3 of agreement northwind-acme-billing" in text_of(section(doc, "review"))
    assert "version 3" in doc.footer


def test_a_service_based_agreement_is_for_every_customer_of_its_services() -> None:
    doc = document(SKYHOST)
    facts = dict(next(b for b in section(doc, "agreement").blocks if isinstance(b, Facts)).rows)
    assert facts["Customer"] == "every customer of the services"
    assert facts["Term"] == "from 1 January 2026, with no end date"
    assert "each customer's service levels and credits are measured on their own" in text_of(
        section(doc, "agreement"))
    assert doc.subtitle.endswith("between skyhost and every customer of the services")


def test_an_underpinning_contract_is_explained_in_words() -> None:
    doc = document(LEDGERWORKS)
    assert ("This is an underpinning contract, an agreement with a supplier: the service levels "
            "ledgerworks commits to northwind-it, which relies on them") in text_of(
        section(doc, "agreement"))


def test_services_list_the_service_levels_that_apply_to_each() -> None:
    table = next(b for b in section(document(SKYHOST), "services").blocks
                 if isinstance(b, Table))
    assert table.rows == (("vm-hosting", "vm-uptime and support-response"),
                          ("object-storage", "storage-uptime and support-response"))


def test_waiting_for_the_customer_stops_the_clock_and_says_so() -> None:
    responsibilities = text_of(section(document(NORTHWIND), "responsibilities"))
    assert ("Answer the provider when a ticket is waiting for the customer (status "
            "pending_customer): while it waits, the clock of p1-resolution, resolution and "
            "request-fulfilment stops") in responsibilities
    assert "Pay the fee of EUR 18,500.00 per month" in responsibilities
    exclusions = text_of(section(document(NORTHWIND), "exclusions"))
    assert ("The resolution clock of request-fulfilment stops while a ticket is waiting for a "
            "vendor or supplier (status pending_vendor).") in exclusions
    assert "pending_vendor" not in responsibilities


# Section 5 of the Northwind agreement, as a reader of its YAML would write it.
NORTHWIND_LEVELS = [
    ["Clause", "Objective", "Metric", "Target", "Compliance goal", "Service hours",
     "Measured per"],
    ["7.2.1", "first-response", "Response time",
     "P1: 15 business minutes\nP2: 30 business minutes\nP3: 2 business hours\n"
     "P4: 8 business hours", "at least 95% of tickets", "office", "calendar month"],
    ["7.2.2", "p1-resolution", "Resolution time", "P1: 4 hours", "all tickets (100%)", "24x7",
     "calendar month"],
    ["7.2.3", "resolution", "Resolution time",
     "P2: 8 business hours\nP3: 20 business hours\nP4: 50 business hours",
     "at least 90% of tickets", "office", "calendar month"],
    ["7.2.4", "request-fulfilment", "Resolution time",
     "P2: 10 business hours\nP3: 30 business hours\nP4: 50 business hours",
     "at least 90% of tickets", "office", "calendar month"],
    ["7.3", "availability", "Availability", "service available (not down)",
     "at least 99.5% availability", "office", "calendar month"],
    ["7.5", "csat", "Key performance indicator: csat", "mean at least 4.2", "at least 4.2", "—",
     "calendar month"],
]


def test_the_service_levels_table_of_the_html_is_the_agreements() -> None:
    tables = html_tables(render_html(document(NORTHWIND)))
    assert tables["service-levels"] == NORTHWIND_LEVELS


def test_the_service_levels_table_of_the_markdown_is_the_agreements() -> None:
    markdown = render_markdown(document(NORTHWIND))
    lines = markdown.split("## 5 Service levels\n", 1)[1].lstrip("\n").split("\n\n", 1)[0].splitlines()
    rows = [[cell.strip().replace("<br>", "\n") for cell in line.strip("|").split(" | ")]
            for line in lines if not line.startswith("| ---")]
    assert rows == NORTHWIND_LEVELS


def test_every_clause_and_target_is_the_one_in_the_yaml(example: Path) -> None:
    raw = yaml.safe_load(example.read_text())
    rows = html_tables(render_html(document(example)))["service-levels"][1:]
    assert [row[1] for row in rows] == list(raw["objectives"])
    for row, (key, objective) in zip(rows, raw["objectives"].items(), strict=True):
        assert row[0] == objective["clause"], key
        business = objective.get("calendar", "24x7") != "24x7"
        if "targets" in objective:
            assert row[3].split("\n") == [
                f"{priority}: {target_duration(parse_duration(value), business=business)}"
                for priority, value in objective["targets"].items()]
        elif objective["metric"] in ("availability", "delivery"):
            assert row[4].startswith(f"at least {objective['target']}"), key
        elif objective["metric"] == "kpi":
            assert row[4] == objective["target"].replace(">=", "at least").replace(
                "<=", "at most"), key


def test_how_each_service_level_is_measured_follows_the_semantics() -> None:
    levels = section(document(NORTHWIND), "service-levels")
    how = {sub.id: text_of(Section("", "", "", sub.blocks)) for sub in levels.subsections}
    assert "first response — or to its resolution, if that comes first" in how[
        "service-levels-first-response"]
    assert "This clock never pauses." in how["service-levels-first-response"]
    assert ("The clock stops while the ticket is waiting for the customer (status "
            "pending_customer)") in how["service-levels-resolution"]
    assert "A ticket that is reopened resumes its clock" in how["service-levels-resolution"]
    assert "whose type is incident" in how["service-levels-resolution"]
    assert ("Scheduled maintenance (maintenance incidents) is neither downtime nor measured "
            "time.") in how["service-levels-availability"]
    assert "Degraded service (degraded incidents) does not count as downtime." in how[
        "service-levels-availability"]
    assert "the mean (average) of the values of csat" in how["service-levels-csat"]


def test_delivery_slots_are_written_from_the_rule_with_their_window() -> None:
    levels = section(document(BREWLINE), "service-levels")
    juice = text_of(next(s for s in levels.subsections if s.id == "service-levels-lunch-juice"))
    assert ("Delivery slots are due every weekday (Monday to Friday) at 12:15 (Europe/Berlin "
            "time; RFC 5545 rule FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=12;BYMINUTE=15), "
            "except on days on which calendar office-days is closed") in juice
    assert "a delivery of juice for the customer arrives within 20 minutes after the slot" in juice


def test_counting_degraded_service_is_said_where_the_agreement_asks_for_it() -> None:
    text = MINIMAL.replace("""  response:
    metric: response_time
    target: 4h
""", """  uptime:
    clause: "4.1"
    metric: availability
    count_degraded: true
    target: 99.9%
""")
    doc = document_of(text)
    assert "Degraded service counts as downtime for uptime." in text_of(
        section(doc, "exclusions"))
    assert "Degraded service (degraded incidents) also counts as downtime." in text_of(
        section(doc, "service-levels"))


def test_what_the_file_does_not_say_is_stated_not_invented() -> None:
    doc = document_of(MINIMAL)
    assert text_of(section(doc, "escalation")) == (
        "The agreement file names no contacts and no escalation path.")
    assert text_of(section(doc, "security")) == "The agreement file sets no security terms."
    assert text_of(section(doc, "credits")) == "This agreement provides no service credits."
    assert "Pay the fee" not in text_of(section(doc, "responsibilities"))
    assert text_of(section(document(NORTHWIND), "security")) == (
        "The agreement file sets no security terms; see Managed application services contract "
        "NW-ACME-2026-03 of 2025-12-01, section 7.")


def test_signatures_name_both_parties() -> None:
    block = section(document(NORTHWIND), "signatures").blocks[0]
    assert block.kind == "signatures"
    assert block.parties == (("Provider", "northwind-it"), ("Customer", "acme"))  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_special_characters_in_the_agreement_are_escaped(fmt: str) -> None:
    text = MINIMAL.replace("title: Tiny support",
                           "title: '<script>alert(\"x\")</script> & <b>Co</b>'")
    doc = document_of(text)
    if fmt == "html":
        html = render_html(doc)
        assert "<script>" not in html
        assert "<b>Co</b>" not in html
        assert "<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" \
               "</title>" in html
    else:
        markdown = render_markdown(doc)
        assert markdown.startswith('# \\<script\\>alert("x")\\</script\\> & \\<b\\>Co\\</b\\>\n')


def test_the_html_is_standalone_and_loads_nothing_from_the_network(example: Path) -> None:
    html = render_html(document(example))
    assert "http://" not in html
    assert "https://" not in html
    assert "<link" not in html
    assert "<script" not in html
    assert "@page" in html  # the print style sheet is inline


def test_a_calendar_with_two_ranges_a_day_and_holidays_is_shown_in_the_page() -> None:
    text = MINIMAL.replace("objectives:\n", """calendars:
  office:
    hours:
      mon-fri: "08:00-12:00, 13:00-17:00"
    holidays: {country: DE, subdivision: BE, dates: [2026-12-24]}
objectives:
""").replace("    target: 4h\n", "    target: 4h\n    calendar: office\n")
    tables = html_tables(render_html(document_of(text)))
    assert tables["calendar-office"][1] == ["Monday", "08:00–12:00, 13:00–17:00", "8 h"]
    assert tables["calendar-office"][6] == ["Saturday", "closed", "—"]
    assert ["Thu 1 January 2026", "New Year's Day"] in tables["holidays-office"]
    assert ["Sun 8 March 2026", "Women's Day"] in tables["holidays-office"]
    page = render_html(document_of(text))
    assert "Closed on the public holidays of Germany (DE), subdivision Berlin (BE)." in page
    assert "Also closed on Thu 24 December 2026." in page
