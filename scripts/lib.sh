# Sourced by the scripts that train and evaluate: how they start the project's commands, and what to do with a
# model that may already be trained.
_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# py MODULE ARGS...: `python3 -m MODULE ARGS...` from this repository, whatever the current folder and whatever
# characters the repository's path holds (scripts/run_module.py).
py() { python3 "$_repo/scripts/run_module.py" "$@"; }

# The runs of a train_*.sh go through one queue (app/run_queue.py): side by side on the GPUs that GPUS lists
# (GPUS=0,1,2,3; GPUS=cpu,cpu shares the cores), one at a time without it.
#   queue_line NAME MODULE ARGS...   one line of the queue's input
#   run_queue LOG_DIR                runs the lines read from stdin
queue_line() { printf '%q ' "$@"; echo; }
run_queue() { py app.run_queue --slots "${GPUS:-auto}" --logs "$1"; }

#   how=$(reuse_or_train CKPT NAME)   -> reuse | resume | train, with one line on stderr saying why
# reuse: CKPT's run trained its whole budget. resume: CKPT is an interrupted run's model and runs/NAME beside it
# holds that run's latest.pt (the trainer's --resume continues it). train: anything else (an interrupted run's
# model is never served as if finished).
reuse_or_train() {
  local ckpt="$1" name="$2" status
  status=missing
  if [ -e "$ckpt" ] || [ -L "$ckpt" ]; then status="$(py app.model_files status "$ckpt")"; fi
  case "$status" in
    finished) echo "reusing $ckpt (its run finished)" >&2; echo reuse ;;
    unfinished)
      if compgen -G "$(dirname "$ckpt")/runs/$name/*/latest.pt" > /dev/null; then
        echo "resuming the interrupted run of $ckpt" >&2; echo resume
      else
        echo "retraining $ckpt: its run did not finish" >&2; echo train
      fi ;;
    unreadable) echo "retraining $ckpt: it cannot be read as a checkpoint" >&2; echo train ;;
    *) echo train ;;
  esac
}
