"""An email backend for a mail server that cannot be reached: every send raises, as
smtplib's errors do (they are OSErrors). Tests select it with the `settings` fixture."""

from django.core.mail.backends.base import BaseEmailBackend


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server refused the connection")
