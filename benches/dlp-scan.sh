#!/usr/bin/env bash
# DLP scan: `msgpol scan` with the std.classes detectors on generated chat text (one core), the
# time to load and compile the policy, and precision and recall on the labelled corpus, side by
# side with Presidio (PyPI presidio-analyzer, its predefined recognizers for the same entities).
# The goals (issue: DLP) are >= 200 MB/s and < 50 ms.
#
#   benches/dlp-scan.sh                 # SIZE_MB=200 of chat text by default
#   PRESIDIO=0 benches/dlp-scan.sh      # msgpol only
#   BIG_MB=2000                         # the input whose peak memory is measured (goal: < 100 MB)
#
# Presidio is installed with pip into a virtual environment under $WORK (a few minutes the
# first time; set PRESIDIO_VENV to reuse one). It is not needed by the test suite.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-200}
BIG_MB=${BIG_MB:-2000}
PRESIDIO=${PRESIDIO:-1}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PRESIDIO_VENV=${PRESIDIO_VENV:-$WORK/presidio-venv}

cargo build --release --quiet --bin msgpol
MSGPOL=$PWD/target/release/msgpol
POLICY=tests/fixtures/ok/minimal.msgpol   # imports std.classes: its detectors only
ONE_CORE=(taskset -c 0)
command -v taskset >/dev/null || ONE_CORE=()

# The labelled corpus (20,000 lines, 20 % hard cases) and, for speed, two longer runs of the
# generator repeated up to SIZE_MB: chat as dense with hard cases as the labelled corpus, and
# chat with 1 % such lines (nearer real conversations).
mkdir -p "$WORK/labelled" "$WORK/dense" "$WORK/typical" "$WORK/thirty"
python3 benches/dlp-corpus.py "$WORK/labelled" 20000 5
python3 benches/dlp-corpus.py "$WORK/dense" 200000 6 0.80
python3 benches/dlp-corpus.py "$WORK/typical" 200000 7 0.99
python3 benches/dlp-corpus.py "$WORK/thirty" 200000 8 0.70
for kind in dense typical thirty; do
    python3 - "$WORK/$kind/chat.txt" "$WORK/$kind.txt" "$SIZE_MB" <<'PY'
import sys
chunk = open(sys.argv[1], "rb").read()
target = int(sys.argv[3]) * 1_000_000
with open(sys.argv[2], "wb") as out:
    written = 0
    while written < target:
        out.write(chunk)
        written += len(chunk)
PY
done
: > "$WORK/empty.txt"

