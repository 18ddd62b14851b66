"""A real SMTP server for the notification tests (aiosmtpd), run by tests/common/smtp.rs.

Prints one JSON line per event on stdout, flushed at once:
  {"event": "listening", "port": N}            when it accepts connections
  {"event": "connected"}                        --hold: a client connected (never greeted)
  {"event": "message", "from", "to", "subject", "message_id", "auto_submitted", "body"}
                                                a message taken (before the 250 answer)

Options:
  --port N        listen on 127.0.0.1:N (0: any free port)
  --hold          accept connections and never answer: a mail server that hangs
  --reject TEXT   refuse (550) every recipient whose address contains TEXT
  --auth U:P      require AUTH PLAIN/LOGIN with this user and password (no TLS needed)
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# The test reads stdout; aiosmtpd's own notes (AUTH without TLS is what --auth asks for)
# would only clutter the test's output.
warnings.simplefilter("ignore")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


def out(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Handler:
    def __init__(self, reject):
        self.reject = reject

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject in address:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        out(
            {
                "event": "message",
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "subject": str(msg["subject"]),
                "message_id": str(msg["message-id"]),
                "auto_submitted": str(msg["auto-submitted"]),
                "body": body.get_content() if body is not None else "",
            }
        )
        return "250 OK"


def authenticator(expected):
    user, password = expected.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok)

    return check


async def hold(reader, writer):
    out({"event": "connected"})
    # Never greet: the client waits for its timeout, or is killed meanwhile.
    await reader.read()
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hold", action="store_true")
    parser.add_argument("--reject", default="")
    parser.add_argument("--auth", default="")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    if args.hold:
        server = await asyncio.start_server(hold, "127.0.0.1", args.port)
    else:
        handler = Handler(args.reject)

        def factory():
            if args.auth:
                return SMTP(
                    handler,
                    authenticator=authenticator(args.auth),
                    auth_required=True,
                    auth_require_tls=False,
                )
            return SMTP(handler)

        server = await loop.create_server(factory, "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    out({"event": "listening", "port": port})
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
