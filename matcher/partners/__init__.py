"""Partners keep their listings: self-registration, county review, freshness reminders."""
