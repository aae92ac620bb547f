"""Attachments on orders: the service (who may attach, size, type by name and by content,
empty files, the audit event, nothing left behind on an error), the pages (the list and
form on the order, upload, download) and the API (list, multipart upload, download).

Every test stores its files in a media folder of its own (the `media` fixture), so what
is on disk afterwards can be checked. Expected messages come from gettext at test time.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse
from django.utils.translation import gettext as _

from ordna.accounts.models import User
from ordna.audit.models import AuditEvent
from ordna.orders import filetypes, services
from ordna.orders.models import Attachment, Order
from ordna.organisation.models import Unit
from tests.test_api import Api, bad_request, problem

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
CSV = "gata;meter\nGränsgatan;120\nÅsbogatan;80\n"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Sopning"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": filetypes.ODT.encode(), "content.xml": b"<office:document/>"})
ODS = _zip({"mimetype": filetypes.ODS.encode(), "content.xml": b"<office:document/>"})


@pytest.fixture
def people(demo):
    names = ["tf.bestallare", "tf.ombud", "sk.handlaggare", "lf.bestallare", "revisor", "admin"]
    return {n: User.objects.get(username=n) for n in names}


@pytest.fixture
def order(people) -> Order:
    """TF's ad hoc need to SK, submitted."""
    orderer = people["tf.bestallare"]
    order = services.order_create(
        actor=orderer,
        purchaser=Unit.objects.get(code="TF"),
        provider=Unit.objects.get(code="SK"),
        title="Ny gång- och cykelväg",
        kind="ad_hoc",
        description="200 meter längs Viskan.",
        lines=[{"description": "Gång- och cykelväg", "quantity": "1"}],
    )
    return services.transition(
        actor=orderer,
        order=order,
        name="submit",
        side="purchaser",
        roles={"orderer"},
        version=order.version,
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_in(folder) -> list:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def attach(people, order, name="situationsplan.pdf", content=PDF, who="tf.bestallare"):
    return services.attachment_add(
        actor=people[who], order=order, uploaded_file=upload(name, content)
    )


def file_error(excinfo) -> str:
    return " ".join(excinfo.value.message_dict["file"])


# --- The service --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("plan.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("FOTO.JPEG", JPEG, "image/jpeg"),
        ("underlag.xlsx", _xlsx(), filetypes.XLSX),
        ("brev.docx", DOCX, filetypes.DOCX),
        ("brev.odt", ODT, filetypes.ODT),
        ("kalkyl.ods", ODS, filetypes.ODS),
        ("gator.csv", CSV.encode("utf-8"), "text/csv"),
        ("gator-excel.csv", CSV.encode("cp1252"), "text/csv"),
        ("med-bom.csv", b"\xef\xbb\xbf" + CSV.encode("utf-8"), "text/csv"),
        ("anteckning.txt", "Ring Åsa före.\r\n".encode(), "text/plain"),
    ],
)
def test_each_allowed_type_is_stored_with_its_facts(
    people, order, media, name, content, content_type
):
    attachment = attach(people, order, name, content)
    attachment.refresh_from_db()
    assert attachment.original_name == name
    assert attachment.content_type == content_type  # from the name, not from the browser
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == people["tf.bestallare"]
    prefix, order_pk, random, stored = attachment.file.name.split("/")
    assert (prefix, order_pk) == ("orders", str(order.pk))
    assert len(random) == 32
    assert (media / attachment.file.name).read_bytes() == content
    assert files_in(media) == [attachment.file.name]


def test_the_provider_attaches_too(people, order, media):
    attachment = attach(people, order, who="sk.handlaggare")
    assert attachment.uploaded_by.username == "sk.handlaggare"


def test_the_name_loses_folders_and_is_stored_safely(people, order, media):
    attachment = attach(people, order, "C:\\Users\\tf\\Ritning Åsen.pdf")
    assert attachment.original_name == "Ritning Åsen.pdf"
    assert attachment.file.name.endswith("/Ritning_Åsen.pdf")
    assert (media / attachment.file.name).exists()


