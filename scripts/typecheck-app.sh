#!/usr/bin/env bash
# Type-checks the iOS app's CometChat-facing files on Linux, against stand-in modules, and proves
# that the check bites (docs/ios-integration.md, "The Linux type-check").
#
#   scripts/typecheck-app.sh
#
# No Apple SDK exists here, so the App files that do not import SwiftUI (CometChatCallsAdapter,
# CallCoordinator, AVAudioSessionAdapter, SystemAdapters, CallViewHost, AppEnvironment, ...) are
# compiled with `swiftc -typecheck` against:
# - ios-app/StandIns/{CometChatCallsSDK,UIKit,AVFoundation}: declarations transcribed from
#   CometChat's v5 sample, docs and skill, and from Apple's documentation, each naming its source
#   (never linked into the app);
# - SwitchboardKit and SwitchboardCore, built by SwiftPM from the real sources.
# The SwiftUI files (views only, no logic) are listed and left out.
#
# Then three mutants must be caught:
# 1. the adapter with `callSetting:` spelled `callSettings:` (an argument label of joinSession);
# 2. the Coordinator with `onSessionJoined` misspelled (the stand-in's listener members are
#    required, so the Coordinator no longer conforms);
# 3. the Coordinator with an extra, misspelled callback: it compiles (extra methods are allowed,
#    and the real SDK's members are optional, so on a Mac a misspelling compiles and never fires),
#    so a name check compares every `on...` method of the Coordinator with the listener members
#    the stand-in declares.
#
# Exit status 0 when the App files type-check, every mutant is caught and every Coordinator
# callback is a listener member; 1 otherwise. Must run as root (chroot and mounts).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

# shellcheck source=lib/swift-kit.sh
source scripts/lib/swift-kit.sh
prepare_switchboard_kit

app="ios-app/App"
standins="ios-app/StandIns"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/modules" "$out/mutants"

# Runs "$@" in the chroot with the repository (read-only) and $out (read-write) bound.
in_chroot() {
    SWITCHBOARD_SWIFT_BINDS="$SWIFT_BINDS $out:/out" SWITCHBOARD_SWIFT_CWD=/switchboard \
        scripts/swift-env.sh run -- "$@"
}

say "building SwitchboardKit (SwiftPM, chroot)"
in_chroot swift build --package-path "/switchboard/$pkg" --scratch-path "$SWIFT_SCRATCH" \
    --target SwitchboardKit >&2
kit_modules="$SWIFT_SCRATCH/debug/Modules"

