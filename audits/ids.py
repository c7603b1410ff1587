"""Client-made UUIDs (audits, photos, recordings): their pattern, and the route converter."""

import re

from werkzeug.routing import BaseConverter

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
UUID_RE = re.compile(f"^{UUID_PATTERN}$")


class UUIDConverter(BaseConverter):
    """`<uuid:name>` in a route: a UUID in any case, handed to the view as its lower-case string
    (the form ids are stored in). Anything else matches no route, so it is 404 everywhere, like an
    id out of the user's scope."""

    regex = UUID_PATTERN

    def to_python(self, value: str) -> str:
        return value.lower()