def test_the_same_name_twice_gives_two_files(people, order, media):
    first = attach(people, order)
    second = attach(people, order)
    assert first.file.name != second.file.name
    assert len(files_in(media)) == 2


def test_the_audit_event_is_written_in_the_same_transaction(people, order, media):
    attachment = attach(people, order)
    event = AuditEvent.objects.filter(action="orders.order.attach").latest("id")
    assert (event.object_type, event.object_id) == ("orders.order", str(order.pk))
    assert event.actor_username == "tf.bestallare"
    assert event.source == "web"
    assert event.after["attachment"] == {
        "id": attachment.pk,
        "original_name": "situationsplan.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "file": attachment.file.name,
        "uploaded_by": people["tf.bestallare"].pk,
    }


def test_too_large_is_refused_naming_the_file(people, order, media, settings):
    settings.ORDER_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as excinfo:
        attach(people, order, "stor.txt", b"x" * 1025)
    message = file_error(excinfo)
    assert "stor.txt" in message
    assert message == (
        _("%(name)s is %(size)s MB; a file attached to an order may be at most %(max)s MB.")
        % {"name": "stor.txt", "size": filetypes.megabytes(1025), "max": filetypes.megabytes(1024)}
    )
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_exactly_the_limit_is_allowed(people, order, media, settings):
    settings.ORDER_ATTACHMENT_MAX_BYTES = 1024
    assert attach(people, order, "precis.txt", b"x" * 1024).size == 1024


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("program.exe", b"MZ\x90\x00"),
        ("sida.html", b"<html><script>alert(1)</script></html>"),
        ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("utan-filandelse", PDF),
    ],
)
def test_a_type_that_may_not_be_attached_is_refused(people, order, media, name, content):
    with pytest.raises(ValidationError) as excinfo:
        attach(people, order, name, content)
    assert name in file_error(excinfo)
    assert "pdf" in file_error(excinfo)  # says what may be attached
    assert not order.attachments.exists()
    assert files_in(media) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("falsk.pdf", b"<html><body>not a pdf</body></html>"),
        ("bild.png", JPEG),
        ("bild.jpg", PNG),
        ("underlag.xlsx", DOCX),
        ("brev.docx", _zip({"readme.txt": b"hej"})),
        ("brev.odt", ODS),
        ("kalkyl.ods", b"PK\x03\x04 broken zip"),
        ("gator.csv", PNG),
        ("binar.txt", b"text\x00with\x01nul"),
    ],
)
def test_content_that_is_not_what_the_name_says_is_refused(people, order, media, name, content):
    with pytest.raises(ValidationError) as excinfo:
        attach(people, order, name, content)
    assert name in file_error(excinfo)
    assert str(filetypes.type_of(name).label) in file_error(excinfo)
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_an_empty_file_is_refused(people, order, media):
    with pytest.raises(ValidationError) as excinfo:
        attach(people, order, "tom.pdf", b"")
    assert "tom.pdf" in file_error(excinfo)
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_no_file_is_refused(people, order, media):
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(actor=people["tf.bestallare"], order=order, uploaded_file=None)
    assert "file" in excinfo.value.message_dict


@pytest.mark.parametrize("username", ["lf.bestallare", "revisor", "admin"])
def test_someone_not_a_party_is_refused(people, order, media, username):
    """Another unit's orderer, the auditor (reads everything, writes nothing) and the
    administrator (reads every order, acts for no side) may not attach."""
    with pytest.raises(PermissionDenied):
        attach(people, order, who=username)
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_the_provider_may_not_attach_to_a_draft(people, media):
    """A draft is the purchaser's own until it is submitted, attachments included."""
    draft = services.order_create(
        actor=people["tf.bestallare"],
        purchaser=Unit.objects.get(code="TF"),
        provider=Unit.objects.get(code="SK"),
        title="Utkast",
        kind="ad_hoc",
        description="Ännu inte skickad.",
        lines=[{"description": "Arbete", "quantity": "1"}],
    )
    with pytest.raises(PermissionDenied):
        attach(people, draft, who="sk.handlaggare")
    assert attach(people, draft).order == draft
    assert files_in(media) == [draft.attachments.get().file.name]


