"""Call recordings as evidence: the audio type sniffed from the content, never from the header."""

import hashlib
from dataclasses import dataclass

import filetype

MAX_BYTES = 25 * 1024 * 1024
# What the sniffer says -> the type we store and serve. WebM and MP4 containers are sniffed as
# video by their container signature; a browser's MediaRecorder writes audio-only ones.
ACCEPTED = {
    "audio/mpeg": "audio/mpeg",
    "audio/mp4": "audio/mp4",
    "video/mp4": "audio/mp4",
    "audio/ogg": "audio/ogg",
    "audio/x-wav": "audio/wav",
    "video/webm": "audio/webm",
}


class RecordingError(ValueError):
    """An upload that is not an acceptable recording; status is 413 or 415."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Recording:
    audio: bytes
    content_type: str
    sha256: str


def process(data: bytes) -> Recording:
    """Check an upload: at most MAX_BYTES and audio of an accepted type, whatever it claims to be."""
    if len(data) > MAX_BYTES:
        raise RecordingError(f"The recording is larger than {MAX_BYTES // (1024 * 1024)} MB.", 413)
    sniffed = filetype.guess_mime(data[:8192])
    if sniffed not in ACCEPTED:
        raise RecordingError(
            "The file is not a recording Visitscore accepts: send MP3, M4A/MP4, Ogg, WAV or WebM audio.", 415
        )
    return Recording(data, ACCEPTED[sniffed], hashlib.sha256(data).hexdigest())
