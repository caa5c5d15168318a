"""Web Push encryption throughput of one pywebpush process: WebPusher.encode(…, "aes128gcm"), which makes a fresh
ephemeral key and salt per call, like Perch. Prints one JSON line."""
import base64, json, os, sys, time

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization
from pywebpush import WebPusher

count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
receiver = ec.generate_private_key(ec.SECP256R1())
p256dh = receiver.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
subscription = {"endpoint": "https://push.example.net/p/1", "keys": {"p256dh": b64(p256dh), "auth": b64(os.urandom(16))}}
plaintext = json.dumps({"title": "Your order has shipped", "body": "Order 12345 is on its way and arrives Thursday.",
                        "url": "https://shop.example/orders/12345", "data": {"carrier": "UPS", "orderId": "12345"}},
                       separators=(",", ":"), sort_keys=True).encode()
pusher = WebPusher(subscription)
for _ in range(100):
    pusher.encode(plaintext, "aes128gcm")
start = time.perf_counter()
for _ in range(count):
    pusher.encode(plaintext, "aes128gcm")
seconds = time.perf_counter() - start
print(json.dumps({"implementation": "pywebpush", "messages": count, "plaintextBytes": len(plaintext),
                  "seconds": seconds, "messagesPerSecond": count / seconds}))
