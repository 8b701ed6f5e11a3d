"""Uploads: the server keeps no more of a file than the largest the service takes.

Django reads every POST's files before any view runs (the CSRF check reads the form, so even
the sign-in page's does), writing each to a temporary file, however large, and only then does
a form see its size. A file of gigabytes from anyone, signed in or not, filled the disk. This
handler, first in FILE_UPLOAD_HANDLERS, passes a file's bytes on to be kept only up to
`largest_upload()`; past that it counts them and drops them, and gives the form an empty file
of the size sent, so the field still says "must be smaller than", as for any file too large.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def written_size(size):
    """A size limit in bytes as a message states it, 'smaller than' it: '10MB', '1.5MB',
    '512KB'. Rounded down, never up, so a file smaller than what is said is always taken."""
    megabyte = 1024 * 1024
    if size >= megabyte:
        tenths = size * 10 // megabyte
        whole, tenth = divmod(tenths, 10)
        return f"{whole}.{tenth}MB" if tenth else f"{whole}MB"
    if size >= 1024:
        return f"{size // 1024}KB"
    return f"{size} bytes"


def largest_upload():
    """The most any form of the service takes (each form refuses its own limit and above)."""
    return max(settings.ATTACHMENT_MAX_BYTES, settings.PUPIL_IMPORT_MAX_BYTES)


class TooLargeToKeep(InMemoryUploadedFile):
    """A file sent larger than any form takes: its name and size as sent, none of its bytes."""

    def __init__(self, field_name, name, content_type, size, charset, content_type_extra):
        super().__init__(
            io.BytesIO(), field_name, name, content_type, size, charset, content_type_extra
        )


class OversizedFileHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > largest_upload():
            return None  # not passed on to be kept
        return raw_data

    def file_complete(self, file_size):
        if self.received <= largest_upload():
            return None  # the next handler kept it whole
        return TooLargeToKeep(
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )
