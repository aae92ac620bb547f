"""Serving an attachment's file, for the order pages and the API alike: always as a
download, as the type it was checked to be when it was attached, never sniffed."""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)


def attachment_response(attachment) -> FileResponse:
    """The stored file as a download. A file missing from storage is logged and answers
    404 like a missing attachment: it has to be restored from the backup."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("Attachment %s: file %s is missing", attachment.pk, attachment.file.name)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
