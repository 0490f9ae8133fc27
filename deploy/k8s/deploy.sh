#!/usr/bin/env bash
# Deploys the mesh onto the cluster kubectl points at, as reference document 001's
# deploy-model-serving.sh does: deploy/k8s/deploy.sh OVERLAY (t2-micro or production).
# Makes the Secrets no manifest holds when they are missing (the manager's tokens; the gateway's
# users, from HTPASSWD_FILE or one user made up here), applies the overlay, waits for every
# Deployment to roll out and prints how to reach the gateway. docs/deploy.md says more.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
namespace=model-serving

fail() {
  echo "deploy: $*" >&2
  exit 1
}

overlays() { (cd "$here/overlays" && ls -d -- */ | tr -d /); }
overlay="${1:-}"
[ -n "$overlay" ] || fail "usage: $0 OVERLAY, one of: $(overlays | tr '\n' ' ')"
[ -f "$here/overlays/$overlay/kustomization.yaml" ] || fail "no overlay '$overlay'; there are: $(overlays | tr '\n' ' ')"
command -v kubectl >/dev/null || fail "kubectl is not installed"
kubectl version >/dev/null 2>&1 || fail "kubectl cannot reach a cluster (kubectl config current-context)"

# The namespace first, so that the Secrets can go in before the pods that read them.
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f - >/dev/null

random_token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
sha256() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

if ! kubectl -n "$namespace" get secret quiver-tokens >/dev/null 2>&1; then
  # The manager keeps only the tokens' SHA-256 (docs/security.md); the gateway and the
  # model-servers' registrations send the tokens themselves.
  control="$(random_token)" data="$(random_token)"
  kubectl -n "$namespace" create secret generic quiver-tokens \
    --from-literal=control-token="$control" --from-literal=data-token="$data" \
    --from-literal=control-token-sha256="$(sha256 "$control")" \
    --from-literal=data-token-sha256="$(sha256 "$data")" >/dev/null
  echo "deploy: made the manager's tokens (Secret quiver-tokens)"
fi

if ! kubectl -n "$namespace" get secret quiver-gateway-users >/dev/null 2>&1; then
  if [ -n "${HTPASSWD_FILE:-}" ]; then
    [ -s "$HTPASSWD_FILE" ] || fail "HTPASSWD_FILE $HTPASSWD_FILE does not exist or is empty"
    users="$HTPASSWD_FILE"
  else
    command -v openssl >/dev/null || fail "set HTPASSWD_FILE to a users file (htpasswd -c -B users.htpasswd alice), or install openssl to have one made"
    password="$(random_token)"
    users="$(mktemp)"
    trap 'rm -f "$users"' EXIT
    printf 'quiver:%s\n' "$(openssl passwd -apr1 "$password")" > "$users"
    echo "deploy: the gateway's user is quiver, password $password (Secret quiver-gateway-users; shown once)"
  fi
  kubectl -n "$namespace" create secret generic quiver-gateway-users --from-file=htpasswd="$users" >/dev/null
fi

kubectl apply -k "$here/overlays/$overlay"
for deployment in quiver-model-manager quiver-model-server quiver-gateway; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout="${ROLLOUT_TIMEOUT:-300s}"
done

cat <<TRY

The mesh is up ($overlay). To try it:
  kubectl -n $namespace port-forward svc/quiver-gateway 8080:80
and from another shell (the repository starts empty: docs/deploy.md shows how to fill it):
  curl -s -u quiver http://config.localhost:8080/services
  curl -s -u quiver -X POST http://models.localhost:8080/predict -d '{"model_type": "LSTM", "data": [0.0, 0.01, 0.02]}'
TRY
