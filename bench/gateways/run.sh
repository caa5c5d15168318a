#!/usr/bin/env bash
# Gateway benchmarks (release build). Each figure is measured beside its peer in the same run; nothing asserts
# wall-clock time. Usage: bench/gateways/run.sh [messages]
set -euo pipefail
cd "$(dirname "$0")/../.."
messages="${1:-20000}"

python3 -m pip install --quiet --disable-pip-version-check pywebpush 2>&1 | grep -v "Running pip as the 'root'" || true
# The release build lives in .build-release, as every bench's does, so it never replaces the debug build the tests use.
swift build -c release --scratch-path .build-release --product perch-bench-webpush-encryption >/dev/null
swift build -c release --scratch-path .build-release --product perch-bench-gateways >/dev/null
bin=$(swift build -c release --scratch-path .build-release --show-bin-path)

echo "== Web Push encryption, one process each (fresh ephemeral P-256 key + ECDH + HKDF + AES-GCM per message)"
perch_all=$("$bin"/perch-bench-webpush-encryption "$messages")
perch=$(echo "$perch_all" | head -1)
py=$(python3 bench/gateways/pywebpush_encode.py "$((messages / 4))")
echo "$perch_all"
echo "$py"

echo "== Per-core limit from openssl speed (one key generation ~ one ECDSA sign, plus one ECDH per message)"
speed=$(openssl speed -seconds 3 ecdhp256 ecdsap256 2>/dev/null)
ecdh=$(echo "$speed" | awk '/256 bits ecdh \(nistp256\)/ {print $(NF)}')
sign=$(echo "$speed" | awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1)}')
echo "openssl: ecdh p256 ${ecdh} op/s, ecdsa p256 sign ${sign} op/s"

python3 - "$perch" "$py" "$ecdh" "$sign" <<'PY'
import json, sys
perch, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ecdh, sign = float(sys.argv[3]), float(sys.argv[4])
limit = 1 / (1 / ecdh + 1 / sign)
print(f"perch     {perch['messagesPerSecond']:10.0f} msg/s per process")
print(f"pywebpush {py['messagesPerSecond']:10.0f} msg/s per process  -> perch is {perch['messagesPerSecond'] / py['messagesPerSecond']:.2f}x")
print(f"limit     {limit:10.0f} msg/s per core     -> perch reaches {100 * perch['messagesPerSecond'] / limit:.0f}%")
PY

echo "== End to end against the in-process simulators (HTTP/2 + TLS on loopback, one connection per gateway)"
for platform in apns fcm webpush; do
  for concurrency in 1 100; do
    "$bin"/perch-bench-gateways "$platform" "$messages" "$concurrency"
  done
done

echo "== Peak RSS as the message count grows tenfold (APNs, 100 concurrent)"
"$bin"/perch-bench-gateways apns "$((messages / 10))" 100
"$bin"/perch-bench-gateways apns "$messages" 100