def test_nothing_is_left_when_the_database_write_fails(people, order, media, monkeypatch):
    """The file is stored before the row; if the row or its audit event fails, the
    transaction rolls back and the file is removed with it."""

    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        attach(people, order)
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_a_file_from_code_works_too(people, order, media):
    """The demo and other callers pass a ContentFile rather than an upload."""
    attachment = services.attachment_add(
        actor=people["sk.handlaggare"],
        order=order,
        uploaded_file=ContentFile(CSV.encode(), name="gator.csv"),
        source="cli",
    )
    assert attachment.size == len(CSV.encode())


def test_clean_name_keeps_the_extension_of_a_long_name():
    name = filetypes.clean_name("a" * 300 + ".pdf")
    assert len(name) == filetypes.NAME_MAX
    assert name.endswith(".pdf")
    assert filetypes.clean_name("../../etc/passwd\x00.txt") == "passwd.txt"


# --- Pages --------------------------------------------------------------------------------------
def _detail(order) -> str:
    return reverse("orders:detail", args=[order.pk])


def _post(client, order, name, content):
    return client.post(
        reverse("orders:attach", args=[order.pk]), {"attachment-file": upload(name, content)}
    )


def test_upload_on_the_page_and_see_it_listed(client, login_as, order, media):
    login_as("tf.bestallare")
    response = _post(client, order, "situationsplan.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == _detail(order) + "#attachments"
    attachment = Attachment.objects.get(order=order)
    page = client.get(_detail(order)).content.decode()
    assert "situationsplan.pdf" in page
    assert reverse("orders:attachment", args=[order.pk, attachment.pk]) in page
    assert 'enctype="multipart/form-data"' in page
    assert attachment.uploaded_by.get_full_name() in page


def test_a_bad_file_on_the_page_shows_the_error_summary(client, login_as, order, media):
    login_as("sk.handlaggare")
    response = _post(client, order, "program.exe", b"MZ\x90\x00")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "program.exe" in page
    assert 'enctype="multipart/form-data"' in page
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_the_auditor_sees_the_attachments_but_no_form(client, login_as, people, order, media):
    attach(people, order)
    login_as("revisor")
    page = client.get(_detail(order)).content.decode()
    assert "situationsplan.pdf" in page
    assert 'action="{}"'.format(reverse("orders:attach", args=[order.pk])) not in page


def test_the_timeline_says_a_file_was_attached(client, login_as, people, order, media):
    attach(people, order)
    login_as("sk.handlaggare")
    page = client.get(_detail(order)).content.decode()
    assert _("Attached a file") in page


def test_download_from_the_page(client, login_as, people, order, media):
    attachment = attach(people, order, "Ritning Åsen.pdf")
    login_as("sk.handlaggare")
    response = client.get(reverse("orders:attachment", args=[order.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Ritning%20%C3%85sen.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_download_is_refused_like_missing(client, login_as, people, order, media):
    attachment = attach(people, order)
    url = reverse("orders:attachment", args=[order.pk, attachment.pk])
    login_as("lf.bestallare")
    assert client.get(url).status_code == 404
    # Through another order's address the attachment does not exist either.
    login_as("sk.handlaggare")
    other = Order.objects.exclude(pk=order.pk).filter(provider__code="SK").exclude(state="draft")
    assert (
        client.get(reverse("orders:attachment", args=[other[0].pk, attachment.pk])).status_code
        == 404
    )


def test_a_file_missing_from_storage_answers_404(client, login_as, people, order, media):
    attachment = attach(people, order)
    (media / attachment.file.name).unlink()
    login_as("tf.bestallare")
    response = client.get(reverse("orders:attachment", args=[order.pk, attachment.pk]))
    assert response.status_code == 404


def test_the_detail_page_needs_no_query_per_attachment(client, login_as, people, order, media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    attach(people, order)
    login_as("tf.bestallare")
    client.get(_detail(order))  # the session settles
    with CaptureQueriesContext(connection) as one:
        client.get(_detail(order))
    for n in range(4):
        attach(people, order, f"bilaga-{n}.txt", b"text", who="sk.handlaggare")
    with CaptureQueriesContext(connection) as five:
        client.get(_detail(order))
    assert len(five.captured_queries) == len(one.captured_queries)


# --- API ----------------------------------------------------------------------------------------
@pytest.fixture
def api(client, demo):
    return lambda username: Api(client, username)


def _api_url(order, attachment=None) -> str:
    if attachment is None:
        return f"/api/v1/orders/{order.pk}/attachments/"
    return f"/api/v1/orders/{order.pk}/attachments/{attachment.pk}/"


def _api_upload(client_api, order, name, content):
    return client_api.post(
        _api_url(order), {"file": upload(name, content)}, content_type=MULTIPART_CONTENT
    )


def test_api_upload_list_and_download(api, order, media):
    orderer = api("tf.bestallare")
    response = _api_upload(orderer, order, "gator.csv", CSV.encode())
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get(pk=body["id"])
    assert body == {
        "id": attachment.pk,
        "original_name": "gator.csv",
        "content_type": "text/csv",
        "size": len(CSV.encode()),
        "sha256": hashlib.sha256(CSV.encode()).hexdigest(),
        "uploaded_by_username": "tf.bestallare",
        "uploaded_at": body["uploaded_at"],
        "download": _api_url(order, attachment),
    }
    event = AuditEvent.objects.filter(action="orders.order.attach").latest("id")
    assert event.source == "api"

    provider = api("sk.handlaggare")
    listed = provider.get(_api_url(order))
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [attachment.pk]

    download = provider.get(body["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="gator.csv"'
    assert b"".join(download.streaming_content) == CSV.encode()


def test_api_bad_file_is_a_problem_naming_file(api, order, media):
    response = _api_upload(api("sk.handlaggare"), order, "falsk.pdf", b"<html></html>")
    body = bad_request(response)
    assert [e["field"] for e in body["errors"]] == ["file"]
    assert "falsk.pdf" in body["errors"][0]["message"]
    assert not order.attachments.exists()
    assert files_in(media) == []


def test_api_without_a_file_is_a_problem_naming_file(api, order, media):
    response = api("tf.bestallare").post(_api_url(order), {}, content_type=MULTIPART_CONTENT)
    assert [e["field"] for e in bad_request(response)["errors"]] == ["file"]


def test_api_json_is_an_unsupported_media_type(api, order, media):
    problem(api("tf.bestallare").post(_api_url(order), {"file": "x"}), 415)


def test_api_refuses_others_like_missing(api, people, order, media):
    attachment = attach(people, order)
    other = api("lf.bestallare")
    problem(other.get(_api_url(order)), 404)
    problem(other.get(_api_url(order, attachment)), 404)
    problem(_api_upload(other, order, "plan.pdf", PDF), 404)
    auditor = api("revisor")
    assert auditor.get(_api_url(order)).status_code == 200
    assert auditor.get(_api_url(order, attachment)).status_code == 200
    problem(_api_upload(auditor, order, "plan.pdf", PDF), 404)
    assert order.attachments.count() == 1


def test_api_unknown_attachment_is_404(api, people, order, media):
    attachment = attach(people, order)
    problem(
        api("tf.bestallare").get(f"/api/v1/orders/{order.pk}/attachments/{attachment.pk + 1000}/"),
        404,
    )
