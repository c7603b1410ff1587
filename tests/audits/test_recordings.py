import io
import math
import struct
import wave

import pytest

from audits import recordings

AUDIT = "6f1e2d3c-4b5a-4697-8877-665544332211"
REC = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
REC2 = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"


def wav_bytes(seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A short sine tone as WAV, made with the standard library."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                for n in range(int(seconds * rate))
            )
        )
    return out.getvalue()


@pytest.mark.parametrize(
    "data, expected",
    [
        (wav_bytes(), "audio/wav"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 300, "audio/mpeg"),
        (b"OggS" + b"\x00" * 300, "audio/ogg"),
        (b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 300, "audio/mp4"),
    ],
)
def test_the_type_comes_from_the_content(data, expected):
    assert recordings.process(data).content_type == expected


@pytest.mark.parametrize(
    "data",
    [b"just text, claiming to be audio", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"%PDF-1.7\n" + b"x" * 100],
)
def test_anything_else_is_415(data):
    with pytest.raises(recordings.RecordingError) as caught:
        recordings.process(data)
    assert caught.value.status == 415
