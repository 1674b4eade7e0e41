"""To-dos for people: call the client, check with a subcontractor."""
