import time
from pathlib import Path

import pytest

from accord.errors import AgreementError
from accord.model import (
    AvailabilityObjective,
    KpiObjective,
    ResolutionObjective,
    load_agreements,
    parse_agreement,
)

VALID = """\
accord: 1
id: acme-it
type: sla
provider: northwind
customer: acme
services: [desk, billing]
effective: {from: 2026-01-01, to: 2026-12-31}
timezone: Europe/Berlin
fee: {amount: 12000, currency: EUR}
calendars:
  office:
    hours:
      mon-fri: "09:00-17:00"
    holidays: {country: DE, subdivision: BE}
objectives:
  resolution:
    clause: 9.2
    metric: resolution_time
    calendar: office
    pause: [pending_customer]
    targets: {P1: 4h, P2: 8h}
    compliance: 90%
  uptime:
    metric: availability
    service: billing
    target: 99.9%
    credits:
      - {below: 99.9%, credit: 10%}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(AgreementError) as caught:
        parse_agreement(text, "a.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_valid_agreement_reads_into_typed_values() -> None:
    agreement = parse_agreement(VALID)
    resolution = agreement.objectives["resolution"]
    assert isinstance(resolution, ResolutionObjective)
    assert resolution.clause == "9.2"  # an unquoted number is still a clause
    assert resolution.target_for("P1") == 4 * 3600
    assert resolution.target_for("P3") is None
    assert isinstance(agreement.objectives["uptime"], AvailabilityObjective)
    assert agreement.calendar("office").week[0] == ((540, 1020),)
    assert agreement.calendar("office").week[5] == ()
    assert agreement.calendar("24x7").is_always_open


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("compliance: 90%", "complience: 90%",
     "a.yaml:22:5: objectives.resolution.complience: unknown key 'complience' — did you mean "
     "'compliance'?"),
    ("    compliance: 90%\n", "    compliance: 90%\n    window: 30m\n",
     "a.yaml:23:5: objectives.resolution.window: unknown key 'window' — 'window' is a key "
     "elsewhere in an agreement, not here; see DESIGN.md §3"),
    ("P1: 4h", "P1: 4 hours",
     "a.yaml:21:15: objectives.resolution.targets.P1: '4 hours' is not a duration — write e.g. "
     "4h, 30m, 1h30m or 2d (a day is 24 hours of calendar time)"),
    ("calendar: office", "calendar: ofice",
     "a.yaml:19:5: objectives.resolution.calendar: unknown calendar 'ofice' — define it under "
     "calendars, or use one of: 24x7, office"),
    ("target: 99.9%", "target: 199.9%",
     "a.yaml:26:5: objectives.uptime.target: '199.9%' is over 100% (a share is at most 100%)"),
    ("timezone: Europe/Berlin", "timezone: Mars/Olympus",
     "a.yaml:8:1: timezone: 'Mars/Olympus' is not a time zone — use an IANA name such as "
     "Europe/Berlin or America/New_York"),
    ("country: DE,", "country: XX,",
     "a.yaml:14:16: calendars.office.holidays.country: 'XX' is not a country the holidays "
     "package knows — use an ISO 3166-1 alpha-2 code such as DE or US"),
    ('mon-fri: "09:00-17:00"', 'mon-fri: "09:00-12:00, 11:00-17:00"',
     "a.yaml:13:7: calendars.office.hours.mon-fri: ranges 09:00-12:00 and 11:00-17:00 overlap"),
    ("service: billing", "service: coffee",
     "a.yaml:25:5: objectives.uptime.service: 'coffee' is not one of this agreement's services "
     "— add it to services, or use one of: desk, billing"),
    ("metric: availability", "metric: uptime",
     "a.yaml:24:5: objectives.uptime.metric: metric must be one of response_time, "
     "resolution_time, availability, delivery, kpi"),
    ("accord: 1", "accord: 2", "a.yaml:1:1: accord: this is format version 1: write `accord: 1`"),
    ("type: sla", "type: contract", "a.yaml:3:1: type: Input should be 'sla', 'ola' or 'uc'"),
])
def test_each_problem_is_located_with_a_hint(old: str, new: str, expected: str) -> None:
    assert old in VALID
    assert problems(VALID.replace(old, new, 1)) == [expected]


def test_every_problem_is_reported_at_once() -> None:
    text = (VALID.replace("compliance: 90%", "complience: 90%")
            .replace("P1: 4h", "P1: 4 hours").replace("calendar: office", "calendar: ofice"))
    assert [p.split(":")[1] for p in problems(text)] == ["19", "21", "22"]


def test_a_missing_key_is_reported_at_its_parent() -> None:
    assert problems(VALID.replace("provider: northwind\n", "")) == [
        "a.yaml:1:1: provider: is required — add `provider:`"]


def test_duplicate_keys_are_errors() -> None:
    text = VALID.replace("  uptime:\n", "  resolution:\n")
    assert problems(text) == [
        "a.yaml:23:3: objectives.resolution: duplicate key 'resolution' — each key appears once "
        "in a mapping; remove or merge the repeats"]


def test_an_empty_schedule_is_an_error() -> None:
    text = VALID.replace('      mon-fri: "09:00-17:00"\n', "").replace("    hours:\n", "    hours: {}\n")
    assert problems(text) == [
        "a.yaml:12:5: calendars.office.hours: the schedule is empty: give at least one day with hours"]


def test_a_day_range_must_run_forwards() -> None:
    text = VALID.replace("mon-fri:", "fri-mon:")
    assert problems(text) == [
        "a.yaml:13:7: calendars.office.hours.fri-mon: 'fri-mon' runs backwards (write the days "
        "from Monday on, e.g. mon-fri)"]


def test_norway_is_a_country_not_false() -> None:
    agreement = parse_agreement(VALID.replace("country: DE, subdivision: BE", "country: NO"))
    assert agreement.calendar("office").holiday_country == "NO"


def test_yaml_syntax_errors_are_located() -> None:
    [problem] = problems(VALID.replace("services: [desk, billing]", "services: [desk, billing"))
    assert problem.startswith("a.yaml:7:")
    assert "not valid YAML" in problem


def test_a_control_character_is_located_not_raised() -> None:
    [problem] = problems(VALID.replace("services: [desk, billing]", "services: [desk,\x07billing]"))
    assert problem.startswith("a.yaml:6:17: not valid YAML: the control character U+0007")
    assert "remove the control character" in problem


LAUGHS = 'x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"x-{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True))


def test_an_alias_bomb_is_refused_quickly_and_located() -> None:
    # About 700 bytes that expand to 9**9 (387 million) values: a minute of CPU once.
    started = time.perf_counter()
    [problem] = problems(LAUGHS + VALID)
    assert time.perf_counter() - started < 1
    assert problem.startswith("a.yaml:6:")
    assert "refused: it holds more than 100,000 values once its aliases are expanded" in problem
    assert "without aliases nested within aliases" in problem


def test_deep_nesting_is_refused_and_located() -> None:
    [flow] = problems(VALID + "x-deep: " + "[" * 5_000 + "]" * 5_000 + "\n")
    assert flow.startswith(f"a.yaml:{VALID.count(chr(10)) + 1}:")
    assert "refused: it nests deeper than 50 levels" in flow
    block = VALID + "x-deep:\n" + "".join("  " * i + "-\n" for i in range(1, 200))
    assert "refused: it nests deeper than 50 levels" in problems(block)[0]


def test_aliases_and_nesting_within_the_limits_are_read() -> None:
    shared = VALID.replace("    hours:\n", "    hours: &hours\n").replace(
        "objectives:\n", "  support:\n    hours: *hours\nobjectives:\n")
    agreement = parse_agreement(shared)
    assert agreement.calendar("support").week[0] == ((540, 1020),)


def test_an_unknown_subdivision_names_the_known_ones() -> None:
    [problem] = problems(VALID.replace("subdivision: BE", "subdivision: XX"))
    assert "'XX' is not a subdivision of DE — use one of: BB, BE, BW" in problem


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("    targets: {P1: 4h, P2: 8h}\n", "    targets: {P1: 4h}\n    target: 4h\n",
     "give either `target`"),
    ("      - {below: 99.9%, credit: 10%}\n",
     "      - {below: 99.9%, credit: 10%}\n      - {above: 99.99%, credit: 1%}\n",
     "all `below` or all `above`"),
    ("      - {below: 99.9%, credit: 10%}\n", "      - {below: 0.999, credit: 10%}\n",
     "`below` a percentage"),
    ("    pause: [pending_customer]\n", "    pause: [resolved]\n", "stops the timer"),
    ("effective: {from: 2026-01-01, to: 2026-12-31}", "effective: {from: 2026-01-01, to: 2025-12-31}",
     "is before `from`"),
])
def test_rules_between_keys(old: str, new: str, fragment: str) -> None:
    assert old in VALID
    assert any(fragment in p for p in problems(VALID.replace(old, new)))


def test_kpi_thresholds_follow_the_aggregate() -> None:
    kpi = VALID + """\
  csat:
    metric: kpi
    measure: csat
    aggregate: mean
    target: ">= 4.5"
    credits:
      - {below: 4.0, credit: 2%}
  passing:
    metric: kpi
    measure: rooms
    aggregate: ratio
    target: ">= 95%"
