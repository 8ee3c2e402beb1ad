"""Running Enlace on many hosts: backups and the search-index sync."""
