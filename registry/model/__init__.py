"""Read views of the domain for people: resource descriptions, plan dashboards, organisations."""
