#!/usr/bin/env bash
# Model checking of the core with loom (tests/loom.rs), and proof that the models bite.
#
#   scripts/loom.sh            all three steps (what scripts/test.sh runs)
#   scripts/loom.sh models     step 1 only
#
# 1. Every model passes on the current core.
# 2. The models that guard a fixed defect fail on the core as it was before the fix
#    (commit 8912668, with tests/loom-baseline/pre-fix-compat.patch: loom's atomics and
#    the few methods the models call, written as the old binding behaved).
# 3. The models of protocols that were already right fail on mutants of the current
#    core, each breaking one thing the protocol needs.
#
# LOOM_MAX_PREEMPTIONS=N explores more schedules than each model's own bound.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET=$ROOT/target/loom
export RUSTFLAGS="--cfg loom"

log() { printf '[loom] %s\n' "$*" >&2; }

# Every tree builds in the same target directory (the dependencies are built once), and
# cargo names irqio's artifacts alike in all of them: irqio's are cleaned before each
# build, or cargo could take another tree's for fresh.
fresh_irqio() { (cd "$1" && cargo clean -q --release -p irqio --target-dir "$TARGET"); }

run_models() { # DIR [cargo test args...] -> the test harness's output
    local dir=$1
    shift
    fresh_irqio "$dir"
    (cd "$dir" && cargo test --release --test loom --target-dir "$TARGET" -- "$@" 2>&1) || true
}

failed_models() { # harness output on stdin -> sorted names of the models that failed
    sed -n 's/^test \([a-z_0-9]*\) \.\.\. FAILED$/\1/p' | sort
}

log "models on the current core"
fresh_irqio "$ROOT"
cargo test -q --release --test loom --target-dir "$TARGET"
[ "${1:-all}" = models ] && exit 0

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

copy_tree() { # DIR: the current sources, as committed or not
    mkdir -p "$1"
    git ls-files -co --exclude-standard -- Cargo.toml Cargo.lock build.rs cbindgen.toml src include tests \
        | tar cf - -T - | tar xf - -C "$1"
}

log "models on the core before the fix (they must fail)"
old=$WORK/pre-fix
mkdir -p "$old"
git archive 8912668 src build.rs cbindgen.toml include | tar xf - -C "$old"
cp Cargo.toml Cargo.lock "$old"/
mkdir -p "$old/tests" && cp tests/loom.rs "$old/tests/"
patch -s -d "$old" -p1 <tests/loom-baseline/pre-fix-compat.patch
expected="a_producer_held_at_its_raise_delays_no_later_wake_up
a_set_held_at_its_raise_delays_no_later_wake_up
close_racing_a_write_never_hides_its_bytes
clear_racing_set_never_loses_the_wake_up
each_round_carries_the_stamp_of_one_of_its_own_sets
event_posters_and_a_consumer_drop_newest
event_posters_and_a_consumer_overwrite_oldest
levels_never_mix_two_states
overwrite_with_a_consumer_held_mid_copy
overwriting_producers_without_a_reader_always_finish
reject_survives_a_lap_while_a_producer_is_held
reuse_of_a_byte_another_producer_discarded_is_ordered
truncate_survives_a_lap_while_a_producer_is_held
two_producers_and_a_consumer_with_overwrite
two_producers_and_a_consumer_with_truncate"
got=$(run_models "$old" | failed_models)
if [ "$got" != "$(sort <<<"$expected")" ]; then
    log "expected these models to fail on the pre-fix core:"
    sort <<<"$expected" >&2
    log "but these failed:"
    echo "$got" >&2
    exit 1
fi
log "  $(wc -l <<<"$got") models fail on the pre-fix core, as they should"

# mutant NAME FILE OLD NEW MODEL...: the current core with OLD replaced by NEW in FILE;
# each MODEL must fail on it.
mutant() {
    local name=$1 file=$2 old_text=$3 new_text=$4
    shift 4
    local dir=$WORK/$name
    copy_tree "$dir"
    python3 - "$dir/$file" "$old_text" "$new_text" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"mutant: {old!r} is not in {path} exactly once")
open(path, "w").write(text.replace(old, new))
PY
    local out model
    out=$(run_models "$dir" --exact "$@")
    for model in "$@"; do
        if ! failed_models <<<"$out" | grep -qx "$model"; then
            log "mutant '$name' survived $model"
            exit 1
        fi
    done
    log "  mutant '$name' killed by: $*"
}

log "models on mutants of the current core (each must fail)"
mutant no-fence-in-answer src/core/wake.rs \
    '        fence(Ordering::SeqCst);
        let seen = self.0.load(Ordering::Relaxed);
        if seen & 1 != 0 {
            wake.raise();' \
    '        let seen = self.0.load(Ordering::Relaxed);
        if seen & 1 != 0 {
            wake.raise();' \
    consumer_never_sleeps_on_data take_racing_sets_never_loses_the_wake_up
mutant no-recheck-after-take src/core/flag.rs \
    '        if self.is_set() {' \
    '        if false {' \
    take_racing_sets_never_loses_the_wake_up
mutant no-reading-claim src/core/ring.rs \
    'self.read.fetch_or(READING, Ordering::Acquire)' \
    'self.read.load(Ordering::Acquire)' \
    overwrite_with_a_consumer_held_mid_copy
mutant discard-while-others-write src/core/ring.rs \
    'self.writers.load(Ordering::Acquire) & IN_FLIGHT != 1' \
    'false' \
    two_producers_and_a_consumer_with_overwrite
mutant eof-ignores-writers-in-flight src/core/ring.rs \
    'if self.writers.load(Ordering::Acquire) != CLOSED {' \
    'if self.writers.load(Ordering::Acquire) & CLOSED == 0 {' \
    close_racing_a_write_never_hides_its_bytes
mutant fast-path-ignores-free-space src/core/ring.rs \
    'if used.wrapping_add(want as Index) > self.capacity as Index {' \
    'if false {' \
    reject_survives_a_lap_while_a_producer_is_held
mutant answer-closes-before-raising src/core/wake.rs \
    '            wake.raise();
            // Fails harmlessly' \
    '            let _ = self.0.compare_exchange(seen, seen.wrapping_add(1), Ordering::Release, Ordering::Relaxed);
            wake.raise();
            // Fails harmlessly' \
    a_producer_held_at_its_raise_delays_no_later_wake_up a_set_held_at_its_raise_delays_no_later_wake_up
mutant discard-without-release src/core/ring.rs \
    '.compare_exchange(read_word, next, Ordering::AcqRel, Ordering::Relaxed)' \
    '.compare_exchange(read_word, next, Ordering::Acquire, Ordering::Relaxed)' \
    reuse_of_a_byte_another_producer_discarded_is_ordered
mutant set-without-release src/core/flag.rs \
    '.compare_exchange(seen, next, Ordering::Release, Ordering::Relaxed)' \
    '.compare_exchange(seen, next, Ordering::Relaxed, Ordering::Relaxed)' \
    a_set_publishes_what_its_producer_wrote_before_it
log "all models pass, and each one fails where it should"
