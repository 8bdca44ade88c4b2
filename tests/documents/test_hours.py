"""Service hours: weekly tables, public holidays of the term's first year, closed dates."""

from accord.documents.hours import calendar_summary, calendar_views, hours_text
from tests.documents.conftest import MINIMAL, agreement_of

SPLIT = MINIMAL.replace("effective: {from: 2026-01-01, to: 2026-12-31}",
                        "effective: {from: 2026-03-15, to: 2027-06-30}").replace(
    "objectives:\n", """\
calendars:
  office:
    hours:
      mon-fri: "08:00-12:00, 13:00-17:30"
      sat: "10:00-14:00"
    holidays: {country: DE, subdivision: BY, dates: [2026-12-24, 2026-12-31]}
  night:
    timezone: America/New_York
    hours: {sun: "00:00-24:00"}
objectives:
""")


def test_a_calendar_shows_each_days_ranges_and_its_weekly_total() -> None:
    office = calendar_views(agreement_of(SPLIT))[0]
    assert office.name == "office"
    assert office.week[0] == ("Monday", "08:00–12:00, 13:00–17:30", "8 h 30 min")
    assert office.week[4] == ("Friday", "08:00–12:00, 13:00–17:30", "8 h 30 min")
    assert office.week[5] == ("Saturday", "10:00–14:00", "4 h")
    assert office.week[6] == ("Sunday", "closed", "—")
    assert office.weekly_hours == "46 h 30 min"
    assert office.zone == "Europe/Berlin"


def test_public_holidays_of_the_terms_first_year_are_listed_by_date_and_name() -> None:
    office = calendar_views(agreement_of(SPLIT))[0]
    assert office.region == "Germany (DE), subdivision Bayern (BY)"
    assert office.year == 2026
    listed = dict(office.holidays)
    # Bavaria keeps Corpus Christi and All Saints' Day; Berlin's Women's Day is not one.
    assert listed["Thu 4 June 2026"] == "Corpus Christi"
    assert listed["Sun 1 November 2026"] == "All Saints' Day"
    assert listed["Fri 25 December 2026"] == "Christmas Day"
    assert "Sun 8 March 2026" not in listed
    # The term starts on 15 March: New Year's Day and Epiphany are before it.
    assert "Thu 1 January 2026" not in listed
    assert "Tue 6 January 2026" not in listed
    assert office.extra_dates == ("Thu 24 December 2026", "Thu 31 December 2026")


def test_the_summary_names_zone_holidays_dates_and_users() -> None:
    office, night, always = calendar_views(agreement_of(
        SPLIT.replace("    target: 4h\n", "    target: 4h\n    calendar: office\n")
        + "  other:\n    metric: response_time\n    target: 1h\n"))
    assert calendar_summary(office) == (
        "Time zone Europe/Berlin. Closed on the public holidays of Germany (DE), subdivision "
        "Bayern (BY). Also closed on Thu 24 December 2026 and Thu 31 December 2026. "
        "Used by response.")
    assert night.zone == "America/New_York"
    assert night.week[6] == ("Sunday", "all day (00:00–24:00)", "24 h")
    assert calendar_summary(night).endswith("No objective uses it.")
    assert always.name == "24x7"
    assert always.objectives == ("other",)


def test_24x7_is_shown_only_when_a_timed_objective_uses_it() -> None:
    kpi_only = MINIMAL.replace("""  response:
    metric: response_time
    target: 4h
""", """  csat:
    metric: kpi
    measure: csat
    aggregate: mean
    target: ">= 4"
""")
    assert [v.name for v in calendar_views(agreement_of(kpi_only))] == []
    assert [v.name for v in calendar_views(agreement_of(MINIMAL))] == ["24x7"]


def test_hours_of_a_day_in_words() -> None:
    assert hours_text(()) == "closed"
    assert hours_text(((0, 1440),)) == "all day (00:00–24:00)"
    assert hours_text(((420, 720), (780, 1140))) == "07:00–12:00, 13:00–19:00"
