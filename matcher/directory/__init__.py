"""The directory's reference knowledge: taxonomy and barriers, places, hours, languages,
listings and the seed loader."""
