#!/usr/bin/env bash
# Quickstart: the seed workflow of a training job, end to end, on the embedded local store
# ~/.ama/store. Run `mvn -B -DskipTests package` first.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
ama="$root/bin/ama"
work="$(mktemp -d "${TMPDIR:-/tmp}/ama-quickstart.XXXXXX")"
cd "$work"
# The embedded store, explicitly: a store configured in AMA_STORE or ~/.ama/config.yml may be a
# team's bucket, where demo versions and alias moves do not belong. AMA_QUICKSTART_STORE overrides.
export AMA_STORE="${AMA_QUICKSTART_STORE:-$HOME/.ama/store}"
echo "# working in $work, store $AMA_STORE"

# What a training job leaves behind: inputs and outputs.
mkdir output_dir && cd output_dir
printf 'model_repo: 3f2c1e9\n' > git_commit_info_ckpt0.yml
printf 'checkpoint: 0\nbatch_size: 64\n' > run_config_ckpt0.yml
printf 'learning_rate: 0.001\nepochs: 20\ndataset: reads-2026-10\n' > training.yml
printf '2.15\n' > graph_version.txt
printf 'description: sequence model\ntrained: 2026-11-22\n' > meta.yml
head -c 1048576 /dev/urandom > model.h5
printf 'layers: [lstm, lstm, dense]\nhidden: 256\n' > model.yml
printf '{"loss": 0.0123, "steps": 20000}\n' > summary_dict.json

set -x
"$ama" init nlp_embeddings
"$ama" add git_commit_info_ckpt0.yml, run_config_ckpt0.yml, training.yml
"$ama" set --alias my_training_inputs
"$ama" upload

"$ama" init sequence_models
"$ama" add graph_version.txt, meta.yml, model.h5, model.yml, summary_dict.json
"$ama" set --alias my_model
"$ama" add ref --alias my_training_inputs
"$ama" upload

cd "$work"
"$ama" download sequence_models --alias my_model
"$ama" download sequence_models --alias my_model --refs -o with_refs
"$ama" ls
"$ama" show sequence_models --alias my_model
"$ama" log sequence_models --alias my_model
set +x

# The round trip is byte-exact.
for f in graph_version.txt meta.yml model.h5 model.yml summary_dict.json; do
  cmp "output_dir/$f" "my_model/$f"
  cmp "output_dir/$f" "with_refs/$f"
done
for f in git_commit_info_ckpt0.yml run_config_ckpt0.yml training.yml; do
  cmp "output_dir/$f" "with_refs/refs/nlp_embeddings/my_training_inputs/$f"
done
echo "quickstart OK: downloads match the uploaded files byte for byte"
