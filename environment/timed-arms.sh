# The machinery of the timed ablations (environment/ablation-training-cost, environment/ablation-depth), sourced after
# the script has set its ARMS table and defaults: every arm distils the same pairs from the same seed for BUDGET
# seconds of training time (get4j train --time-budget), keeping a snapshot every MARK seconds (--snapshot-every);
# each snapshot is then scored on N samples, FD with a 95% interval (get4j curve), and the snapshots at CONFIRM_MARKS
# again on CONFIRM_N samples, beside the curve in each arm's fd-vs-time.csv. Everything resumes: rerun the same
# command after an interruption (finished arms and scored snapshots are kept).
#
# ARMS holds one "name|model|training flags|sampling flags" line per arm. The common recipe (COMMON) is the MNIST
# experiment's: batch 64 and lr 5e-4 (unless an arm's flags set them), 100 warm-up steps, L2, EMA 0.999 with warm-up.
# ONLY names the arms to run now (space-separated). INTERLEAVE=1 trains the arms in turn, MARK seconds at a time, so
# that they share the host's slow and fast minutes (on a shared VM one arm's hour can run 25% slower than another's).
# Each chunk is a new process whose warm-up counts as training time, so an interleaved arm reaches fewer steps by each
# mark than a sequential one: compare interleaved arms with each other.
set -euo pipefail
script=$(basename "$0")
G=environment/get4j
# The recipe every arm shares (an option may be given once, so an arm cannot override these), and the batch and
# learning rate of arms that name none.
COMMON="--warmup 100 --loss l2 --ema 0.999 --ema-warmup --seed 0 --steps 100000000 --checkpoint-every 500"
DEFAULT_BATCH="--batch 64"
DEFAULT_LR="--lr 5e-4"
if [ ! -f "$PAIRS/manifest.json" ]; then
  echo "$script: no pair store at $PAIRS (make it with environment/experiment-mnist, or set PAIRS)" >&2
  exit 1
fi
if ! [[ "$MARK" =~ ^[0-9]+$ && "$BUDGET" =~ ^[0-9]+$ ]] || (( MARK < 1 || BUDGET < 1 )); then
  echo "$script: MARK ($MARK) and BUDGET ($BUDGET) must be whole seconds, at least 1" >&2
  exit 2
fi
if [ "$INTERLEAVE" != 0 ] && [ "$INTERLEAVE" != 1 ]; then
  echo "$script: INTERLEAVE must be 0 or 1, got '$INTERLEAVE'" >&2
  exit 2
fi
# The arms this run covers, one "name|model|flags|sampling" line each: ONLY's names, exactly, else all.
declare -A known=() wanted=()
while IFS='|' read -r name _; do [ -n "$name" ] && known[$name]=1; done <<< "$ARMS"
read -ra only <<< "$ONLY"
for want in "${only[@]}"; do
  [ -n "${known[$want]:-}" ] || { echo "$script: no arm named '$want' (ONLY; arms: ${!known[*]})" >&2; exit 2; }
  wanted[$want]=1
done
selected=()
while IFS='|' read -r name model flags sampling; do
  [ -z "$name" ] && continue
  if (( ${#only[@]} > 0 )) && [ -z "${wanted[$name]:-}" ]; then continue; fi
  [[ " $flags " == *" --batch "* ]] || flags="$flags $DEFAULT_BATCH" # (whole words)
  [[ " $flags " == *" --lr "* ]] || flags="$flags $DEFAULT_LR"
  selected+=("$name|$model|$flags|$sampling")
done <<< "$ARMS"
for t in $CONFIRM_MARKS; do
  if ! [[ "$t" =~ ^[0-9]+$ ]] || (( t < 1 || t % MARK != 0 )); then # (marks past BUDGET wait for a longer run)
    echo "$script: CONFIRM_MARKS ($CONFIRM_MARKS) must be snapshot marks: whole multiples of MARK ($MARK)" >&2
    exit 2
  fi
done
mkdir -p "$RUNS"
exec > >(tee -a "$RUNS/ablation.log") 2>&1
echo "== $(date -u +%FT%TZ): $script, budget $BUDGET s, snapshots every $MARK s, $N samples per snapshot" \
  "(${CONFIRM_MARKS:-no} s again on $CONFIRM_N), pairs $PAIRS, arms: ${selected[*]%%|*}"

train() { # arm line, training-time budget in seconds
  IFS='|' read -r name model flags sampling <<< "$1"
  echo "== $name: $model $flags, to $2 s of training"
  # shellcheck disable=SC2086
  $G train --pairs "$PAIRS" --model "$model" $COMMON $flags --time-budget "$2" --snapshot-every "$MARK" \
    --out "$RUNS/$name" --resume
}

score() { # arm line
  IFS='|' read -r name model flags sampling <<< "$1"
  # shellcheck disable=SC2086
  $G curve --run "$RUNS/$name" --n "$N" $sampling
  confirm=""
  for t in $CONFIRM_MARKS; do # the marks this arm has reached
    [ -f "$RUNS/$name/snapshots/$(printf 't-%06ds' "$t").safetensors" ] && confirm="$confirm,$t"
  done
  if [ -n "$confirm" ]; then
    # shellcheck disable=SC2086
    $G curve --run "$RUNS/$name" --n "$CONFIRM_N" --marks "${confirm#,}" $sampling
  fi
}

if [ "$INTERLEAVE" = 1 ]; then
  for ((budget = MARK; budget < BUDGET + MARK; budget += MARK)); do
    (( budget > BUDGET )) && budget=$BUDGET
    for arm in "${selected[@]}"; do train "$arm" "$budget"; done
  done
  for arm in "${selected[@]}"; do score "$arm"; done
else
  for arm in "${selected[@]}"; do train "$arm" "$BUDGET"; score "$arm"; done
fi
echo "== done: $(date -u +%FT%TZ); each arm's FD against time is in $RUNS/<arm>/fd-vs-time.csv"