python3 - "$MSGPOL" "$POLICY" "$WORK" "$BIG_MB" "${ONE_CORE[@]}" <<'PY'
import json, os, statistics, subprocess, sys, time
msgpol, policy, work, big_mb, one_core = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
def run(*args):
    """Wall and CPU (user + system) seconds of one msgpol run."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run([*one_core, msgpol, "--today", "2026-11-23", "scan", policy, *args],
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)
loads = [run(f"{work}/empty.txt") for _ in range(20)]
load = statistics.median(w for w, _ in loads)
print(f"msgpol: policy load + compile (whole process, median of 20): {load * 1000:.1f} ms")
for kind in ("typical", "dense"):
    size = os.path.getsize(f"{work}/{kind}.txt")
    wall, cpu = min(run(f"{work}/{kind}.txt") for _ in range(3))
    print(f"msgpol: scan {size / 1e6:.0f} MB of {kind} chat on one core: {wall:.2f} s wall "
          f"({size / 1e6 / (wall - load):.0f} MB/s), {cpu:.2f} s CPU ({size / 1e6 / cpu:.0f} MB/s of CPU time)")
# 30 % of lines sensitive or lookalike, findings printed as JSON.
size = os.path.getsize(f"{work}/thirty.txt")
wall, cpu = min(run(f"{work}/thirty.txt", "--format", "json") for _ in range(3))
print(f"msgpol: scan {size / 1e6:.0f} MB of chat with 30 % such lines, JSON output, on one core: "
      f"{wall:.2f} s wall ({size / 1e6 / (wall - load):.0f} MB/s), {cpu:.2f} s CPU ({size / 1e6 / cpu:.0f} MB/s of CPU time)")
# Peak memory against input size: GNU time's maximum resident set, scanning a BIG_MB file of
# the 30 % chat repeated (written to disk, removed after), JSON output.
def peak(path, *args):
    start, before = time.perf_counter(), os.times()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *one_core, msgpol, "--today", "2026-11-23", "scan", policy, path, *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return int(out.strip().splitlines()[-1]) / 1024, time.perf_counter() - start, cpu
chunk = open(f"{work}/thirty.txt", "rb").read()
with open(f"{work}/big.txt", "wb") as out:
    while out.tell() < big_mb * 1_000_000:
        out.write(chunk)
size = os.path.getsize(f"{work}/big.txt")
mb, wall, cpu = peak(f"{work}/big.txt", "--format", "json")
os.remove(f"{work}/big.txt")
print(f"msgpol: peak memory scanning {size / 1e6:.0f} MB (30 % such lines, JSON output): {mb:.0f} MB, "
      f"in {wall:.1f} s wall, {cpu:.1f} s CPU ({size / 1e6 / cpu:.0f} MB/s of CPU time); "
      f"an empty file: {peak(f'{work}/empty.txt')[0]:.0f} MB")
# The floor: the std.classes detectors and four more that bring the policy's automata near
# their cap (E236), on 1 MB of text made to keep every state busy (runs of letters and digits,
# and text made for the email pattern's counted repeats).
import random
rng = random.Random(11)
costly = "[a-z0-9]{1,50}[0-9]{1,50}" * 10
with open(f"{work}/cap.msgpol", "w") as out:
    out.write(open(policy).read())
    out.write("\nclass costly : confidential {\n")
    for i in range(4):
        out.write(f'  detect d{i} {{\n    pattern "{costly}"\n  }}\n')
    out.write("}\n")
with open(f"{work}/busy.txt", "w") as out:
    while out.tell() < 500_000:
        out.write("".join(rng.choice("abcdefghij0123456789") for _ in range(100)) + f" {rng.randrange(10**12)}\n")
    while out.tell() < 1_000_000:
        out.write("x@" + "".join(rng.choice("abc.-") for _ in range(95)) + "\n")
size = os.path.getsize(f"{work}/busy.txt")
start, before = time.perf_counter(), os.times()
subprocess.run([*one_core, msgpol, "--today", "2026-11-23", "scan", f"{work}/cap.msgpol", f"{work}/busy.txt"],
               stdout=subprocess.DEVNULL)
after = os.times()
cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
print(f"msgpol: the floor, a policy at the automaton cap on {size / 1e6:.0f} MB of text that keeps every state busy: "
      f"{time.perf_counter() - start:.2f} s wall, {cpu:.2f} s CPU ({size / 1e6 / cpu:.2f} MB/s of CPU time)")
# The same messages as a 20 MB Slack export on one line, and with a line break per message.
lines = open(f"{work}/thirty/chat.txt", encoding="utf-8").read().splitlines()
messages, total = [], 0
while total < 20_000_000:
    for text in lines:
        messages.append({"type": "message", "user": "U1", "text": text})
        total += len(text) + 40
one_line, broken = f"{work}/one-line.json", f"{work}/broken.json"
with open(one_line, "w") as out:
    json.dump(messages, out)
with open(broken, "w") as out:
    out.write("[\n" + ",\n".join(json.dumps(m) for m in messages) + "\n]\n")
for name, path in (("on one line", one_line), ("a message per line", broken)):
    size = os.path.getsize(path)
    wall, cpu = min(run(path, "--format", "json") for _ in range(3))
    print(f"msgpol: scan a {size / 1e6:.0f} MB Slack export, {name}: {wall:.2f} s wall "
          f"({size / 1e6 / (wall - load):.0f} MB/s), {cpu:.2f} s CPU ({size / 1e6 / cpu:.0f} MB/s of CPU time)")
found = subprocess.run([msgpol, "--today", "2026-11-23", "scan", policy, f"{work}/labelled/chat.txt",
                        "--format", "json"], capture_output=True).stdout
pairs = {(f["line"], f"{f['class']}/{f['detector']}") for f in json.loads(found)}
labels = {(int(n), d) for n, d in (l.rstrip("\n").split("\t") for l in open(f"{work}/labelled/labels.tsv"))}
def score(name, pairs, labels):
    hit = len(pairs & labels)
    print(f"{name}: precision {hit / max(len(pairs), 1):.4f}, recall {hit / max(len(labels), 1):.4f} "
          f"({hit} found, {len(pairs - labels)} false, {len(labels - pairs)} missed)")
score("msgpol, every std.classes detector", pairs, labels)
presidio_entities = {"confidential/payment-card", "confidential/iban", "confidential/us-ssn", "internal/email-address"}
score("msgpol, the four entities Presidio has",
      {p for p in pairs if p[1] in presidio_entities}, {l for l in labels if l[1] in presidio_entities})
PY

if [ "$PRESIDIO" = 1 ]; then
    if [ ! -x "$PRESIDIO_VENV/bin/python" ]; then
        python3 -m venv "$PRESIDIO_VENV"
        "$PRESIDIO_VENV/bin/pip" install --quiet --disable-pip-version-check presidio-analyzer
    fi
    "${ONE_CORE[@]}" "$PRESIDIO_VENV/bin/python" benches/dlp-presidio.py "$WORK/labelled" > "$WORK/presidio.json"
    python3 - "$WORK/presidio.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"presidio: {r['bytes'] / 1e6:.2f} MB in {r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU on one core: "
      f"{r['bytes'] / 1e6 / r['cpu_seconds']:.3f} MB/s of CPU time")
for key in ("threshold 0.0", "threshold 0.5"):
    c = r[key]
    found = c["true_positives"] + c["false_positives"]
    labels = c["true_positives"] + c["missed"]
    print(f"presidio ({key}): precision {c['true_positives'] / max(found, 1):.4f}, "
          f"recall {c['true_positives'] / max(labels, 1):.4f} "
          f"({c['true_positives']} found, {c['false_positives']} false, {c['missed']} missed)")
PY
fi
