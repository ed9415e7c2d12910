"""A class session as an iCalendar file, for learners' own calendars."""

from __future__ import annotations

from icalendar import Calendar, Event

from app.enrolment.models import ClassSession


def session_ics(session: ClassSession, domain: str, page_url: str) -> bytes:
    """One VEVENT describing the session; its UID stays the same if the session moves."""
    calendar = Calendar()
    calendar.add("prodid", "-//Data Academy//Class sessions//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"session-{session.id}@{domain}")
    event.add("dtstamp", session.created_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{session.module.code} {session.module.title}")
    where = session.location or session.online_url
    if where:
        event.add("location", where)
    if session.online_url:
        event.add("url", session.online_url)
    event.add("description", f"{session.module.summary}\n\nDetails: {page_url}")
    calendar.add_component(event)
    return calendar.to_ical()
