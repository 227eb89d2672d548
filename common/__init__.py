"""What the tablet and the backend share, with no Qt and no server dependency: recurrence,
the tablet configuration's schema, the text rules, retry delays and the version. It imports
none of Foyer's other packages."""
