"""Reading submission files into tables: XLSX (checked before opening), CSV, JSON."""
