"""Customer surveys: the public NPS page of each branch and its anonymous responses."""
