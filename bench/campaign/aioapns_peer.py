"""The peer of `bench/campaign/peer`: aioapns, unmodified, sending N notifications to N distinct device tokens through
the APNs of a running `perch simulate`, as a Python team would with no store and no audience: token-based auth, its own
connection pool (max_connections, default 10), CONCURRENCY sends in flight. Prints one JSON object: messages, seconds,
messages/s and how many the simulator accepted (status 200).

    python3 bench/campaign/aioapns_peer.py CREDENTIALS_JSON MESSAGES [CONCURRENCY] [MAX_CONNECTIONS]

CREDENTIALS_JSON is the `credentials.json` that `perch simulate --state-dir` writes. aioapns connects to
`api.push.apple.com:443` as it always does; this event loop resolves that one name to the simulator's loopback address
and port, as a hosts file would, and refuses every other name that is not loopback.
"""
import asyncio, json, ssl, sys, time
from urllib.parse import urlsplit

from aioapns import APNs, NotificationRequest, PushType

credentials = json.load(open(sys.argv[1]))
messages = int(sys.argv[2])
concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 256
max_connections = int(sys.argv[4]) if len(sys.argv) > 4 else 10
apns = credentials["apns"]
endpoint = urlsplit(apns["endpoint"])


class LoopbackDNS(asyncio.SelectorEventLoop):
    async def getaddrinfo(self, host, port, *args, **kwargs):
        if (host, port) == ("api.push.apple.com", 443):
            host, port = endpoint.hostname, endpoint.port
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"the peer resolves only APNs and loopback, not {host}")
        return await super().getaddrinfo(host, port, *args, **kwargs)


async def main():
    context = ssl.create_default_context(cafile=credentials["caCertificatePath"])
    context.check_hostname = False  # the chain is verified; the certificate names loopback, not api.push.apple.com
    client = APNs(key=apns["privateKey"], key_id=apns["keyId"], team_id=apns["teamId"], topic=apns["topic"],
                  use_sandbox=False, ssl_context=context, max_connections=max_connections)
    message = {"aps": {"alert": {"title": "Hi, the sale is on", "body": "30% off everything until Sunday."}}, "promo": "SPRING30"}
    accepted = 0
    next_index = 0

    async def sender():
        nonlocal accepted, next_index
        while next_index < messages:
            index = next_index
            next_index += 1
            request = NotificationRequest(device_token=f"{index + 1:064x}", message=message, push_type=PushType.ALERT)
            result = await client.send_notification(request)
            if result.is_successful:
                accepted += 1

    # One warm-up send opens the first connection and signs the provider token, as Perch's gateway does before its run.
    await client.send_notification(NotificationRequest(device_token="f" * 64, message=message, push_type=PushType.ALERT))
    started = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    seconds = time.monotonic() - started
    print(json.dumps({"messages": messages, "accepted": accepted, "seconds": seconds, "messagesPerSecond": messages / seconds,
                      "concurrency": concurrency, "maxConnections": max_connections}))


loop = LoopbackDNS()
asyncio.set_event_loop(loop)
loop.run_until_complete(main())