say "stand-in modules"
# UIKit and AVFoundation first: the CometChat stand-in imports UIKit (its container is a UIView).
for module in UIKit AVFoundation CometChatCallsSDK; do
    sources=()
    for f in "$standins/$module"/*.swift; do sources+=("/switchboard/$f"); done
    in_chroot swiftc -parse-as-library -emit-module -module-name "$module" \
        -swift-version 5 -I /out/modules \
        -emit-module-path "/out/modules/$module.swiftmodule" "${sources[@]}" >&2
done

# The App files the check compiles: every one that does not import SwiftUI.
mapfile -t checked < <(cd "$app" && grep -L '^import SwiftUI' -- *.swift | sort)
mapfile -t skipped < <(cd "$app" && grep -l '^import SwiftUI' -- *.swift | sort)
for required in CometChatCallsAdapter.swift CallCoordinator.swift AVAudioSessionAdapter.swift; do
    printf '%s\n' "${checked[@]}" | grep -qx "$required" || {
        echo "typecheck-app: $app/$required imports SwiftUI or is missing: it must be type-checked" >&2
        exit 1
    }
done

# Type-checks the given chroot paths as one module, the way Xcode compiles the app target
# (Swift 5 mode, complete concurrency checking). Prints the compiler's output.
typecheck() {
    in_chroot swiftc -typecheck -parse-as-library -module-name Switchboard \
        -swift-version 5 -strict-concurrency=complete \
        -I /out/modules -I "$kit_modules" -I "/switchboard/$ffi_dir" \
        "$@" 2>&1
}

failures=0
fail() {
    printf 'typecheck-app: FAIL: %s\n' "$*" >&2
    failures=$((failures + 1))
}

say "type-checking ${#checked[@]} App files: ${checked[*]}"
say "not compiled here (SwiftUI, views only): ${skipped[*]}"
app_paths=()
for f in "${checked[@]}"; do app_paths+=("/switchboard/$app/$f"); done
if output="$(typecheck "${app_paths[@]}")"; then
    [[ -z "$output" ]] || printf '%s\n' "$output" >&2
    say "App files: type-check passed"
else
    printf '%s\n' "$output" >&2
    fail "the App files do not type-check against the stand-ins"
fi

# A mutant: the App files with $1 replaced by $out/mutants/$1 (a copy with sed expression $2).
# It must fail to type-check, with the compiler naming $3.
mutant_is_caught() {
    local file="$1" edit="$2" expect="$3" what="$4" paths=() f output
    sed -e "$edit" "$app/$file" >"$out/mutants/$file"
    if cmp -s "$app/$file" "$out/mutants/$file"; then
        fail "mutant '$what': the edit changed nothing in $file"
        return
    fi
    for f in "${checked[@]}"; do
        if [[ "$f" == "$file" ]]; then paths+=("/out/mutants/$f"); else paths+=("/switchboard/$app/$f"); fi
    done
    if output="$(typecheck "${paths[@]}")"; then
        fail "mutant '$what' type-checked: the check does not bite"
    elif ! grep -q -- "$expect" <<<"$output"; then
        printf '%s\n' "$output" >&2
        fail "mutant '$what' failed, but not on '$expect'"
    else
        say "mutant '$what' caught: $(grep -m1 'error:' <<<"$output" | sed 's/^.*error: //')"
    fi
    rm -f "$out/mutants/$file"
}

mutant_is_caught CometChatCallsAdapter.swift 's/callSetting:/callSettings:/' \
    "callSettings" "joinSession(callSettings:)"
mutant_is_caught CallCoordinator.swift 's/func onSessionJoined()/func onSessionJoind()/' \
    "does not conform to protocol 'SessionStatusListener'" "onSessionJoind"

# Every `on...` method of a Coordinator file must be a member of a listener protocol the
# stand-in declares (the real members are optional: a misspelled one compiles and never fires).
listener_members() {
    awk '
        /^public protocol [A-Za-z]*Listener/ { inside = 1; next }
        inside && /^}/ { inside = 0 }
        inside && match($0, /func on[A-Za-z]*/) { print substr($0, RSTART + 5, RLENGTH - 5) }
    ' "$standins"/CometChatCallsSDK/*.swift | sort -u
}
unknown_callbacks() {
    comm -23 <(grep -o 'func on[A-Za-z]*' "$1" | sed 's/^func //' | sort -u) <(listener_members)
}
members="$(listener_members | wc -l)"
((members > 20)) || fail "the stand-in declares only $members listener members"
unknown="$(unknown_callbacks "$app/CallCoordinator.swift")"
if [[ -n "$unknown" ]]; then
    fail "CallCoordinator.swift has callbacks no listener protocol declares: $(echo $unknown)"
else
    say "every Coordinator callback is one of the stand-in's $members listener members"
fi
sed 's/^    func onSessionLeft() {/    func onSessionLeftt() {}\n&/' "$app/CallCoordinator.swift" >"$out/mutants/CallCoordinator.swift"
if [[ "$(unknown_callbacks "$out/mutants/CallCoordinator.swift")" == "onSessionLeftt" ]]; then
    say "mutant 'extra onSessionLeftt' caught by the name check"
else
    fail "the name check misses an extra misspelled callback (onSessionLeftt)"
fi

if ((failures > 0)); then
    echo "typecheck-app: $failures check(s) failed" >&2
    exit 1
fi
say "passed: the App files type-check, 3 of 3 mutants caught"
