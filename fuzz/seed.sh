#!/usr/bin/env bash
# Writes the seed corpora under fuzz/corpus/ from the examples, the fixtures and real outputs
# of msgpol (built from them with every target). Run from anywhere; needs cargo. Files over
# 16 KiB are left out, so the corpora stay small; libFuzzer finds the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=$root/fuzz/corpus
max=16384
rm -rf "$corpus"
mkdir -p "$corpus"/{policy_bytes,policy_structured,feed,scan_input,readers}

small() { [ "$(stat -c %s "$1")" -le $max ]; }
name() { sha1sum | cut -c1-16; }
# One seed: its bytes on stdin, named after their hash (so duplicates collapse).
seed() {
    local dir=$1 tmp
    tmp=$(mktemp)
    cat > "$tmp"
    if small "$tmp"; then
        mv "$tmp" "$dir/$(name < "$tmp")"
    else
        rm "$tmp"
    fi
}

# policy_bytes: every example and fixture policy.
find examples tests/fixtures -name '*.msgpol' | sort | while read -r f; do
    seed "$corpus/policy_bytes" < "$f"
done

# feed: a selector byte (0 hosts, 1 adblock, 2 domains; +0x80 also builds and verifies) and
# each fixture feed, in the format its policy reads it as.
find tests/fixtures -path '*feeds/*' -type f | sort | while read -r f; do
    case "$f" in
        *.hosts) s='\x80' ;;
        *.txt) s='\x81' ;;
        *) s='\x82' ;;
    esac
    { printf "$s"; cat "$f"; } | seed "$corpus/feed"
done

# scan_input: a selector byte (0 text, 1 Slack, 2 WhatsApp, 3 mbox, 4 detected) and each
# planted file, both as its own format and as detected.
for f in tests/fixtures/dlp/planted/*; do
    case "$f" in
        *.json) s='\x01' ;;
        *whatsapp*) s='\x02' ;;
        *.mbox) s='\x03' ;;
        *) s='\x00' ;;
    esac
    { printf "$s"; cat "$f"; } | seed "$corpus/scan_input"
    { printf '\x04'; cat "$f"; } | seed "$corpus/scan_input"
done

# readers: each readable target's files as a build of each example and `ok/` fixture wrote
# them, after a first line naming the target.
cargo build --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The targets with a reader: those whose module names one (module `google_dlp`, target
# `google-dlp`).
readable=$({
    grep -l 'reader: Some' compiler/src/emit/targets/*.rs
    grep -l 'fn rules_reader' compiler/src/emit/targets/*.rs
} | xargs -n1 basename | sed 's/\.rs$//; s/_/-/g' | sort -u)
for policy in examples/*.msgpol tests/fixtures/ok/*.msgpol; do
    dir="$out/$(basename "$policy" .msgpol)"
    target/debug/msgpol build "$policy" --out "$dir" --target all --today 2026-11-23 \
        >/dev/null 2>&1 || continue
    for target in $readable; do
        [ -d "$dir/$target" ] || continue
        outputs=$(target/debug/msgpol targets --format json |
            python3 -c "import json,sys; [print(o) for t in json.load(sys.stdin) if t['name']=='$target' for o in t['outputs']]")
        {
            printf '%s\n' "$target"
            first=1
            for o in $outputs; do
                [ $first = 1 ] || printf '\n--8<--\n'
                first=0
                if [ -f "$dir/$target/$o" ]; then cat "$dir/$target/$o"; fi
            done
        } | seed "$corpus/readers"
    done
done
for t in "$corpus"/*; do
    echo "$(basename "$t"): $(find "$t" -type f | wc -l) seeds, $(du -sh "$t" | cut -f1)"
done