"""
    objective = parse_agreement(kpi).objectives["csat"]
    assert isinstance(objective, KpiObjective)
    assert any("write a plain number" in p
               for p in problems(kpi.replace('target: ">= 4.5"', 'target: ">= 45%"')))
    assert any("compared with percentages" in p
               for p in problems(kpi.replace('target: ">= 95%"', 'target: ">= 0.95"')))


def test_delivery_rules_are_checked() -> None:
    delivery = VALID + """\
  tea:
    metric: delivery
    item: tea
    schedule: {rrule: "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", window: 30m}
"""
    assert parse_agreement(delivery).objectives["tea"].metric == "delivery"
    assert any("not an RFC 5545 rule" in p
               for p in problems(delivery.replace("FREQ=DAILY", "FREQ=SOMETIMES")))
    assert any("DTSTART is set by Accord" in p
               for p in problems(delivery.replace('"FREQ=DAILY', '"DTSTART=20260101T000000;FREQ=DAILY')))


def test_agreement_ids_are_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID)
    with pytest.raises(AgreementError) as caught:
        load_agreements([tmp_path])
    assert [p.message for p in caught.value.problems] == [
        f"agreement id 'acme-it' is also used by {tmp_path / 'a.yaml'}"]


def test_problems_in_several_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID.replace("P1: 4h", "P1: soon"))
    (tmp_path / "b.yaml").write_text(VALID.replace("id: acme-it", "id: other").replace("90%", "900%"))
    with pytest.raises(AgreementError) as caught:
        load_agreements([tmp_path])
    assert sorted(Path(p.file or "").name for p in caught.value.problems) == ["a.yaml", "b.yaml"]


def test_the_bundled_examples_are_valid() -> None:
    loaded = load_agreements([Path(__file__).parents[2] / "examples" / "agreements"])
    assert len(loaded) >= 4
